"""The modulus tables in use (the newest loaded by `db modulus-tables`, else the package's own),
loading newer published ones, and checking a pair against them inside a transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from surrender import db, tables
from surrender.errors import Refused
from surrender.rules.claimant import check_bank_pair
from surrender.rules.modulus import MAX_TABLE_BYTES, ModulusTables, built_in, parse_tables
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

table_c = tables.modulus_table.c


_READ: dict[str, ModulusTables] = {}  # by SHA-256: each loaded table is read from the database once


def tables_in(conn: Connection) -> ModulusTables | None:
    """The newest loaded tables, or None: the package's own are in use."""
    newest = conn.execute(select(table_c.id, table_c.sha256).order_by(table_c.id.desc()).limit(1)).one_or_none()
    if newest is None:
        return None
    found = _READ.get(newest.sha256)
    if found is None:
        row = conn.execute(
            select(table_c.name, table_c.weights, table_c.substitutions).where(table_c.id == newest.id)
        ).one()
        found = _READ[newest.sha256] = ModulusTables(row.weights, row.substitutions, row.name)
    return found


def tables_for(ctx: Context) -> ModulusTables | None:
    """`tables_in` in a read transaction of its own (public reference data: no sign-in)."""
    return db.run(ctx.url, tables_in, write=False)


def check_pair_in(conn: Connection, sort_code: str | None, account_number: str | None) -> str | None:
    """`rules.claimant.check_bank_pair` against the tables in use: refuses a failing pair,
    returns the warning for an unknown sort code."""
    if not (sort_code and account_number):
        return None
    return check_bank_pair(sort_code, account_number, tables_in(conn))


# --- `db modulus-tables DIR` -------------------------------------------------------------------

WEIGHT_NAMES = ("valacdos", "weights")  # Vocalink's name, and uk-mod-check's
SUBSTITUTION_NAMES = ("scsubtab", "subs")


@dataclass(frozen=True)
class LoadedTables:
    name: str
    rules: int
    substitutions: int
    sha256: str
    new: bool  # False: these exact tables were already in use


def _pick(folder: Path, stems: tuple[str, ...], what: str) -> Path:
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt" and p.name.lower().startswith(stems)
    )
    if not found:
        raise Refused(
            f"{folder}: no {what} ({' or '.join(s + '*.txt' for s in stems)}) in the folder: download "
            "the modulus checking files from Vocalink (Pay.UK) into it"
        )
    if len(found) > 1:
        raise Refused(f"{folder}: more than one {what}: {', '.join(p.name for p in found)}; keep only the newest")
    return found[0]


def read_folder(folder: Path) -> ModulusTables:
    """The two published files in `folder`, checked line by line."""
    from surrender.userfiles import read_text_file

    folder = Path(folder)
    if not folder.is_dir():
        raise Refused(f"{folder} is not a folder: give the folder holding valacdos*.txt and scsubtab*.txt")
    weights = _pick(folder, WEIGHT_NAMES, "weight table")
    subs = _pick(folder, SUBSTITUTION_NAMES, "substitution table")
    try:
        return parse_tables(
            read_text_file(weights, "weight table", MAX_TABLE_BYTES),
            read_text_file(subs, "substitution table", MAX_TABLE_BYTES),
            f"{weights.name} + {subs.name}",
        )
    except Refused as exc:
        raise Refused(f"{folder}: {exc}") from None


def load_tables(ctx: Context, folder: Path) -> LoadedTables:
    """Admin: put newer published tables into use for every terminal on this database."""
    chosen = read_folder(folder)

    def work(conn: Connection, admin: Row[Any]) -> LoadedTables:
        current = tables_in(conn) or built_in()
        if current.sha256 == chosen.sha256:
            return LoadedTables(current.name, chosen.rule_count, chosen.substitution_count, chosen.sha256, False)
        now = ctx.now()
        ident = conn.execute(
            insert(tables.modulus_table)
            .values(
                loaded_at=now,
                loaded_by=admin.id,
                name=chosen.name,
                weights=chosen.weights,
                substitutions=chosen.substitutions,
                sha256=chosen.sha256,
                rules=chosen.rule_count,
            )
            .returning(table_c.id)
        ).scalar_one()
        audit.record(
            conn,
            now,
            admin.id,
            "modulus.tables_loaded",
            "modulus",
            ident,
            {
                "sha256": chosen.sha256,
                "rules": chosen.rule_count,
                "substitutions": chosen.substitution_count,
                "previous_sha256": current.sha256,
            },
        )
        return LoadedTables(chosen.name, chosen.rule_count, chosen.substitution_count, chosen.sha256, True)

    return perform(ctx, "db.modulus_tables", work)
