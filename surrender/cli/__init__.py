"""The `surrender` command: global settings, one sub-app per noun, and one error policy.

Heavy stacks (SQLModel, ReportLab, Alembic) are imported inside the commands that need them,
so `surrender --help` stays as quick as Typer itself. The modules that define commands do not
use `from __future__ import annotations`: Typer reads every command's signature at every start,
and string annotations would each be evaluated again (~20 ms a command run).
"""

import gc
import sys

# A command imports SQLAlchemy, pydantic and ReportLab: over a million objects that live as long
# as the process. With the default thresholds (700, 10, 10) the cyclic collector walks them again
# and again while they load; collecting less often keeps it working for whoever imports this
# module (tests, a desk session) without most of that cost. `main` goes further (see there).
gc.set_threshold(100_000, 50, 100)
from pathlib import Path  # noqa: E402  (after the threshold, on purpose)
from typing import TYPE_CHECKING, Any  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from surrender.errors import Refused  # noqa: E402

if TYPE_CHECKING:
    from typer._click import Context as ClickContext  # the Click that Typer ships (annotations only)


class SurrenderGroup(TyperGroup):
    """Turns every refusal a user can cause into one line on stderr and exit code 1; gives every
    command the global options after it as well (cli/global_options.py)."""

    def __init__(self, **attrs: Any) -> None:
        from surrender.cli.global_options import add_to_leaf_commands

        super().__init__(**attrs)
        add_to_leaf_commands(self)

    def parse_args(self, ctx: "ClickContext", args: list[str]) -> list[str]:
        if "--print" in args:  # a bare `--print` means both copies (see cli/printing.py)
            from surrender.cli.printing import expand_bare_print

            args = expand_bare_print(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: "ClickContext") -> Any:
        try:
            return super().invoke(ctx)
        except Refused as exc:
            from surrender.cli.bad_lines import told

            fail(told(exc))
        except Exception as exc:  # database unreachable, disk full...: one line, not a traceback
            if type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3"):
                fail(f"database error: {str(getattr(exc, 'orig', exc)).splitlines()[0]}")
            if isinstance(exc, BrokenPipeError):
                raise
            if isinstance(exc, OSError):
                fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
            raise


def fail(message: str) -> None:
    """The one way a refusal reaches the user: `Error: ...` on stderr (literal text), exit 1."""
    from surrender.cli.output import console, styled

    console(stderr=True).print(styled(("Error:", "bold red"), f" {one_line(message)}"), soft_wrap=True)
    raise typer.Exit(1)


MAX_MESSAGE = 1_000


def one_line(message: str) -> str:
    """A refusal as one line of sensible length, whatever value it quotes."""
    text = " / ".join(part.strip() for part in str(message).splitlines() if part.strip())
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE]}... ({len(text) - MAX_MESSAGE:,} more characters)"
    return text


app = typer.Typer(
    cls=SurrenderGroup,
    name="surrender",
    help="Log weapons handed in under a surrender-and-compensation scheme, compute claims and print "
    "receipts; review, export and pay claims; report totals.\n\n"
    "Start: `surrender demo` shows the tool at work on a throwaway database.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def settings(
    ctx: typer.Context,
    db: str = typer.Option(
        "sqlite:///surrender.db",
        "--db",
        envvar="SURRENDER_DATABASE_URL",
        help="Database URL: a SQLite file (default) or postgresql://user@host/db.",
    ),
    receipts_dir: Path = typer.Option(
        Path("receipts"), "--receipts-dir", envvar="SURRENDER_RECEIPTS_DIR", help="Where receipt PDFs are written."
    ),
    staff: str | None = typer.Option(
        None, "--staff", envvar="SURRENDER_STAFF", help="Your staff (collar) number: who is acting."
    ),
    force: str | None = typer.Option(
        None,
        "--force",
        envvar="SURRENDER_FORCE",
        help="Your force's code (CAMBS, BEDS): needed only when your staff number is in more than one force.",
    ),
    station: str | None = typer.Option(
        None, "--station", envvar="SURRENDER_STATION", help="Station code (TW or PK); defaults to your own station."
    ),
    campaign: str = typer.Option(
        "zombie-2024",
        "--campaign",
        envvar="SURRENDER_CAMPAIGN",
        help="Campaign code (zombie-2024, ninja-2025) or a campaign .toml file.",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=lambda value: _show_version(value),
        help="Show the version and exit.",
    ),
) -> None:
    import os

    from surrender.services.context import Context

    ctx.obj = Context(
        url=db,
        staff=staff,
        force=force.strip().upper() if force else None,
        pin=os.environ.get("SURRENDER_PIN") or None,
        station=station,
        campaign=campaign,
        receipts_dir=receipts_dir,
        pin_prompt=ask_pin if sys.stdin.isatty() else None,
    )


def ask_pin(label: str) -> str:
    """The acting member's PIN, typed hidden at the terminal (prompt on stderr, so `--format json
    | jq` still gets clean output). Services call it through Context.pin_prompt, at most once."""
    pin: str = typer.prompt(label, hide_input=True, err=True)  # no `type`: the text as typed
    return pin


def _show_version(value: bool) -> None:
    from surrender.cli.status import show_version

    show_version(value)


def _register() -> None:
    from surrender.cli import (
        audit,
        booking,
        campaign,
        claims,
        claims_payer,
        custody,
        db,
        db_modulus,
        demo,
        desk,
        destruction,
        forces,
        helpformat,
        purge,
        report,
        staff,
        status,
    )

    helpformat.install()

    for module in (desk, status):
        module.register(app)
    app.add_typer(staff.app, name="staff")
    app.add_typer(forces.force_app, name="force")
    app.add_typer(forces.station_app, name="station")
    app.add_typer(campaign.app, name="campaign")
    claims_payer.register(claims.app)  # issue 17: evidence, claim pack, payer's decisions, disputes
    db_modulus.register(db.app)
    app.add_typer(claims.app, name="claims")
    app.add_typer(report.app, name="report")
    app.add_typer(audit.app, name="audit")
    app.add_typer(db.app, name="db")
    app.add_typer(custody.app, name="custody")
    app.add_typer(destruction.app, name="destruction")
    app.add_typer(booking.app, name="booking")
    demo.register(app)
    purge.register(app)


_register()


def main() -> None:
    """The console script: one short process doing one job, so no memory management on the way.

    The cyclic collector is off: it would walk the loaded stacks again and again (~30 ms of a
    stock claim, ~10 ms of `show`) to free at most the few cycles the job leaves, which exit
    hands back anyway; the long-lived commands (`desk`, `demo`) turn it on with
    `collect_as_usual()`. At exit Python still collects once over every object alive (~100 ms
    after a big claim): freezing them skips that, after the connections are closed explicitly;
    flushing output and other exit hooks run as usual.
    """
    import atexit

    gc.disable()
    atexit.register(gc.freeze)
    atexit.register(_close_databases)  # runs before the freeze (last registered, first run)
    try:
        app(prog_name="surrender")
    except BrokenPipeError:  # `surrender ... | head`: the reader has gone; say nothing more
        _silence_stdout()
        sys.exit(0)


def collect_as_usual() -> None:
    """For a command that runs long (a desk shift, the demo): collect cycles again (at the
    thresholds set above)."""
    gc.enable()


def _close_databases() -> None:
    """Close the command's database connections explicitly (frozen objects are never collected)."""
    db = sys.modules.get("surrender.db")
    if db is not None:
        db.close_all()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit-time flush cannot complain about the pipe."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
