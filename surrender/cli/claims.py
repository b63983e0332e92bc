"""`surrender claims`."""

import typer

app = typer.Typer(help="claims", no_args_is_help=True)
