"""What every use case needs to know about the caller: database, who, where, which scheme, when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from surrender.clock import utcnow
from surrender.terminal import terminal_id


def _no_checkpoint(stage: str) -> None:
    """The default: nothing happens between an export's stages."""


def _verify_pin(pin: str, stored: str | None) -> bool:
    from surrender.services.pins import verify_pin

    return verify_pin(pin, stored)


def _hash_pin(pin: str) -> str:
    from surrender.services.pins import hash_pin

    return hash_pin(pin)


DEFAULT_URL = "sqlite:///surrender.db"


@dataclass
class Context:
    url: str = DEFAULT_URL
    staff: str | None = None
    force: str | None = None  # the acting member's force (--force / SURRENDER_FORCE), when their number repeats
    pin: str | None = field(default=None, repr=False)  # the acting member's PIN (SURRENDER_PIN or asked)
    station: str | None = None
    campaign: str | None = None  # preset code or path to a TOML file
    receipts_dir: Path = Path("receipts")
    now: Callable[[], dt.datetime] = field(default=utcnow)
    # Asks the person at the keyboard for their PIN (hidden), given the prompt text; set by the
    # CLI only when stdin is a terminal. `auth.sign_in` calls it at most once, when pin is None.
    pin_prompt: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    # Preparation the command can do while the slow PIN hash runs (argon2 leaves Python free):
    # `log` loads the receipt stack here. It must not touch the database or anyone's data.
    while_pin_checks: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    # How a typed PIN is checked against its stored hash (the demo passes a memoised one).
    pin_checker: Callable[[str, str | None], bool] = field(default=_verify_pin, repr=False, compare=False)
    # How a new PIN is hashed for storing: always full-cost argon2id in the tool (nothing from
    # the environment changes it); tests pass a cheap argon2 hasher in-process.
    pin_hasher: Callable[[str], str] = field(default=_hash_pin, repr=False, compare=False)
    # Where the command is typed, for slowing wrong PINs and bounding `claims status` misses per
    # terminal (surrender/terminal.py). Tests name their terminals.
    terminal: str = field(default_factory=terminal_id, compare=False)
    # Members this context has signed in: (url, number, digest of stored hash + PIN). A desk
    # session keeps one Context, so it is asked once; a PIN changed elsewhere is checked again.
    signed_in: set[tuple[str, str, str]] = field(default_factory=set, repr=False, compare=False)
    # Called at each stage of a multi-step write (an export: created, selected, staged, committed, linked,
    # placed); crash tests pass one that kills the process at a chosen stage.
    checkpoint: Callable[[str], None] = field(default=_no_checkpoint, repr=False, compare=False)
