"""SPEC 3: desk officers log, and managers void, only at their own station and those granted."""

import pytest

from surrender.rules.permissions import station_refusal, stations_allowed


def test_the_own_station_comes_first_then_the_granted_ones_each_once():
    assert stations_allowed("TW", ["PK", "TW", "PK"]) == ("TW", "PK")
    assert stations_allowed(None, ["PK"]) == ("PK",)
    assert stations_allowed(None, []) == ()


@pytest.mark.parametrize(("role", "action"), [("desk", "log"), ("manager", "void")])
def test_a_member_may_act_at_their_own_station(role, action):
    assert station_refusal("2001", role, action, "TW", "TW", []) is None


@pytest.mark.parametrize(("role", "action"), [("desk", "log"), ("manager", "void")])
def test_a_member_may_act_at_a_station_an_admin_granted(role, action):
    assert station_refusal("2001", role, action, "PK", "TW", ["PK"]) is None


def test_a_station_code_is_compared_without_regard_to_case():
    assert station_refusal("2001", "desk", "log", "pk", "TW", ["PK"]) is None


def test_a_desk_officer_is_refused_at_another_station_in_one_line_naming_theirs():
    reason = station_refusal("2001", "desk", "log", "PK", "TW", [])
    assert reason.startswith("staff member 2001 may log surrenders only at TW, not at PK;")
    assert "surrender staff update 2001 --stations" in reason
    assert "\n" not in reason


def test_a_manager_is_refused_voiding_another_stations_surrender():
    assert "may void surrenders only at TW, not at PK" in station_refusal("5001", "manager", "void", "PK", "TW", [])


def test_the_refusal_lists_every_station_the_member_may_use():
    assert "only at PK, TW, not at XX" in station_refusal("9", "desk", "log", "XX", "PK", ["TW"])


def test_a_member_with_no_station_may_act_nowhere_until_granted():
    assert "at no station yet" in station_refusal("2001", "desk", "log", "TW", None, [])


@pytest.mark.parametrize(("role", "action"), [("desk", "show"), ("desk", "receipt"), ("manager", "report"),
                                              ("finance", "claims.approve"), ("admin", "staff"),
                                              ("manager", "log"), ("desk", "void")])
def test_actions_not_bound_to_a_station_are_left_to_the_role_table(role, action):
    assert station_refusal("1", role, action, "PK", "TW", []) is None
