"""SPEC 3: every member acts with a PIN; wrong PINs slow them down and ten in a row lock the
account until an admin unlocks it; PINs are changed, members deactivated and stations granted only as allowed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from sqlalchemy import select, text, update

from surrender import db
from surrender.errors import Forbidden, Refused
from surrender.models import AuditEvent, Staff
from surrender.rules.items import item_from_spec
from surrender.services.auth import AccountLocked, PinRequired, RoleRefused
from surrender.services.context import Context
from surrender.rules.lockout import FREE_TRIES, LOCK_AFTER, wait_after
from surrender.services.pins import hash_pin
from surrender.services.reading import show_surrender
from surrender.services.staff import add_staff, deactivate_staff, list_staff, set_pin, unlock_staff, update_staff
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import PINS, as_staff, in_session

WRONG = "999999"


def knife() -> LogRequest:
    return LogRequest(items=[item_from_spec("zombie-knife:10in:plain:point")], anonymous=True)


def member(url: str, number: str) -> Staff:
    return in_session(url, lambda s: s.execute(select(Staff).where(Staff.number == number)).scalar_one(), write=False)


def actions(url: str) -> list[tuple[str, str]]:
    return in_session(url, lambda s: [(e.action, e.detail) for e in s.execute(
        select(AuditEvent).order_by(AuditEvent.id)).scalars()], write=False)


def wrong_try(ctx: Context) -> Forbidden:
    with pytest.raises(Forbidden) as refusal:
        show_surrender(replace(ctx, pin=WRONG), "TW-Z24-000001-X")
    return refusal.value


# --- lockout (the waits, the lock at the fifth and parallel tries: test_lockout.py) -------------


def lock(ctx: Context, number: str) -> None:
    """Ten wrong PINs in a row for `number`, each after its wait (ctx.now is the test's clock)."""
    for wrong in range(1, LOCK_AFTER + 1):
        wrong_try(as_staff(ctx, number))
        ctx.now.now += wait_after(wrong)  # type: ignore[attr-defined]


def test_wrong_pins_are_counted_although_each_command_is_refused_and_rolled_back(ctx):
    before = len(actions(ctx.url))
    for expected in (1, 2):
        wrong_try(ctx)
        assert member(ctx.url, "2001").failed_pins == expected
    assert [a for a, _ in actions(ctx.url)[before:]] == ["refused"] * 2


def test_the_right_pin_resets_the_count_so_only_wrong_pins_in_a_row_count(ctx):
    wrong_try(ctx)
    assert log_surrender(ctx, knife()).reference
    assert member(ctx.url, "2001").failed_pins == 0
    wrong_try(ctx)
    assert member(ctx.url, "2001").failed_pins == 1 and member(ctx.url, "2001").locked_at is None


def test_an_admin_unlocks_a_locked_member_who_then_acts_again_and_both_are_audited(ctx):
    lock(ctx, "2001")
    admin = as_staff(ctx, "1")
    row = unlock_staff(admin, "2001")
    assert not row.locked and member(ctx.url, "2001").failed_pins == 0
    assert log_surrender(ctx, knife()).reference
    names = [a for a, _ in actions(ctx.url)]
    assert names.index("staff.locked") < names.index("staff.unlocked")
    with pytest.raises(Refused, match="staff member 2001 is not locked"):
        unlock_staff(admin, "2001")


def test_only_an_admin_may_unlock(ctx):
    lock(ctx, "3001")
    with pytest.raises(RoleRefused, match="staff needs the admin role; 5001 is manager"):
        unlock_staff(as_staff(ctx, "5001"), "3001")
    assert member(ctx.url, "3001").locked_at is not None


GUESSER = textwrap.dedent("""
    import datetime as dt, sys
    from surrender.errors import Refused
    from surrender.services.context import Context
    from surrender.services.reading import show_surrender

    url, tries, me = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    now = dt.datetime(2024, 9, 10, 13, 0, tzinfo=dt.UTC)  # one instant for every process
    for n in range(tries):
        try:
            show_surrender(Context(url=url, staff="3001", pin="99999" + str(n), now=lambda: now,
                                   terminal="desk-" + me), "TW-Z24-000001-X")
        except Refused as exc:
            print(type(exc).__name__, flush=True)
""")


def test_guesses_from_parallel_processes_never_get_past_the_free_tries(db_url):
    processes = [subprocess.Popen([sys.executable, "-c", GUESSER, db_url, "2", str(n)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for n in range(4)]
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outcomes += out.split()
    assert len(outcomes) == 8
    wrong = [detail for action, detail in actions(db_url)
             if action == "refused" and detail.startswith('{"reason":"wrong PIN')]
    assert len(wrong) == FREE_TRIES  # exactly two PINs were ever checked; every other try met the wait
    assert sorted(outcomes) == ["RoleRefused"] * FREE_TRIES + ["TooSoon"] * (8 - FREE_TRIES)
    assert member(db_url, "3001").failed_pins == FREE_TRIES


# --- hashes ----------------------------------------------------------------------------------


def test_an_old_scrypt_hash_still_verifies_and_becomes_argon2id_on_success(ctx):
    salt = os.urandom(16)
    old = f"scrypt${2**14}$8$1${salt.hex()}${hashlib.scrypt(b'2468', salt=salt, n=2**14, r=8, p=1).hex()}"
    db.run(ctx.url, lambda s: s.execute(update(Staff).where(Staff.number == "2001").values(pin_hash=old)))
    wrong_try(ctx)
    assert member(ctx.url, "2001").pin_hash == old
    assert log_surrender(replace(ctx, pin="2468"), knife()).reference
    assert member(ctx.url, "2001").pin_hash.startswith("$argon2id$")
    assert log_surrender(replace(ctx, pin="2468"), knife()).reference


SIGN_IN = textwrap.dedent("""
    import sys
    from surrender.services.context import Context
    from surrender.services.staff import list_staff, set_pin

    url, pin, new_pin = sys.argv[1], sys.argv[2], sys.argv[3]
    list_staff(Context(url=url, staff="1", pin=pin))
    set_pin(Context(url=url, staff="1", pin=pin), "2001", new_pin)
""")


def test_no_setting_from_outside_makes_the_tool_store_a_cheaper_hash(db_url):
    """The removed test switch, set in the environment, changes nothing: the admin's stored hash
    is left as it was and a PIN set meanwhile is hashed at full cost."""
    before = member(db_url, "1").pin_hash
    env = {**os.environ, "SURRENDER_TESTS_ONLY_WEAK_PIN_HASH": "1"}
    done = subprocess.run([sys.executable, "-c", SIGN_IN, db_url, PINS["1"], "246802"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert member(db_url, "1").pin_hash == before
    assert member(db_url, "2001").pin_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_the_old_test_switch_wrote_is_replaced_at_full_cost_and_other_hashes_are_kept(ctx):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PINS["2001"])
    db.run(ctx.url, lambda s: s.execute(update(Staff).where(Staff.number == "2001").values(pin_hash=weak)))
    full = replace(ctx, pin_hasher=hash_pin)  # what the installed tool hashes with
    assert log_surrender(full, knife()).reference
    assert member(ctx.url, "2001").pin_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "staff.pin_rehashed" in [a for a, _ in actions(ctx.url)]
    kept = member(ctx.url, "3001").pin_hash  # a test's cheap hash (m=64): verified as made, never rewritten
    assert log_surrender(as_staff(full, "3001", station="PK"), knife()).reference
    assert member(ctx.url, "3001").pin_hash == kept


def test_a_member_with_no_pin_hash_cannot_act_until_an_admin_sets_one(ctx):
    db.run(ctx.url, lambda s: s.execute(update(Staff).where(Staff.number == "2001").values(pin_hash=None)))
    with pytest.raises(Forbidden, match="has no PIN yet: an admin sets one with `surrender staff set-pin 2001`"):
        log_surrender(ctx, knife())
    set_pin(as_staff(ctx, "1"), "2001", "246810")
    assert log_surrender(replace(ctx, pin="246810"), knife()).reference


# --- set-pin, add, deactivate ----------------------------------------------------------------


def test_a_member_changes_their_own_pin_with_their_current_one(ctx):
    set_pin(ctx, None, "135791")
    with pytest.raises(Forbidden, match="wrong PIN"):
        log_surrender(ctx, knife())
    assert log_surrender(replace(ctx, pin="135791"), knife()).reference
    assert ("staff.pin_set", '{"number":"2001","own":true}') in actions(ctx.url)


def test_an_admin_sets_anyones_pin_but_nobody_else_may(ctx):
    with pytest.raises(RoleRefused, match="staff needs the admin role; 2001 is desk"):
        set_pin(ctx, "3001", "135791")
    set_pin(as_staff(ctx, "1"), "3001", "135791")
    assert log_surrender(as_staff(ctx, "3001", pin="135791", station="PK"), knife()).reference


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12345a", "", " 123456"])
def test_a_pin_is_six_to_twelve_digits(ctx, pin):
    with pytest.raises(Refused):
        set_pin(ctx, None, pin)
    with pytest.raises(Refused):
        add_staff(as_staff(ctx, "1"), "7001", "Pat New", "desk", "TW", pin)


def test_every_member_added_needs_a_pin_desk_included(ctx):
    with pytest.raises(Refused, match="7001 needs a PIN"):
        add_staff(as_staff(ctx, "1"), "7001", "Pat New", "desk", "TW", None)


def test_a_deactivated_member_is_refused_and_the_last_admin_cannot_be_deactivated(ctx):
    admin = as_staff(ctx, "1")
    assert not deactivate_staff(admin, "2001").active
    with pytest.raises(Forbidden, match="staff member 2001 is no longer active"):
        log_surrender(ctx, knife())
    with pytest.raises(Refused, match="1 is the last active admin: add another admin first"):
        deactivate_staff(admin, "1")
    add_staff(admin, "9", "Second Admin", "admin", None, "909090")
    assert not deactivate_staff(admin, "1").active
    assert [a for a, _ in actions(ctx.url)].count("staff.deactivated") == 2


def test_the_last_admin_cannot_be_demoted_either(ctx):
    with pytest.raises(Refused, match="last active admin"):
        update_staff(as_staff(ctx, "1"), "1", role="desk")
    assert member(ctx.url, "1").role == "admin"


# --- stations --------------------------------------------------------------------------------


def test_a_desk_officer_logs_only_at_their_own_station_until_an_admin_grants_another(ctx):
    before = len(actions(ctx.url))
    with pytest.raises(RoleRefused) as refusal:
        log_surrender(replace(ctx, station="PK"), knife())
    assert str(refusal.value).startswith("staff member 2001 may log surrenders only at TW, not at PK")
    assert [a for a, _ in actions(ctx.url)[before:]] == ["refused"]
    row = update_staff(as_staff(ctx, "1"), "2001", stations=["TW", "PK"])
    assert row.stations == "TW,PK"
    assert log_surrender(replace(ctx, station="PK"), knife()).reference.startswith("PK-Z24-000001-")
    update_staff(as_staff(ctx, "1"), "2001", stations=[])
    with pytest.raises(RoleRefused, match="only at TW"):
        log_surrender(replace(ctx, station="PK"), knife())


def test_a_manager_voids_only_their_own_stations_surrenders_unless_granted(ctx):
    parkside = log_surrender(as_staff(ctx, "3001", station="PK"), knife()).reference
    manager = as_staff(ctx, "5001")
    with pytest.raises(RoleRefused, match="5001 may void surrenders only at TW, not at PK"):
        void_surrender(manager, parkside, "logged twice")
    update_staff(as_staff(ctx, "1"), "5001", stations=["PK"])
    assert void_surrender(manager, parkside, "logged twice").voided_at is not None


def test_granting_an_unknown_station_is_refused_and_changes_nothing(ctx):
    with pytest.raises(Refused, match="no station 'XX'"):
        update_staff(as_staff(ctx, "1"), "2001", stations=["PK", "XX"])
    assert {r.number: r.stations for r in list_staff(as_staff(ctx, "1"))}["2001"] == "TW"


def test_staff_changes_are_audited_without_names(ctx):
    admin = as_staff(ctx, "1")
    update_staff(admin, "2001", stations=["PK"], name="Samira Patel")
    detail = [d for a, d in actions(ctx.url) if a == "staff.updated"][0]
    assert '"stations":["PK"]' in detail and "Samira" not in detail


# --- the database file -----------------------------------------------------------------------


def test_a_new_sqlite_database_and_its_wal_and_shm_are_owner_only_whatever_the_umask(tmp_path):
    from surrender.migrate import upgrade

    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    old = os.umask(0)
    try:
        upgrade(url)
        db.run(url, lambda s: s.execute(text("SELECT 1")))  # a pooled connection keeps -wal and -shm open
        for name in (path, tmp_path / "new.db-wal", tmp_path / "new.db-shm"):
            assert os.stat(name).st_mode & 0o777 == 0o600, name
    finally:
        os.umask(old)
        db.dispose(url)


def test_a_database_file_others_could_read_is_made_owner_only_on_first_connection(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    os.chmod(path, 0o644)
    url = f"sqlite:///{path}"
    try:
        db.run(url, lambda s: s.execute(text("SELECT 1")), write=False)
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        db.dispose(url)


def test_a_pin_is_needed_even_for_reading(ctx):
    with pytest.raises(PinRequired):
        list_staff(as_staff(ctx, "1", pin=None))


def test_a_database_from_before_pin_counters_is_upgraded_by_its_admin_with_the_old_scrypt_pin(tmp_path):
    from surrender.migrate import upgrade
    from surrender.services.schema import upgrade_schema

    url = f"sqlite:///{tmp_path / 'old.db'}"
    salt = os.urandom(16)
    old = f"scrypt${2**14}$8$1${salt.hex()}${hashlib.scrypt(b'2468', salt=salt, n=2**14, r=8, p=1).hex()}"
    try:
        upgrade(url, "0001")
        db.run(url, lambda s: s.execute(text(
            "INSERT INTO staff (number, name, role, pin_hash, active, created_at) "
            "VALUES ('1', 'Alex Admin', 'admin', :h, true, '2024-01-01 00:00:00')"), {"h": old}))
        with pytest.raises(Forbidden, match="wrong PIN for staff member 1"):
            upgrade_schema(Context(url=url, staff="1", pin="1357"))
        assert upgrade_schema(Context(url=url, staff="1", pin="2468"))[0] == "0001"
        assert list_staff(Context(url=url, staff="1", pin="2468"))[0].pin
        assert member(url, "1").pin_hash.startswith("$argon2id$")
    finally:
        db.dispose(url)


# --- preparation while the PIN is checked ------------------------------------------------------


def test_work_done_while_the_pin_is_checked_never_lets_a_wrong_pin_through(ctx):
    """`log` loads the receipt stack while argon2 runs; the answer still decides, both ways."""
    ran = []
    with pytest.raises(RoleRefused, match="wrong PIN for staff member 2001"):
        log_surrender(replace(ctx, pin=WRONG, while_pin_checks=lambda: ran.append("wrong")), knife())
    assert member(ctx.url, "2001").failed_pins == 1
    view = log_surrender(replace(ctx, while_pin_checks=lambda: ran.append("right")), knife())
    assert ran == ["wrong", "right"] and view.reference.startswith("TW-Z24-")
    assert member(ctx.url, "2001").failed_pins == 0


def test_a_failure_while_the_pin_is_checked_stops_the_command_before_anything_is_saved(ctx):
    def broken() -> None:
        raise ImportError("no module named reportlab")

    with pytest.raises(ImportError, match="reportlab"):
        log_surrender(replace(ctx, while_pin_checks=broken), knife())
    assert "surrender.logged" not in [a for a, _ in actions(ctx.url)]
