"""What every use case needs to know about the caller: database, who, where, which scheme, when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from surrender.clock import utcnow


DEFAULT_URL = "sqlite:///surrender.db"


@dataclass
class Context:
    url: str = DEFAULT_URL
    staff: str | None = None
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
