"""`surrender demo`: see the tool work in one command, on a throwaway database."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

import typer

from surrender.cli.output import console


def demo(
    ctx: typer.Context,
    directory: Optional[Path] = typer.Option(None, "--dir", help="Where to put the demo database and receipts "
                                             "(default: a new temporary folder)."),
) -> None:
    """Log a realistic day of surrenders at Thorpe Wood and Parkside on a throwaway SQLite
    database, through the same service layer as the desk, and print where the receipts are.

    Your own database is not touched. Example: `surrender demo`
    """
    from dataclasses import replace

    from surrender.demo import run_demo
    from surrender.migrate import upgrade

    folder = directory or Path(tempfile.mkdtemp(prefix="surrender-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'demo.db'}"
    if (folder / "demo.db").exists():
        raise typer.BadParameter(f"{folder / 'demo.db'} exists already: choose an empty --dir")
    out = console()
    upgrade(url)
    out.print(f"Demo database: {folder / 'demo.db'} (stations TW and PK)")
    run_demo(replace(ctx.obj, url=url, receipts_dir=folder / "receipts"), lambda line: out.print(line))
    out.print(f"\nReceipts: {folder / 'receipts'}")
    out.print(f"Try: surrender --db {url} --staff 5023 report totals --by station   (PIN 5555)")


def register(app: typer.Typer) -> None:
    app.command()(demo)
