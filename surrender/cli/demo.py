"""`surrender demo`: see a whole campaign at work in one command, on a throwaway database."""

import shlex
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import typer

from surrender.cli.output import Format, console, emit, say

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status


def demo(
    ctx: typer.Context,
    directory: Path | None = typer.Option(
        None,
        "--dir",
        help="An empty folder for the demo database, receipts and export files (default: a new temporary folder).",
    ),
    days: int = typer.Option(
        29,
        "--days",
        min=1,
        max=29,
        help="How many days of the zombie-2024 window to work through, from 26 Aug 2024 (default: all 29, to 23 Sep).",
    ),
    forces: int = typer.Option(
        1,
        "--forces",
        min=1,
        max=2,
        help="2: add Bedfordshire Police (stations LU, BD) beside Cambridgeshire: in an empty PostgreSQL "
        "database given with --db, or (a SQLite file holds one force) in a file of its own, beds.db.",
    ),
) -> None:
    """Work through the zombie-2024 campaign at Thorpe Wood and Parkside on a throwaway SQLite
    database, through the same service layer as the real commands: the public's surrenders
    (some anonymous, a few retailers' stock, some without bank details), managers' sign-offs
    and a void, finance's approvals, a rejection, two export batches and a remittance. Prints
    every staff number and PIN it made, and a command to try next. Your own database is not
    touched.

    Example: `surrender demo --dir demo --days 29`; two forces: `surrender demo --forces 2 --days 3
    --db postgresql://me@localhost/demo2`, or on SQLite (demo.db and beds.db): `surrender demo --forces 2 --dir demo2`
    """
    from dataclasses import replace

    from surrender.cli import collect_as_usual
    from surrender.demo import STAFF, run_demo

    collect_as_usual()  # hundreds of surrenders in one process
    from surrender.migrate import upgrade

    folder = (directory or Path(tempfile.mkdtemp(prefix="surrender-demo-"))).resolve()
    database = folder / "demo.db"
    shared = ctx.obj.url.startswith("postgresql")
    if not shared and database.exists():
        raise typer.BadParameter(f"{database} exists already: choose an empty --dir", param_hint="--dir")
    folder.mkdir(parents=True, exist_ok=True)
    url = ctx.obj.url if shared else f"sqlite:///{database}"
    out = console()
    upgrade(url)
    say(f"Demo database: {database} (stations TW and PK, campaign zombie-2024)")
    started = time.perf_counter()
    with _progress(out) as step:
        outcome = run_demo(
            replace(ctx.obj, url=url, receipts_dir=folder / "receipts"),
            folder,
            days,
            say=lambda line: say(line),
            progress=step,
        )
    say(f"Logged {outcome.logged:,} surrenders over {days} day(s) in {time.perf_counter() - started:.1f} s.")
    if forces == 2:
        from surrender.demo import PINS, as_staff, at
        from surrender.demo_forces import FORCE, FORCE_NAME, add_second_force

        if shared:
            demo_ctx = replace(ctx.obj, url=url, receipts_dir=folder / "receipts")
            cambs_admin = replace(as_staff(demo_ctx, "1", at(0, 8)), force="CAMBS", pin=PINS["1"])
            beds = add_second_force(demo_ctx, cambs_admin, folder)
        else:  # a SQLite file holds one force: Bedfordshire gets a file of its own
            beds_url = f"sqlite:///{folder / 'beds.db'}"
            upgrade(beds_url)
            beds = add_second_force(replace(ctx.obj, url=beds_url, receipts_dir=folder / "receipts"), None, folder)
            say(f"{FORCE_NAME}'s database: {folder / 'beds.db'}")
        say(f"{FORCE_NAME} ({FORCE}): stations LU and BD, {len(beds)} surrenders, its own export batch 1.")
        if shared:
            say("Staff numbers 1 and 4410 are in both forces: sign in with --force CAMBS or --force BEDS.")
    for note in outcome.notes:
        say(note)
    for reference in outcome.awaiting_manager:
        say(f"Flagged, awaiting a manager's approval: {reference}")
    say(f"Receipts (first day): {folder / 'receipts'}")
    say("")
    _staff_table(STAFF, "Demo staff (PINs are for this demo only)")
    if forces == 2:
        from surrender.demo_forces import STAFF as BEDS_STAFF

        heading = "Bedfordshire staff (--force BEDS)" if shared else f"Bedfordshire staff (--db {folder / 'beds.db'})"
        _staff_table(BEDS_STAFF, heading)
    say("")
    say("Next, as the manager (paste both lines):")
    variables = f"SURRENDER_DATABASE_URL={shlex.quote(url)} SURRENDER_STAFF=5023 SURRENDER_PIN=502324"
    out.print(f"export {variables}", soft_wrap=True, highlight=False)
    out.print("surrender report totals --by station", soft_wrap=True, highlight=False)


def _staff_table(staff: list[tuple[str, str, str, str | None, str]], title: str) -> None:
    """The demo's members of one force, with the PINs it gave them."""
    rows = [
        {"staff": number, "name": name, "role": role, "station": station or "-", "pin": pin}
        for number, name, role, station, pin in staff
    ]
    emit(rows, Format.table, ["staff", "name", "role", "station", "pin"], title=title)


class _progress:
    """A one-line day counter on a terminal; nothing when piped."""

    def __init__(self, out: "Console") -> None:
        self.out = out
        self.status: Status | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        if self.out.is_terminal:
            self.status = self.out.status("Working through the campaign...")
            self.status.__enter__()
        return self.step

    def step(self, done: int, total: int) -> None:
        if self.status is not None:
            self.status.update(f"Working through the campaign: day {done} of {total}")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> Literal[False]:
        if self.status is not None:
            self.status.__exit__(exc_type, exc, traceback)
        return False


def register(app: typer.Typer) -> None:
    app.command()(demo)
