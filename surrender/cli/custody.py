"""`surrender custody`: where every tagged weapon is, from the counter to the store, by scan.

A USB barcode scanner types the tag and Enter, so `scan` and `check` read lines until a blank
line or Ctrl-D and answer each on its own line as it comes; a refused line is said and the
next one read.
"""

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.helpformat import NOT_PERSONAL
from surrender.cli.output import FORMAT_HELP, Format, emit, say

if TYPE_CHECKING:
    from surrender.services.custody import ExhibitView

app = typer.Typer(
    help="Custody of surrendered weapons by their tags: scan them to a store, move them, "
    "see where a tag has been, check a shelf (property officers; desk: counter to store).",
    no_args_is_help=True,
)
location_app = typer.Typer(
    help="The places an exhibit can be: each station's counter, its stores, temporary places.", no_args_is_help=True
)
app.add_typer(location_app, name="location")

STATES_HELP = "held, missing, destroyed, retained or never_received."


def scan_lines(handle: Callable[[str], bool]) -> tuple[int, int]:
    """Read scanned lines from stdin until a blank line or end of input (Ctrl-D), handing each
    to `handle` (True: done, False: refused). Ctrl-C stops too. Returns (done, refused)."""
    done = refused = 0
    try:
        while True:
            line = sys.stdin.readline()
            if not line or not line.strip():
                break
            if handle(line.strip()):
                done += 1
            else:
                refused += 1
    except KeyboardInterrupt:
        say("(stopped)", stderr=True)
    return done, refused


def refuse_line(text: str, message: str) -> None:
    """A refused scan, on its own line (stderr), with a bell on a terminal so it is heard."""
    from surrender.cli.output import console, styled

    shown = message if message.upper().startswith(text.upper()) else f"{text}: {message}"
    if sys.stderr.isatty():
        sys.stderr.write("\a")
    console(stderr=True).print(styled(("✗ ", "bold red"), shown), soft_wrap=True)


def place_text(code: str | None) -> str:
    return code or "-"


def exhibit_cells(view: "ExhibitView", table: bool) -> dict[str, Any]:
    """An ExhibitView as listings print it: times local (ISO for scripts)."""
    from surrender.clock import iso, show_time

    return {
        "tag": view.tag,
        "reference": view.reference,
        "station": view.station,
        "campaign": view.campaign,
        "kind": view.kind_label if table else view.kind,
        "quantity": view.quantity,
        "description": view.description,
        "seal": view.seal,
        "state": view.state,
        "location": view.location,
        "since": show_time(view.since) if table else iso(view.since),
        "batch": view.batch,
        "note": view.note,
        "void": view.voided,
    }


EXHIBIT_COLUMNS = [
    "tag",
    "reference",
    "station",
    "campaign",
    "kind",
    "quantity",
    "description",
    "seal",
    "state",
    "location",
    "since",
    "batch",
    "note",
    "void",
]
EXHIBIT_TABLE = ["tag", "kind", "quantity", "description", "seal", "state", "location", "since", "batch"]


@app.command("scan")
def scan(
    ctx: typer.Context,
    to: str = typer.Option(..., "--to", help="Where the scanned tags are now: a location code such as TW-STORE."),
) -> None:
    """Scan tags to a location, one per line as a USB scanner types them; a blank line or Ctrl-D
    ends. Each tag is recorded at once (who, when, from where, to where) and said back with its
    description; an unknown, destroyed or already-there tag is refused on its line and
    scanning goes on. Exit 1 if any line was refused.

    Example: `surrender custody scan --to TW-STORE` (then scan the bags)
    """
    from surrender.cli.output import console, styled
    from surrender.errors import Refused
    from surrender.services.custody import open_scan, scan_tag

    place = open_scan(ctx.obj, to)
    say(f"Scanning to {place.code} ({place.name}). Scan each tag; a blank line or Ctrl-D ends.", stderr=True)
    out = console()

    def handle(text: str) -> bool:
        try:
            moved = scan_tag(ctx.obj, place.code, text)
        except Refused as exc:
            refuse_line(text, str(exc))
            return False
        came = "found again" if moved.found else f"from {place_text(moved.came_from)}"
        out.print(
            styled(
                ("✓ ", "bold green"),
                (moved.exhibit.tag, "bold"),
                f"  {moved.exhibit.said}  ",
                (f"{came} → {moved.to}", "dim"),
            ),
            soft_wrap=True,
        )
        return True

    done, refused = scan_lines(handle)
    say(f"{done} tag(s) moved to {place.code}; {refused} refused.", stderr=True)
    if refused:
        raise typer.Exit(1)


@app.command("move")
def move(
    ctx: typer.Context,
    tags: list[str] = typer.Argument(..., help="Tags as printed under the barcodes: TW-Z24-000017-7/1 ..."),
    to: str = typer.Option(..., "--to", help="The location code they go to, such as TW-STORE."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Move tags to a location in one step: all of them, or none if one cannot move (named).

    Example: `surrender custody move TW-Z24-000017-7/1 TW-Z24-000017-7/2 --to TW-STORE`
    """
    from surrender.services.custody import move_tags

    moved = move_tags(ctx.obj, tags, to)
    rows = [
        {
            "tag": m.exhibit.tag,
            "kind": m.exhibit.kind_label if fmt == Format.table else m.exhibit.kind,
            "quantity": m.exhibit.quantity,
            "description": m.exhibit.description,
            "from": m.came_from,
            "to": m.to,
        }
        for m in moved
    ]
    emit(rows, fmt, ["tag", "kind", "quantity", "description", "from", "to"], title=f"Moved to {to.upper()}")


@app.command("where")
def where(
    ctx: typer.Context,
    tag: str = typer.Argument(..., help="The tag, as printed under its barcode (or scanned)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Where a tag is and its whole history: received at the counter, every move, stock check,
    destruction batch, and its end (destroyed, retained, never received).

    Example: `surrender custody where TW-Z24-000017-7/1 --format json`
    """
    from surrender.cli.output import console, print_json, styled
    from surrender.clock import iso, show_time
    from surrender.services.custody import where as whereabouts

    found = whereabouts(ctx.obj, tag)
    view = found.exhibit
    events = [
        {
            "at": iso(e.at) if fmt != Format.table else show_time(e.at),
            "action": e.action,
            "staff": e.staff,
            "from": e.came_from,
            "to": e.to,
            "batch": e.batch,
            "note": e.note,
        }
        for e in found.history
    ]
    if fmt == Format.json:
        print_json({**exhibit_cells(view, table=False), "kind_label": view.kind_label, "history": events})
        return
    if fmt == Format.csv:
        emit(
            [{"tag": view.tag, **e} for e in events],
            fmt,
            ["tag", "at", "action", "staff", "from", "to", "batch", "note"],
        )
        return
    out = console()
    where_now = view.location or "-"
    out.print(styled((view.tag, "bold"), f"  {view.said}"), soft_wrap=True)
    out.print(styled(f"Surrender {view.reference} · station {view.station} · {view.campaign}"), soft_wrap=True)
    out.print(
        styled(
            "Now: ",
            (view.state, "bold"),
            f" at {where_now} since {show_time(view.since)}"
            + (f" · batch {view.batch}" if view.batch else "")
            + (f" · {view.note}" if view.note else ""),
        ),
        soft_wrap=True,
    )
    emit(events, fmt, ["at", "action", "staff", "from", "to", "batch", "note"], title="History")


@app.command("list")
def list_(
    ctx: typer.Context,
    location: str | None = typer.Option(None, "--location", help="Only what is at this location (code)."),
    state: str | None = typer.Option(None, "--state", help=f"Only exhibits in this state: {STATES_HELP}"),
    reference: str | None = typer.Option(None, "--reference", help="Only this surrender's tags."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """List exhibits (tags) with their state and place, by surrender.

    Example: `surrender custody list --location TW-COUNTER`
    """
    from surrender.services.custody import list_exhibits

    rows = [exhibit_cells(v, fmt == Format.table) for v in list_exhibits(ctx.obj, location, state, reference)]
    emit(
        rows,
        fmt,
        EXHIBIT_TABLE if fmt == Format.table else EXHIBIT_COLUMNS,
        title="Exhibits",
        empty="no exhibits match",
    )


@app.command("check")
def check(
    ctx: typer.Context,
    location: str = typer.Option(..., "--location", help="The location whose shelf you scan, such as TW-STORE."),
    empty: bool = typer.Option(
        False,
        "--empty",
        help="The shelf is empty: with nothing scanned, record every tag "
        "there as missing (without it, an empty scan records nothing).",
    ),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """A stock check: scan everything on the shelf (a blank line or Ctrl-D ends), then see what
    is missing, what is there but recorded elsewhere, and unknown tags. The check is recorded
    with its result; a missing tag is marked missing (unaccounted) until it is scanned again.

    Example: `surrender custody check --location TW-STORE`
    """
    from surrender.cli.output import console, styled
    from surrender.errors import Refused
    from surrender.services.custody import open_check, record_check, sight

    place = open_check(ctx.obj, location)
    say(f"Stock check of {place.code} ({place.name}): scan everything there; a blank line or Ctrl-D ends.", stderr=True)
    out = console(stderr=True)
    scanned: list[Any] = []

    def handle(text: str) -> bool:
        scanned.append(text)
        try:
            seen = sight(ctx.obj, place.code, text)
        except Refused as exc:
            refuse_line(text, str(exc))
            return False
        if seen.exhibit is None:
            refuse_line(seen.tag, f"{seen.tag}: unknown tag")
            return False
        note = ("", "green") if seen.here else (f"  recorded at {seen.where}", "bold yellow")
        out.print(
            styled(
                ("✓ " if seen.here else "! ", "bold green" if seen.here else "bold yellow"),
                (seen.tag, "bold"),
                f"  {seen.exhibit.said}",
                note,
            ),
            soft_wrap=True,
        )
        return True

    scan_lines(handle)
    result = record_check(ctx.obj, place.code, scanned, empty)
    rows = (
        [{"tag": t, "result": "found", "where": place.code} for t in result.found]
        + [{"tag": t, "result": "missing", "where": place.code} for t in result.missing]
        + [{"tag": t, "result": "elsewhere", "where": w} for t, w in result.elsewhere]
        + [{"tag": t, "result": "unknown", "where": None} for t in result.unknown]
    )
    if fmt == Format.table:
        rows = [r for r in rows if r["result"] != "found"]
    emit(
        rows,
        fmt,
        ["tag", "result", "where"],
        title=f"Stock check {result.id} of {result.location}",
        empty="every tag recorded here was found, and nothing else",
    )
    say(
        f"Check {result.id}: {result.expected} expected, {len(result.found)} found, {len(result.missing)} missing, "
        f"{len(result.elsewhere)} recorded elsewhere, {len(result.unknown)} unknown.",
        stderr=fmt != Format.table,
    )


@app.command("never-received")
def never_received(
    ctx: typer.Context,
    tags: list[str] = typer.Argument(..., help="The tags that never reached custody."),
    reason: str = typer.Option(
        ..., "--reason", help=f"Why, e.g. 'logged twice: the bag is TW-Z24-000016-9'. {NOT_PERSONAL}"
    ),
) -> None:
    """Mark tags never received (manager), with the reason: a surrender logged twice by mistake
    and voided, whose tags were never on a bag. They stay in the reconciliation as never received.

    Example: `surrender custody never-received TW-Z24-000017-7/1 --reason "logged twice"`
    """
    from surrender.services.custody import never_received as mark

    for view in mark(ctx.obj, tags, reason):
        say(f"{view.tag}: never received")


@app.command("retain")
def retain(
    ctx: typer.Context,
    tags: list[str] = typer.Argument(..., help="The tags to keep from destruction."),
    authority: str = typer.Option(
        ..., "--authority", help="Who authorised keeping it and for what, e.g. 'ACC ref 24/117: training collection'."
    ),
) -> None:
    """Keep tags from destruction with an authority (manager): training, a museum. They count
    as retained with authority in the reconciliation.

    Example: `surrender custody retain TW-Z24-000017-7/1 --authority "ACC 24/117 training"`
    """
    from surrender.services.custody import retain as keep

    for view in keep(ctx.obj, tags, authority):
        say(f"{view.tag}: retained at {view.location or '-'}")


@location_app.command("add")
def location_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Short code scanned or typed: 2-20 letters, digits, dashes (TW-STORE)."),
    name: str = typer.Option(..., "--name", help="What people call it: 'Thorpe Wood property store'."),
    station: str | None = typer.Option(None, "--station", help="Its station (default: your own)."),
    kind: str = typer.Option("store", "--kind", help="store (no time limit) or temporary (a lab, a court)."),
    max_days: int | None = typer.Option(
        None, "--max-days", help="Days an exhibit may stay in a temporary place before it is overdue (default 14)."
    ),
) -> None:
    """Add a location (property officer, admin). Each station has its counter already.

    Example: `surrender custody location add TW-STORE --name "Thorpe Wood property store" --station TW`
    """
    from surrender.services.custody import add_location

    view = add_location(ctx.obj, code, name, station, kind.strip().lower(), max_days)
    limit = f", overdue after {view.max_days} days" if view.max_days else ""
    say(f"Added {view.code}: {view.name} ({view.kind} at {view.station}{limit})")


@location_app.command("list")
def location_list(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """Every location at your stations with how many tags and weapons it holds.

    Example: `surrender custody location list --format csv`
    """
    from dataclasses import asdict

    from surrender.services.custody import list_locations

    rows = [asdict(v) for v in list_locations(ctx.obj)]
    emit(
        rows,
        fmt,
        ["code", "name", "station", "kind", "max_days", "tags", "weapons"],
        title="Locations",
        empty="no locations",
    )
