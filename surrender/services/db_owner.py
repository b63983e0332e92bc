"""Who owns the database: the one account that may recover a locked-out last admin.

SQLite: the operating-system user owning the database file (whoever can replace the file can
already do anything to it). PostgreSQL: a connection as the database's owner role (or a role
that is a member of it, superusers included). Nobody else, however they sign in to the tool.
"""

from __future__ import annotations

import os
import pwd

from sqlalchemy import text
from sqlalchemy.engine import Connection

from surrender.errors import Forbidden
from surrender.services.backup import sqlite_path


def require_owner(conn: Connection, url: str) -> str:
    """The owner's name (OS user or role) if this process acts as the database's owner;
    otherwise a refusal that says who the owner is and how to act as them."""
    path = sqlite_path(url)
    if path is None:
        row = conn.execute(
            text(
                "SELECT current_user AS me, pg_get_userbyid(d.datdba) AS owner, "
                "pg_has_role(current_user, d.datdba, 'MEMBER') AS owns "
                "FROM pg_database d WHERE d.datname = current_database()"
            )
        ).one()
        if not row.owns:
            raise Forbidden(
                f"only the database's owner role ({row.owner}) may recover an admin; "
                f"this connection is {row.me}: connect as {row.owner}"
            )
        return f"role {row.me}"
    owner_uid, me = os.stat(path).st_uid, os.geteuid()
    if owner_uid != me:
        raise Forbidden(
            f"only the owner of {path} ({_user(owner_uid)}) may recover an admin; "
            f"you are {_user(me)}: run it as {_user(owner_uid)}"
        )
    return f"user {_user(me)}"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
