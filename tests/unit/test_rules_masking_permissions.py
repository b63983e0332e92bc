"""SPEC 3 and 7: who may do what, and masking of personal data for everyone but finance."""

import pytest

from surrender.rules.masking import mask_all, mask_name, mask_postcode, mask_tail
from surrender.rules.permissions import ALLOWED, ROLES, may, roles_for, sees_decision_trail, sees_personal_data

# --- permissions -------------------------------------------------------------------------

# (action, roles that may do it), as SPEC 3 describes each role.
EXPECTED = {
    "log": {"desk"},
    "show": {"desk", "finance", "manager", "admin", "property"},
    "receipt": {"desk", "manager"},
    "void": {"manager"},
    "recent": {"desk", "manager"},
    "status": {"desk", "finance", "manager", "admin", "property"},
    "claims.list": {"finance", "manager"},
    "claims.approve": {"finance", "manager"},
    "claims.reject": {"finance", "manager"},
    "claims.export": {"finance"},
    "claims.paid": {"finance"},
    "claims.set_payment": {"finance"},
    "claims.batches": {"finance", "manager"},
    "claims.status": {"desk", "finance", "manager"},
    "report": {"manager", "finance"},
    "audit": {"manager", "admin"},
    "staff": {"admin"},
    "campaign.register": {"admin"},
    "db.upgrade": {"admin"},
    "purge": {"admin"},
    "db.backup": {"admin"},
    "db.force_role": {"admin"},
    "audit.baseline": {"admin"},
    "audit.verify": {"manager", "admin", "national"},  # issue 15: national checks every force's chain
    "own-pin": {"desk", "finance", "manager", "admin"},
    "claims.add_evidence": {"desk", "finance", "manager"},  # at the counter later, or finance on the phone
    "claims.evidence": {"finance", "manager"},  # receipts and statements: personal, for those who decide
    "claims.pack": {"finance"},
    "claims.decisions": {"finance"},
    "claims.dispute": {"finance", "manager"},
    "db.modulus_tables": {"admin"},
    "own-pin": {"desk", "finance", "manager", "admin", "property", "national"},
    # custody and destruction (issue 16): the property role is the store officer
    "custody.scan": {"property", "desk"},
    "custody.move": {"property", "desk"},
    "custody.where": {"property", "desk", "manager"},
    "custody.check": {"property"},
    "custody.locations": {"property", "desk", "manager", "admin"},
    "custody.location_add": {"property", "admin"},
    "custody.never_received": {"manager"},
    "custody.retained": {"manager"},
    "destruction.new": {"property"},
    "destruction.add": {"property"},
    "destruction.seal": {"property"},
    "destruction.confirm": {"property"},
    "destruction.list": {"property", "manager"},
    "report.custody": {"property", "manager"},
    # issue 15: forces and stations; the national role sees figures by force and nothing else
    "force.add": {"admin"},
    "force.list": {"admin", "national"},
    "station.add": {"admin"},
    "station.update": {"admin"},
    "station.close": {"admin"},
    "station.list": {"desk", "finance", "manager", "admin", "property"},
    "report.forces": {"manager", "admin", "national"},
    "report.return": {"manager", "admin"},  # the force's scheme return file (no personal data)
    "booking.add": {"desk", "manager"},
    "booking.list": {"desk", "manager"},
}


def test_the_roles_are_desk_finance_manager_admin_property_and_national():
    assert ROLES == ("desk", "finance", "manager", "admin", "property", "national")


def test_the_national_role_changes_nothing_and_reads_no_claim_or_personal_data():
    assert {action for action, roles in EXPECTED.items() if "national" in roles} == {
        "own-pin", "force.list", "report.forces", "audit.verify"}  # verify: chains' counts and verdicts only


def test_every_role_may_change_its_own_pin_but_only_an_admin_anyone_elses():
    assert roles_for("own-pin") == set(ROLES)
    assert roles_for("staff") == {"admin"}


def test_every_action_has_an_expected_set_of_roles():
    assert set(ALLOWED) == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_a_role_may_do_exactly_the_actions_the_spec_gives_it(role, action):
    assert may(role, action) is (role in EXPECTED[action])
    assert (role in roles_for(action)) is (role in EXPECTED[action])


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("desk", "log", True),
        ("desk", "receipt", True),
        ("desk", "show", True),
        ("desk", "void", False),
        ("desk", "claims.approve", False),
        ("desk", "claims.export", False),
        ("manager", "void", True),
        ("manager", "log", False),
        ("manager", "claims.export", False),
        ("manager", "report", True),
        ("finance", "claims.approve", True),
        ("finance", "claims.export", True),
        ("finance", "claims.paid", True),
        ("finance", "void", False),
        ("finance", "log", False),
        ("admin", "staff", True),
        ("admin", "db.upgrade", True),
        ("admin", "log", False),
        ("admin", "claims.approve", False),
    ],
)
def test_headline_permissions_read_as_sentences(role, action, allowed):
    assert may(role, action) is allowed


def test_an_unknown_role_may_do_nothing():
    assert not any(may("cleaner", action) for action in ALLOWED)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        may("admin", "launch-missiles")


@pytest.mark.parametrize("action", ["show", "claims.export", "claims.list"])
def test_finance_alone_sees_personal_data(action):
    assert sees_personal_data("finance", action) is True
    for role in ("desk", "manager", "admin"):
        assert sees_personal_data(role, action) is False


@pytest.mark.parametrize("action", ["report", "receipt", "log", "audit", "claims.status"])
def test_even_finance_sees_personal_data_masked_outside_show_list_and_export(action):
    assert sees_personal_data("finance", action) is False


@pytest.mark.parametrize(("role", "sees"), [("finance", True), ("manager", True), ("desk", False), ("admin", False)])
def test_only_the_roles_that_decide_claims_see_who_decided_and_why(role, sees):
    assert sees_decision_trail(role) is sees


# --- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Jane Smith", "J*** S****"),
        ("Jane", "J***"),
        ("J", "J"),
        ("Jean-Luc  Picard", "J******* P*****"),
        ("", ""),
        (None, None),
    ],
)
def test_a_name_is_masked_to_its_initials(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("postcode", "masked"),
    [("CB1 1JG", "CB1 ***"), ("SW1A 1AA", "SW1A ***"), ("CB11JG", "CB***"), ("", ""), (None, None)],
)
def test_a_postcode_is_masked_to_its_district(postcode, masked):
    assert mask_postcode(postcode) == masked


@pytest.mark.parametrize(
    ("value", "keep", "masked"),
    [
        ("12345678", 2, "******78"),
        ("12-34-56", 2, "******56"),
        ("12345678", 4, "****5678"),
        ("7", 2, "7"),
        ("", 2, ""),
        (None, 2, None),
    ],
)
def test_an_account_number_is_masked_to_its_last_digits(value, keep, masked):
    assert mask_tail(value, keep) == masked


@pytest.mark.parametrize(("value", "masked"), [("jane@example.org", "***"), ("01733 561111", "***"), ("", ""),
                                               (None, None)])
def test_other_personal_data_is_masked_completely(value, masked):
    assert mask_all(value) == masked


@pytest.mark.parametrize("secret", ["Jane Smith", "12345678", "CB1 1JG"])
def test_masking_never_reveals_the_whole_value(secret):
    for masked in (mask_name(secret), mask_tail(secret), mask_all(secret)):
        assert masked != secret
