"""The desk's lock with an injected clock (no waiting): an answer typed `lock_after` or more
after its question asks the PIN first, a wrong PIN there counts like any other, and a PIN
changed elsewhere ends the session without trying the old PIN."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from surrender import db, tables
from surrender.cli.desk_session import Desk, SessionOver
from surrender.services.auth import sign_in
from surrender.services.staff import set_pin
from tests.conftest import PINS, as_staff


def failed_pins(ctx) -> int:
    return db.run(ctx.url, lambda conn: conn.execute(
        select(tables.staff.c.failed_pins).where(tables.staff.c.number == "2001")).scalar_one(), write=False)


def a_desk(ctx, typed: list[str]) -> tuple[Desk, list[str]]:
    asked: list[str] = []

    def pin_prompt(label: str) -> str:
        asked.append(label)
        return typed.pop(0)

    ctx.pin_prompt = pin_prompt
    sign_in(ctx, "log")
    desk = Desk(ctx, "a4", lock_after=dt.timedelta(minutes=5), pause=lambda wait: setattr(ctx.now, "now", ctx.now.now + wait))
    desk.signed_in()
    return desk, asked


def answered_after(ctx, wait: dt.timedelta, answer: str = "10in"):
    def read() -> str:
        ctx.now.now += wait  # the officer takes this long to answer
        return answer

    return read


def test_an_answer_within_the_lock_time_is_used_without_asking_the_pin(ctx):
    desk, asked = a_desk(ctx, [])
    assert desk.read_guarded(answered_after(ctx, dt.timedelta(minutes=4, seconds=59))) == "10in"
    assert asked == []


def test_an_answer_after_the_lock_time_asks_the_pin_first_and_a_wrong_one_counts(ctx):
    desk, asked = a_desk(ctx, ["999999", PINS["2001"]])
    assert desk.read_guarded(answered_after(ctx, dt.timedelta(minutes=5))) == "10in"
    assert asked == ["PIN for staff 2001", "PIN for staff 2001"]
    assert failed_pins(ctx) == 0  # the right PIN after one wrong one resets the count, as anywhere


def test_five_wrong_pins_at_the_lock_lock_the_account_and_end_the_session(ctx):
    desk, _ = a_desk(ctx, ["999999"] * 5)
    with pytest.raises(SessionOver, match="locked after 5 wrong PINs"):
        desk.read_guarded(answered_after(ctx, dt.timedelta(hours=1)))


def test_a_pin_changed_elsewhere_ends_the_session_without_counting_the_old_pin(ctx):
    desk, asked = a_desk(ctx, [])
    set_pin(as_staff(ctx, "1"), "2001", "246810")
    with pytest.raises(SessionOver, match="PIN was changed elsewhere"):
        desk.check_pin_unchanged()
    with pytest.raises(SessionOver, match="PIN was changed elsewhere"):  # also when the desk was left
        desk.read_guarded(answered_after(ctx, dt.timedelta(hours=1)))
    assert asked == [] and failed_pins(ctx) == 0
