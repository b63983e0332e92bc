"""A campaign code means one set of rules, for good (issue 7, build 5): a preset's code never
holds a file's other rules, and a registered code's text never changes once a surrender uses it."""

from __future__ import annotations

from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from surrender import db
from surrender.errors import Refused
from surrender.models import AuditEvent, CampaignRecord
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.campaigns import register_file
from surrender.services.surrenders import LogRequest, log_surrender
from tests.conftest import as_staff


def preset_text(code: str) -> str:
    return resources.files("surrender.campaigns").joinpath(f"{code}.toml").read_text("utf-8")


def swords_file(tmp_path: Path, standard: str = "5.00", name: str = "swords.toml") -> Path:
    """The ninja-2025 rules under the code swords-2026, open in September 2024 (the tests' NOW)."""
    path = tmp_path / name
    path.write_text(preset_text("ninja-2025").replace('code = "ninja-2025"', 'code = "swords-2026"')
                    .replace('reference_prefix = "N25"', 'reference_prefix = "S26"')
                    .replace("2025-07-01", "2024-09-01").replace("2025-07-31", "2024-09-30")
                    .replace("2025-03-27", "2024-08-01").replace('standard = "5.00"', f'standard = "{standard}"'))
    return path


def stored(url: str) -> dict[str, str]:
    return dict(db.run(url, lambda s: s.execute(select(CampaignRecord.code, CampaignRecord.sha256)).all(), write=False))


def actions(url: str) -> list[str]:
    return db.run(url, lambda s: s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all(),
                  write=False)


def zombie_knives(ctx, qty: int = 3) -> int:
    who = make_claimant("Jane Smith", "1 High Street", "CB1 1JG")
    request = LogRequest(items=[item_from_spec(f"zombie-knife:10in:plain:point:serrated=3in:qty={qty}")],
                         claimant=who, declared=True)
    return log_surrender(ctx, request).claim.payable_pence


@pytest.mark.parametrize("preset", ["zombie-2024", "ninja-2025"])
def test_a_file_with_other_rules_under_a_preset_code_is_refused_and_the_preset_still_pays(ctx, tmp_path, preset):
    path = tmp_path / "mine.toml"
    path.write_text(preset_text(preset).replace('standard = "10.00"', 'standard = "20.00"')
                    .replace('standard = "5.00"', 'standard = "20.00"'))
    before = stored(ctx.url)
    with pytest.raises(Refused, match=f"campaign code {preset} is the preset shipped with surrender; a file with "
                                      "other rules needs a code of its own"):
        register_file(as_staff(ctx, "1"), path)
    assert stored(ctx.url) == before
    if preset == "zombie-2024":
        assert zombie_knives(ctx, 3) == 3 * 1000  # the preset's £10 standard, not the file's £20


def test_a_preset_code_may_be_registered_from_a_file_holding_exactly_the_preset(ctx, tmp_path):
    path = tmp_path / "zombie.toml"
    path.write_text(preset_text("zombie-2024"))
    campaign, new = register_file(as_staff(ctx, "1"), path)
    assert campaign.code == "zombie-2024" and new
    assert register_file(as_staff(ctx, "1"), path) == (campaign, False)


def test_an_admin_may_correct_a_registered_code_no_surrender_has_used_yet(ctx, tmp_path):
    admin = as_staff(ctx, "1")
    register_file(admin, swords_file(tmp_path, "5.00"))
    first = stored(ctx.url)["swords-2026"]
    campaign, changed = register_file(admin, swords_file(tmp_path, "6.00", "corrected.toml"))
    assert changed and stored(ctx.url)["swords-2026"] != first
    assert actions(ctx.url)[-2:] == ["campaign.registered", "campaign.replaced"]


def test_once_a_surrender_uses_a_code_its_rules_never_change(ctx, tmp_path):
    admin = as_staff(ctx, "1")
    register_file(admin, swords_file(tmp_path, "5.00"))
    sword = item_from_spec("ninja-sword:20in:plain:secondary:spine:tanto")
    log_surrender(replace(ctx, campaign="swords-2026"), LogRequest(items=[sword], anonymous=True))
    before = stored(ctx.url)
    with pytest.raises(Refused, match="already registered with different rules and surrenders were logged under it; "
                                      "its rules never change: give the changed scheme a new code"):
        register_file(admin, swords_file(tmp_path, "50.00", "richer.toml"))
    assert stored(ctx.url) == before


def test_a_desk_officer_naming_a_changed_file_never_replaces_the_registered_rules(ctx, tmp_path):
    register_file(as_staff(ctx, "1"), swords_file(tmp_path, "5.00"))
    before = stored(ctx.url)
    changed = swords_file(tmp_path, "50.00", "richer.toml")
    sword = item_from_spec("ninja-sword:20in:plain:secondary:spine:tanto")
    with pytest.raises(Refused, match="already registered with different rules"):
        log_surrender(replace(ctx, campaign=str(changed)), LogRequest(items=[sword], anonymous=True))
    assert stored(ctx.url) == before
