"""How wrong PINs slow a member and a terminal down before a member is locked.

Two counts of wrong PINs in a row are kept: one per member (whoever typed them, from anywhere)
and one per terminal (whoever they were typed for; see `surrender.terminal`). The first
`FREE_TRIES` wrong PINs cost nothing; after `n` wrong in a row the next try waits until
2**n seconds after the last wrong one (4 s, 8 s, 16 s, ...). The member's count locks them at
`LOCK_AFTER` wrong in a row (an admin unlocks; the last admin is recovered by the database's
owner); a terminal is never locked, its wait stops growing at `TERMINAL_MAX_WAIT` and it
forgets its count after `TERMINAL_FORGETS_AFTER` without a wrong PIN.

What that allows (module docstring figures are checked in tests/unit/test_rules_lockout.py):
- one member: at most LOCK_AFTER (5, as SPEC 3 says) wrong PINs, over at least 28 seconds, then locked;
- one terminal: at most 11 wrong PINs in its first hour, then one an hour;
- a stranger who knows no PIN needs LOCK_AFTER wrong PINs per member, so locking 6 members
  from one terminal (30 wrong PINs) takes more than 19 hours.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

FREE_TRIES = 2  # wrong PINs in a row before any wait: a typo or two costs nothing
LOCK_AFTER = 5  # wrong PINs in a row that lock a member (SPEC 3: five)
TERMINAL_MAX_WAIT = dt.timedelta(hours=1)
TERMINAL_FORGETS_AFTER = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Tries:
    """Wrong PINs in a row, and when the last of them was typed (None: none yet)."""

    wrong: int = 0
    last_wrong_at: dt.datetime | None = None


def wait_after(wrong: int, cap: dt.timedelta | None = None) -> dt.timedelta:
    """How long after the last of `wrong` wrong PINs in a row the next try must wait."""
    if wrong < FREE_TRIES:
        return dt.timedelta(0)
    wait = dt.timedelta(seconds=2 ** min(wrong, 40))  # 2**40 s is beyond any cap and any lock
    return wait if cap is None else min(wait, cap)


def terminal_tries(tries: Tries, now: dt.datetime) -> Tries:
    """A terminal's count as it stands at `now`: forgotten after a quiet TERMINAL_FORGETS_AFTER."""
    if tries.last_wrong_at is None or now - tries.last_wrong_at >= TERMINAL_FORGETS_AFTER:
        return Tries()
    return tries


def member_wait(member: Tries, now: dt.datetime) -> dt.timedelta:
    """Time left before this member may try a PIN again (zero: now)."""
    return _left(member, now, None)


def terminal_wait(terminal: Tries, now: dt.datetime) -> dt.timedelta:
    """Time left before anyone may try a PIN at this terminal again (zero: now)."""
    return _left(terminal_tries(terminal, now), now, TERMINAL_MAX_WAIT)


def _left(tries: Tries, now: dt.datetime, cap: dt.timedelta | None) -> dt.timedelta:
    if tries.last_wrong_at is None:
        return dt.timedelta(0)
    return max(dt.timedelta(0), tries.last_wrong_at + wait_after(tries.wrong, cap) - now)


def whole_seconds(wait: dt.timedelta) -> int:
    """A wait as the whole seconds a person is told (rounded up: never 'try again in 0 seconds')."""
    return max(1, math.ceil(wait.total_seconds()))


def left_before_lock(wrong: int) -> int:
    """Wrong PINs a member may still type before the next one locks them."""
    return max(0, LOCK_AFTER - wrong)


def locks(wrong: int) -> bool:
    """True if a member with `wrong` wrong PINs in a row is locked."""
    return wrong >= LOCK_AFTER
