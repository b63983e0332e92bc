"""`surrender destruction`: witnessed destruction batches and their certificates."""

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from surrender.cli.output import FORMAT_HELP, Format, emit, say

if TYPE_CHECKING:
    from surrender.services.destruction import BatchView

app = typer.Typer(
    help="Destroy held weapons in batches witnessed by two staff members with their own PINs; "
    "print the certificate; record the contractor's (property officers).",
    no_args_is_help=True,
)

BATCH_COLUMNS = [
    "batch",
    "station",
    "status",
    "method",
    "contractor",
    "opened_at",
    "opened_by",
    "sealed_at",
    "witnesses",
    "tags",
    "weapons",
    "certificate",
]


def batch_cells(view: "BatchView", table: bool) -> dict[str, Any]:
    from surrender.clock import iso, show_time

    when = show_time if table else iso
    return {
        "batch": view.id,
        "station": view.station,
        "status": view.status,
        "method": view.method,
        "contractor": view.contractor,
        "opened_at": when(view.opened_at),
        "opened_by": view.opened_by,
        "sealed_at": when(view.sealed_at) if view.sealed_at else None,
        "sealed_by": view.sealed_by,
        "witnesses": list(view.witnesses),
        "tags": view.tags,
        "weapons": view.weapons,
        "certificate": view.certificate,
        "confirmed_at": when(view.confirmed_at) if view.confirmed_at else None,
    }


def _show(view: "BatchView") -> None:
    say(
        f"Destruction batch {view.id} at {view.station} ({view.status}): {view.method} by {view.contractor}; "
        f"{view.tags} tag(s), {view.weapons} weapon(s)"
    )


@app.command("new")
def new(
    ctx: typer.Context,
    method: str = typer.Option(..., "--method", help="How: 'incineration', 'shredding', 'smelting'..."),
    contractor: str = typer.Option(..., "--contractor", help="Who destroys them (the company)."),
) -> None:
    """Open a destruction batch at your station (or --station).

    Example: `surrender destruction new --method incineration --contractor "Eastern Metals Ltd"`
    """
    from surrender.services.destruction import open_batch

    _show(open_batch(ctx.obj, method, contractor))


@app.command("add")
def add(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The batch number."),
    tags: list[str] | None = typer.Argument(None, help="Tags to add; none: scan them, one per line."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Add held tags of the batch's station to an open batch: named here (all or none), or
    scanned one per line (a blank line or Ctrl-D ends; a refused line is said and skipped).

    Example: `surrender destruction add 3 TW-Z24-000017-7/1 TW-Z24-000017-7/2`
    """
    from surrender.cli.custody import EXHIBIT_COLUMNS, EXHIBIT_TABLE, exhibit_cells, refuse_line, scan_lines
    from surrender.cli.output import console, styled
    from surrender.errors import Refused
    from surrender.services.destruction import add_to_batch, open_for_scan, scan_into

    if tags:
        added = add_to_batch(ctx.obj, batch, tags)
        emit(
            [exhibit_cells(v, fmt == Format.table) for v in added],
            fmt,
            EXHIBIT_TABLE if fmt == Format.table else EXHIBIT_COLUMNS,
            title=f"Added to batch {batch}",
        )
        return
    view = open_for_scan(ctx.obj, batch)
    say(f"Scanning into destruction batch {view.id} ({view.station}): a blank line or Ctrl-D ends.", stderr=True)
    out = console()

    def handle(text: str) -> bool:
        try:
            exhibit = scan_into(ctx.obj, view.id, text)
        except Refused as exc:
            refuse_line(text, str(exc))
            return False
        out.print(
            styled(("✓ ", "bold green"), (exhibit.tag, "bold"), f"  {exhibit.said}  ", (f"→ batch {view.id}", "dim")),
            soft_wrap=True,
        )
        return True

    done, refused = scan_lines(handle)
    say(f"{done} tag(s) added to batch {view.id}; {refused} refused.", stderr=True)
    if refused:
        raise typer.Exit(1)


@app.command("remove")
def remove(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The batch number."),
    tags: list[str] = typer.Argument(..., help="Tags to take out of the open batch."),
) -> None:
    """Take tags out of an open batch (a sealed one never changes).

    Example: `surrender destruction remove 3 TW-Z24-000017-7/2`
    """
    from surrender.services.destruction import remove_from_batch

    for tag in remove_from_batch(ctx.obj, batch, tags):
        say(f"{tag}: out of batch {batch}")


def witness_pin_source(ctx_obj: object) -> "Callable[[Any], str | None]":
    """PINs for witnesses: SURRENDER_WITNESS_PINS in scripts, else asked (hidden) at a terminal."""
    from surrender.rules.custody import parse_witness_pins

    given = parse_witness_pins(os.environ.get("SURRENDER_WITNESS_PINS"))

    def pin_of(witness: Any) -> str | None:
        if witness.number in given:
            return given[witness.number]
        if sys.stdin.isatty():
            from surrender.cli.output import printable

            return str(
                typer.prompt(f"PIN for witness {witness.number} ({printable(witness.name)})", hide_input=True, err=True)
            )
        return None

    return pin_of


@app.command("seal")
def seal(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The batch number."),
    witness: list[str] = typer.Option(..., "--witness", help="A witness's staff number; give two."),
) -> None:
    """Seal a batch as destroyed, witnessed by two different staff members, each typing their
    own PIN (scripts: SURRENDER_WITNESS_PINS="NUMBER:PIN,NUMBER:PIN"); never the same pair as
    the station's previous batch. A sealed batch never changes.

    Example: `surrender destruction seal 3 --witness 5023 --witness 2041`
    """
    from surrender.services.destruction import seal_batch

    view = seal_batch(ctx.obj, batch, witness, witness_pin_source(ctx.obj))
    _show(view)
    say(f"Sealed: witnessed by {' and '.join(view.witnesses)}; its {view.weapons} weapon(s) are recorded destroyed.")


@app.command("confirm")
def confirm(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The batch number."),
    certificate: str = typer.Option(..., "--certificate", help="The contractor's own certificate number."),
) -> None:
    """Record the contractor's certificate of destruction for a sealed batch, when it comes back.

    Example: `surrender destruction confirm 3 --certificate EM-2024-0917`
    """
    from surrender.services.destruction import confirm_batch

    view = confirm_batch(ctx.obj, batch, certificate)
    say(f"Batch {view.id}: contractor's certificate {view.certificate} recorded.")


@app.command("list")
def list_(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """Every destruction batch at your stations: open, sealed or confirmed, its witnesses and size.

    Example: `surrender destruction list --format json`
    """
    from surrender.services.destruction import list_batches

    rows = [batch_cells(v, fmt == Format.table) for v in list_batches(ctx.obj)]
    emit(rows, fmt, BATCH_COLUMNS, title="Destruction batches", empty="no destruction batches yet")


@app.command("show")
def show(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The batch number."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """One batch and every tag in it.

    Example: `surrender destruction show 3 --format csv`
    """
    from surrender.cli.custody import EXHIBIT_COLUMNS, EXHIBIT_TABLE, exhibit_cells
    from surrender.cli.output import print_json
    from surrender.services.destruction import batch_detail

    detail = batch_detail(ctx.obj, batch)
    rows = [exhibit_cells(v, fmt == Format.table) for v in detail.exhibits]
    if fmt == Format.json:
        print_json(
            {
                **batch_cells(detail.batch, False),
                "exhibits": rows,
                "by_kind": [
                    {"campaign": k.campaign, "kind": k.kind, "tags": k.tags, "weapons": k.weapons}
                    for k in detail.by_kind
                ],
            }
        )
        return
    if fmt == Format.table:
        _show(detail.batch)
    emit(
        rows,
        fmt,
        EXHIBIT_TABLE if fmt == Format.table else EXHIBIT_COLUMNS,
        title=f"Batch {detail.batch.id}",
        empty="no tags in this batch yet",
    )


@app.command("certificate")
def certificate(
    ctx: typer.Context,
    batch: str = typer.Argument(..., help="The sealed batch's number."),
    out: Path = typer.Option(..., "--out", help="The PDF to write; refused if it exists."),
) -> None:
    """The certificate of destruction as a PDF: every tag with its kind and count, totals by
    kind, method, contractor, witnesses, times and the audit anchor.

    Example: `surrender destruction certificate 3 --out batch-3.pdf`
    """
    from surrender.destruction_pdf import check_out, write_certificate
    from surrender.services.destruction import batch_detail

    check_out(out)
    detail = batch_detail(ctx.obj, batch, sealed_only=True)
    path = write_certificate(detail, out)
    say(
        f"Certificate written: {path} (batch {detail.batch.id}, {detail.batch.tags} tags, "
        f"{detail.batch.weapons} weapons)"
    )
    say(("Anchor: ", "dim"), detail.anchor)
