"""Pure scheme rules: no database, no files, no clock. Everything here is tested at its edges."""
