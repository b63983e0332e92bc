"""Isolation below the tool (issue 15 point 3): on one PostgreSQL, Cambridgeshire and
Bedfordshire each have a database role mapped by `db force-role`; connected as its role, the
tool signs a member in with no --force (row security shows that role only its force's staff)
and every command works within that force; through raw SQL each role reads and writes its
force's rows alone and cannot plant a row for the other force; the national role reads only
the force_totals view. `db backup --force` writes one force's data alone.

The matrix: 2 roles x 2 forces x 10 commands (own force: works and shows only its rows; the
other force's members: cannot sign in through this role), plus 2 roles x every force-owned table
x SELECT/UPDATE/DELETE/INSERT (+ moving an own row to the other force), plus the national role
against every table and the view.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from surrender import db, tables
from surrender.errors import NotFound, Refused
from surrender.services.audit_log import verify
from surrender.services.claims import ClaimFilter, approve_claim, list_claims
from surrender.services.context import Context
from surrender.services.custody import where
from surrender.services.export import export_claims
from surrender.services.force_backup import backup_force
from surrender.services.force_roles import map_force_role
from surrender.services.payments import mark_paid
from surrender.services.reading import show_surrender
from surrender.services.recent import recent_surrenders
from surrender.services.reports import totals
from surrender.store.row_security import force_owned_tables, policed_tables
from tests.conftest import PINS
from tests.integration.test_export_and_payment import write_remittance
from tests.integration.test_forces import BEDS_PINS, DAY, Forces, _log, forces  # noqa: F401 (fixture)

PASSWORD = "rls-test-secret"
OTHER = {"CAMBS": "BEDS", "BEDS": "CAMBS"}


def _root(url: str):
    return db.get_engine(url)


def _role_url(url: str, role: str) -> str:
    """The same database over TCP as `role` with its password (the socket only takes peer auth)."""
    return make_url(url).set(username=role, password=PASSWORD, host="127.0.0.1", query={}).render_as_string(
        hide_password=False)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Roles:
    """A database role per force (and a national one), made for this test and dropped after."""

    def __init__(self, forces: Forces):
        suffix = uuid.uuid4().hex[:8]
        self.forces = forces
        self.name = {"CAMBS": f"cambs_app_{suffix}", "BEDS": f"beds_app_{suffix}", "national": f"nat_{suffix}"}
        self.url = {force: _role_url(forces.url, role) for force, role in self.name.items()}

    def staff(self, role_force: str, force: str) -> dict[str, Context]:
        """`force`'s members as contexts connected as `role_force`'s role, naming no force."""
        members = self.forces.cambs if force == "CAMBS" else self.forces.beds
        return {n: replace(c, url=self.url[role_force], force=None if force == role_force else force)
                for n, c in members.items()}


@pytest.fixture
def roles(forces):  # noqa: F811 (the fixture imported above)
    made = Roles(forces)
    with _root(forces.url).begin() as conn:
        for role in made.name.values():
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'"))
    try:
        map_force_role(forces.cambs["1"], "CAMBS", made.name["CAMBS"])
        map_force_role(forces.beds["1"], "BEDS", made.name["BEDS"])
        map_force_role(forces.cambs["1"], "national", made.name["national"])
        yield made
    finally:
        for url in made.url.values():
            db.dispose(url)
        with _root(forces.url).begin() as conn:
            for role in made.name.values():
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))


@pytest.fixture
def both(forces, roles, tmp_path):  # noqa: F811
    """Each force has logged one surrender (3 items: CAMBS at TW, 4 items: BEDS at LU), as owner."""
    refs = {"CAMBS": _log(forces.cambs["2001"], 3), "BEDS": _log(forces.beds["2001"], 4, postcode="LU1 1AA")}
    return refs


def _export(staff: dict[str, Context], tmp_path: Path, ref: str, name: str):
    approve_claim(staff["4001"], ref)
    return export_claims(staff["4001"], tmp_path / f"{name}.csv")


def _pay(staff: dict[str, Context], tmp_path: Path, ref: str) -> int:
    """Export the claim, then mark it paid from a remittance of the amount exported."""
    pence = _export(staff, tmp_path, ref, "r").rows[0].amount_pence
    remittance = write_remittance(tmp_path / "remit.csv", [(ref, f"{pence // 100}.{pence % 100:02d}")])
    return mark_paid(staff["4001"], remittance).count


COMMANDS = {  # each: runs as `staff` (one force's members through one role), returns what it shows
    "log": lambda s, ref, tmp: _log(s["2001"], 2)[:2],
    "show": lambda s, ref, tmp: show_surrender(s["4001"], ref).reference,
    "recent": lambda s, ref, tmp: [r.reference for r in recent_surrenders(s["2001"], DAY).rows],
    "claims list": lambda s, ref, tmp: [r.reference for r in list_claims(s["4001"], ClaimFilter())],
    "approve": lambda s, ref, tmp: (approve_claim(s["4001"], ref), str(show_surrender(s["4001"], ref).claim.status))[1],
    "export": lambda s, ref, tmp: (lambda e: (e.batch, [r.reference for r in e.rows]))(_export(s, tmp, ref, "e")),
    "remittance": lambda s, ref, tmp: _pay(s, tmp, ref),
    "report totals": lambda s, ref, tmp: [(r["force"], r["items"]) for r in totals(s["5001"], ["force"]).rows],
    "audit verify": lambda s, ref, tmp: verify(s["5001"]).problem,
    "custody where": lambda s, ref, tmp: where(s["2001"], f"{ref}/1").exhibit.tag,
}


def expected(command: str, force: str, ref: str):
    items = {"CAMBS": 3, "BEDS": 4}[force]
    return {
        "log": {"CAMBS": "TW", "BEDS": "LU"}[force], "show": ref, "recent": [ref], "claims list": [ref],
        "approve": "approved", "export": (1, [ref]), "remittance": 1, "report totals": [(force, items)],
        "audit verify": None, "custody where": f"{ref}/1",
    }[command]


AUDIT_SHARED = pytest.mark.xfail("force_code" not in tables.audit_event.c, strict=True, reason="one audit chain for every force until the per-force "
                                  "chains land (issue 15 point 4): a force's role cannot see the others' records")


@pytest.mark.parametrize("command", [pytest.param(c, marks=AUDIT_SHARED) if c == "audit verify" else c
                                     for c in COMMANDS])
def test_the_tool_as_a_forces_role_works_within_that_force_and_no_other_forces_member_signs_in(
        both, roles, command, tmp_path):
    for role_force in ("CAMBS", "BEDS"):
        own = roles.staff(role_force, role_force)
        ref = both[role_force]
        shown = COMMANDS[command](own, ref, tmp_path / role_force)
        assert shown == expected(command, role_force, ref), (role_force, command)
        theirs = roles.staff(role_force, OTHER[role_force])
        with pytest.raises(NotFound, match=f"no staff member with number .* in force {OTHER[role_force]}"):
            COMMANDS[command](theirs, both[OTHER[role_force]], tmp_path / f"x-{role_force}")


@pytest.fixture(autouse=True)
def _dirs(tmp_path):
    for name in ("CAMBS", "BEDS", "x-CAMBS", "x-BEDS"):
        (tmp_path / name).mkdir(exist_ok=True)


def test_a_forces_role_cannot_reach_the_others_reference_through_the_tool(both, roles):
    beds = roles.staff("BEDS", "BEDS")
    with pytest.raises(NotFound, match="no surrender with reference"):
        show_surrender(beds["4001"], both["CAMBS"])
    with pytest.raises(NotFound):
        approve_claim(beds["4001"], both["CAMBS"])


def test_a_bank_account_shared_with_another_forces_claimant_flags_neither_claim(both, forces):
    """Pattern checks look across stations, never across forces: both claims share account
    12345678 under different postcodes, yet neither force's claim names the other's."""
    for staff, ref in ((forces.cambs, both["CAMBS"]), (forces.beds, both["BEDS"])):
        claim = show_surrender(staff["4001"], ref).claim
        assert claim.flags == [], ref


# --- raw SQL as each database role ---------------------------------------------------------------

def _as(url: str, sql: str) -> tuple[str, object]:
    """Run one statement as the role of `url` in its own transaction: ('ok', rows affected or the
    first value) or ('refused', the server's message)."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        try:
            cursor = conn.execute(sql)
        except psycopg.Error as exc:
            return "refused", str(exc).splitlines()[0]
        if cursor.description is not None:
            return "ok", cursor.fetchone()[0]
        return "ok", cursor.rowcount


def test_raw_sql_as_each_role_reads_and_writes_only_its_forces_rows(both, roles, forces, tmp_path):
    _export(forces.cambs, tmp_path, both["CAMBS"], "cambs")  # a batch, claim states, more audit
    _export(forces.beds, tmp_path, both["BEDS"], "beds")
    with _root(forces.url).connect() as conn:
        owned = force_owned_tables(conn)
        counts = {(t, f): conn.execute(text(f"SELECT count(*) FROM {t} WHERE force_code = :f"), {"f": f}).scalar_one()
                  for t in owned for f in ("CAMBS", "BEDS")}
    assert len(owned) >= 20
    assert sum(1 for t in owned if counts[(t, "CAMBS")] and counts[(t, "BEDS")]) >= 10  # rows on both sides
    cells = 0
    for force in ("CAMBS", "BEDS"):
        url, other = roles.url[force], OTHER[force]
        for table in owned:
            assert _as(url, f"SELECT count(*) FROM {table}") == ("ok", counts[(table, force)]), (force, table)
            assert _as(url, f"SELECT count(*) FROM {table} WHERE force_code = '{other}'") == ("ok", 0)
            for change in (f"UPDATE {table} SET force_code = force_code WHERE force_code = '{other}'",
                           f"DELETE FROM {table} WHERE force_code = '{other}'"):
                outcome, said = _as(url, change)  # no row of theirs to change, or no such grant at all
                assert (outcome, said) == ("ok", 0) or "permission denied" in str(said), (force, table, said)
            outcome, said = _as(url, f"INSERT INTO {table} (force_code) VALUES ('{other}')")
            assert (outcome, said) == ("refused", f'new row violates row-level security policy for table "{table}"')
            outcome, said = _as(url, f"INSERT INTO {table} (force_code) VALUES ('{force}')")
            assert outcome == "refused" and "row-level security" not in str(said)  # past the policy, short of data
            if counts[(table, force)]:
                outcome, said = _as(url, f"UPDATE {table} SET force_code = '{other}'")
                assert outcome == "refused", (force, table, said)
                assert "row-level security" in str(said) or "permission denied" in str(said), (force, table, said)
            cells += 1
    with _root(forces.url).connect() as conn:  # nothing changed on either side
        assert counts == {(t, f): conn.execute(text(f"SELECT count(*) FROM {t} WHERE force_code = :f"),
                                              {"f": f}).scalar_one() for t in owned for f in ("CAMBS", "BEDS")}
    assert cells == 2 * len(owned)


def test_the_national_role_reads_only_figures_by_force(both, roles, forces):
    url = roles.url["national"]
    with _root(forces.url).connect() as conn:
        every = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
    for table in every:
        outcome, said = _as(url, f"SELECT count(*) FROM {table}")
        assert outcome == "refused" and "permission denied" in str(said), table
    with psycopg.connect(_conninfo(url)) as conn:
        rows = conn.execute("SELECT force, surrenders, items FROM force_totals ORDER BY force").fetchall()
        columns = [c.name for c in conn.execute("SELECT * FROM force_totals").description]
    assert rows == [("BEDS", 1, 4), ("CAMBS", 1, 3)]
    assert columns == ["force", "surrenders", "items", "claims", "claimed", "payable"]


def test_every_force_owned_table_has_forced_row_security_and_both_policies(db_url, backend):
    if backend != "postgresql":
        pytest.skip("row security is PostgreSQL's")
    with _root(db_url).connect() as conn:
        policed = policed_tables(conn)
        owned = force_owned_tables(conn)
    assert {t: policed[t] for t in owned} == {t: (True, ["force_rows", "owner_rows"]) for t in owned}
    assert {"staff", "station", "surrender", "claimant", "claim"} <= set(owned)


# --- db force-role refusals ------------------------------------------------------------------------

def test_force_role_is_refused_on_sqlite_with_a_pointer(tmp_path):
    ctx = Context(url=f"sqlite:///{tmp_path / 'x.db'}", staff="1", pin=PINS["1"])
    with pytest.raises(Refused, match="db force-role is for PostgreSQL: a SQLite file is one force"):
        map_force_role(ctx, "CAMBS", "cambs_app")


def test_force_role_refuses_another_forces_admin_a_missing_role_and_a_second_force(forces, roles):  # noqa: F811
    with pytest.raises(Refused, match="own force \\(BEDS\\), not to CAMBS"):
        map_force_role(forces.beds["1"], "CAMBS", roles.name["BEDS"])
    with pytest.raises(NotFound, match="no database role 'nobody_at_all'"):
        map_force_role(forces.beds["1"], "BEDS", "nobody_at_all")
    with pytest.raises(Refused, match=f"role {roles.name['CAMBS']} works for CAMBS already"):
        map_force_role(forces.cambs["1"], "national", roles.name["CAMBS"])
    again = map_force_role(forces.beds["1"], "BEDS", roles.name["BEDS"])
    assert (again.force, again.newly) == ("BEDS", False)
    with pytest.raises(Refused, match="needs the database owner's connection"):
        map_force_role(replace(forces.beds["1"], url=roles.url["BEDS"], force=None), "BEDS", roles.name["BEDS"])


# --- db backup --force -----------------------------------------------------------------------------

def test_backup_of_one_force_holds_its_data_alone_and_opens_as_a_database(both, forces, tmp_path):
    out = tmp_path / "beds.db"
    taken = backup_force(forces.beds["1"], "beds", out)
    assert (taken.force, taken.rows["surrender"], taken.rows["force"]) == ("BEDS", 1, 1)
    assert out.stat().st_mode & 0o777 == 0o600
    data = out.read_bytes()
    for theirs in (b"Cambridgeshire Constabulary", b"CAMBS", b"Thorpe Wood", b"Parkside", b"CB1 1JG", b"Sam Patel",
                   both["CAMBS"].encode()):
        assert theirs not in data, theirs
    assert b"Bedfordshire Police" in data and both["BEDS"].encode() in data and b"LU1 1AA" in data
    with sqlite3.connect(out) as copy:
        assert copy.execute("SELECT reference FROM surrender").fetchall() == [(both["BEDS"],)]
    reader = Context(url=f"sqlite:///{out}", staff="4001", pin=BEDS_PINS["4001"])
    assert [r.reference for r in list_claims(reader, ClaimFilter())] == [both["BEDS"]]
    db.dispose(reader.url)


def test_backup_of_another_force_is_refused_and_writes_nothing(both, forces, tmp_path):
    with pytest.raises(Refused, match="own force \\(BEDS\\), not CAMBS"):
        backup_force(forces.beds["1"], "CAMBS", tmp_path / "c.db")
    assert not (tmp_path / "c.db").exists()
