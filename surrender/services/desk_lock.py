"""What a long desk session checks before it acts again for its officer: that the PIN it was
opened with is still theirs (so a PIN changed elsewhere ends the session instead of counting
the old one as wrong guesses), and, after the desk was left idle, the PIN asked again."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from surrender import db
from surrender.services.auth import audit_refusals, sign_in
from surrender.store.staff import find_staff

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from surrender.services.context import Context

DEFAULT_LOCK_AFTER = dt.timedelta(minutes=5)


def pin_stamp(ctx: Context) -> str:
    """A digest of the acting member's stored PIN hash: it differs once their PIN is changed,
    so a session can tell without trying the PIN it holds (which would count as wrong)."""

    def read(conn: Connection) -> str:
        stored = find_staff(conn, ctx.staff or "").pin_hash
        return hashlib.sha256((stored or "").encode()).hexdigest()

    return db.run(ctx.url, read, write=False)


def sign_in_again(ctx: Context, action: str = "log") -> None:
    """Forget the PIN this context holds and sign the member in afresh (the PIN asked through
    ctx.pin_prompt): a wrong one counts and is audited like any wrong PIN."""
    ctx.pin = None
    ctx.signed_in.clear()
    audit_refusals(ctx, lambda: sign_in(ctx, action))
