"""`surrender audit`."""

import typer

app = typer.Typer(help="audit", no_args_is_help=True)
