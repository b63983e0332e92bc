"""Alembic migrations, shipped inside the package as `surrender._migrations`."""
