"""Global options after the command too: `surrender show REF --staff 2041`.

The root callback reads `--db`, `--staff`, `--force`, `--station`, `--campaign`, `--receipts-dir` (and
their environment variables) before the command. `add_to_leaf_commands` gives every leaf
command the same options once more; given after the command they override what came before
it (command line beats environment; the later flag wins). A command that has an option of
the same name for its own purpose (`staff add --station`, `claims list --station`) keeps its
own meaning.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from typer._click import Context as ClickContext  # the Click that Typer ships (annotations only)
    from typer._click import Parameter
    from typer.core import TyperGroup

# option, Context attribute, conversion
MERGED: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "db": ("url", str),
    "staff": ("staff", str),
    "force": ("force", lambda code: str(code).strip().upper()),
    "station": ("station", str),
    "campaign": ("campaign", str),
    "receipts_dir": ("receipts_dir", Path),
}


def _declared(
    db: str | None = typer.Option(None, "--db", help="Global: database URL (SURRENDER_DATABASE_URL)."),
    staff: str | None = typer.Option(None, "--staff", help="Global: your staff number (SURRENDER_STAFF)."),
    force: str | None = typer.Option(None, "--force", help="Global: your force's code (SURRENDER_FORCE)."),
    station: str | None = typer.Option(None, "--station", help="Global: station code (SURRENDER_STATION)."),
    campaign: str | None = typer.Option(
        None, "--campaign", help="Global: campaign code or .toml file (SURRENDER_CAMPAIGN)."
    ),
    receipts_dir: Path | None = typer.Option(
        None, "--receipts-dir", help="Global: receipts folder (SURRENDER_RECEIPTS_DIR)."
    ),
) -> None:
    """The global options as Typer declares them, so help and parsing match the root's."""


def _merge(ctx: "ClickContext", param: "Parameter", value: object) -> None:
    if value is None or ctx.resilient_parsing or ctx.obj is None:
        return
    assert param.name is not None, "every option in _declared has a name"
    attr, convert = MERGED[param.name]
    setattr(ctx.obj, attr, convert(value))


def _options() -> "list[Parameter]":
    holder = typer.Typer(add_completion=False)
    holder.command()(_declared)
    params = typer.main.get_command(holder).params
    for param in params:
        param.expose_value = False  # not passed to the command function: merged into ctx.obj
        param.callback = _merge
    return params


def add_to_leaf_commands(group: "TyperGroup") -> None:
    """Give every command under `group` (not the groups themselves) the global options."""
    options = _options()
    stack = list(group.commands.values())
    while stack:
        command = stack.pop()
        if hasattr(command, "commands"):
            stack.extend(command.commands.values())
            continue
        taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
        command.params.extend(p for p in options if not set(p.opts) & taken)
