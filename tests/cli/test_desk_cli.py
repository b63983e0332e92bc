"""The desk commands through the CLI: exact exit codes, one-line errors, JSON per SPEC 5."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
CLAIMANT = ["--name", "Jane Smith", "--address", "1 High Street, Cambridge", "--postcode", "CB1 1JG"]


@pytest.fixture
def cli(db_url, tmp_path):
    runner = CliRunner()
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": "TW",
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": PINS["2001"]}

    def invoke(*args, input=None, **extra_env):
        return runner.invoke(app, list(args), env={**env, **extra_env}, input=input, catch_exceptions=False)
    return invoke


def test_log_with_items_prints_the_spec_json_object(cli):
    result = cli("log", "--at", "2024-09-02 10:00", *CLAIMANT, "--declare", "--item", KNIFE, "--item", KNIFE,
                 "--item", "zombie-machete:20.4cm:plain:point:spikes", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"reference", "campaign", "station", "surrendered_at", "recorded_at", "anonymous",
                         "items", "claim", "receipt"}
    assert data["surrendered_at"] == "2024-09-02T10:00:00+01:00" and data["station"] == "TW"
    assert data["claim"] == {**data["claim"], "status": "pending", "claimed": "30.00", "payable": "30.00"}
    assert [(i["kind"], i["quantity"], i["eligible"], i["compensation"]) for i in data["items"]] == [
        ("zombie-knife", 2, True, "20.00"), ("zombie-machete", 1, True, "10.00")]
    assert data["receipt"].endswith(f"{data['reference']}.pdf")


def test_show_prints_the_same_object_as_log(cli):
    logged = json.loads(cli("log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE,
                            "--format", "json").stdout)
    shown = json.loads(cli("show", logged["reference"], "--format", "json").stdout)
    assert {k: v for k, v in shown.items() if k != "receipt"} == {k: v for k, v in logged.items() if k != "receipt"}
    assert shown["claim"] is None and shown["anonymous"] is True


def test_log_from_an_items_csv_groups_identical_stock_lines(cli, tmp_path):
    items = tmp_path / "stock.csv"
    items.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length,quantity\n"
                     + "zombie-knife,25cm,yes,yes,3in,\n" * 30 + "zombie-knife,7in,yes,yes,,2\n")
    result = cli("log", "--at", "2024-09-02 10:00", *CLAIMANT, "--business", "Blades Ltd", "--declare",
                 "--items", str(items), "--format", "json")
    data = json.loads(result.stdout)
    assert [(i["quantity"], i["eligible"]) for i in data["items"]] == [(30, True), (2, False)]
    assert data["claim"]["payable"] == "300.00" and data["claim"]["flags"]  # more than 20 items


@pytest.mark.parametrize("args, message", [
    (["--at", "2024-09-24 00:00", "--anonymous", "--item", KNIFE], "outside the zombie-2024 window"),
    (["--at", "2030-01-01 00:00", "--anonymous", "--item", KNIFE], "in the future"),
    (["--at", "2024-09-02 10:00", *CLAIMANT, "--item", KNIFE], "--no-claim"),
    (["--at", "2024-09-02 10:00", "--anonymous", "--item", "zombie-sword:10in"], "unknown kind"),
    (["--at", "2024-09-02 10:00", "--anonymous", "--item", "zombie-knife:10 furlongs"], "not a length"),
    (["--at", "2024-09-02 10:00", *CLAIMANT, "--declare", "--item", KNIFE + ":value=10.001:evidence=receipt"],
     "more than 2 decimal places"),
    (["--at", "2024-09-02 10:00", *CLAIMANT, "--declare", "--item", KNIFE + ":value=-5"], "negative"),
    (["--at", "yesterday", "--anonymous", "--item", KNIFE], "yesterday has no time of day"),
    (["--at", "next tuesday", "--anonymous", "--item", KNIFE], "not a date and time"),
    (["--at", "2024-09-02 10:00", "--anonymous"], "no items given"),
])
def test_refusals_exit_1_with_one_line_and_nothing_saved(cli, args, message):
    result = cli("log", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error:") and message in result.stderr
    assert "Traceback" not in result.output
    listing = cli("show", "TW-Z24-000001-" + "0", "--format", "json")
    assert listing.exit_code == 1  # nothing was logged (and a bad check character is refused)


def test_unknown_staff_and_station_are_refused(cli):
    assert "no staff member" in cli("log", "--anonymous", "--item", KNIFE, SURRENDER_STAFF="9").stderr
    assert "no station 'ZZ'" in cli("log", "--anonymous", "--item", KNIFE, SURRENDER_STATION="ZZ").stderr


def test_show_refuses_a_mistyped_reference_with_a_clear_message(cli):
    reference = json.loads(cli("log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE,
                               "--format", "json").stdout)["reference"]
    typo = reference.replace("000001", "000007")
    result = cli("show", typo)
    assert result.exit_code == 1 and "mistyped" in result.stderr


def test_reprint_is_marked_and_written_beside_the_original(cli, tmp_path):
    reference = json.loads(cli("log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE,
                               "--format", "json").stdout)["reference"]
    result = cli("receipt", reference, "--paper", "80mm")
    assert result.exit_code == 0
    assert (tmp_path / "receipts" / f"{reference}-reprint.pdf").exists()
    assert (tmp_path / "receipts" / f"{reference}.pdf").exists()


def test_the_guided_prompts_show_compensation_before_saving(cli, monkeypatch):
    monkeypatch.setattr("surrender.cli.desk.stdin_is_terminal", lambda: True)
    answers = "\n".join([
        "Jane Smith", "1 High Street", "CB1 1JG",  # name, address, postcode
        "", "",                   # claiming with the declaration: yes; phone, email, bank...: no
        "10in", "", "", "3in",    # blade, then plain edge [yes], sharp point [yes], serrated: settled
        "",                       # no more items
        "1", "10in serrated=3in qty=3",  # at the review: change item 1 to three of them
        "",                       # save
    ]) + "\n"
    result = cli("log", "--at", "2024-09-02 10:00", input=answers)
    assert result.exit_code == 0, result.output
    first, preview, saved = result.output.split("Save?", 2)
    assert "eligible, £10.00" in first and "payable £0.00 (not_payable)" in first
    assert "x3" in preview and "eligible, £30.00" in preview and "payable £30.00" in preview
    assert "TW-Z24-000001-" in saved


def test_help_for_every_command_has_an_example_or_description(cli):
    for command in (["log"], ["show"], ["receipt"], ["void"], ["recent"], ["status"], ["desk"],
                    ["staff", "add"], ["campaign", "show"], ["claims", "export"], ["claims", "paid"],
                    ["report", "totals"], ["report", "pdf"], ["audit", "verify"],
                    ["db", "upgrade"], ["demo"]):
        result = cli(*command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
        assert "Example" in result.output, command


def test_a_desk_session_logs_several_surrenders_and_survives_a_refusal(cli, monkeypatch):
    monkeypatch.setattr("surrender.cli.desk.stdin_is_terminal", lambda: True)
    anonymous_knife = ["", "10in serrated=3in", "", ""]  # no name, the item, no more items, save
    answers = "\n".join([
        "", "2024-09-05 11:00", *anonymous_knife,    # Enter at the menu: a new surrender
        "", "2024-09-30 10:00",                      # outside the window: refused at once
        "", "2024-09-06 12:00", *anonymous_knife,    # another
        "quit",
    ]) + "\n"
    result = cli("desk", input=answers)
    assert result.exit_code == 0, result.output
    assert "outside the zombie-2024 window" in result.output
    assert result.output.count("Saved") == 2 and "2 surrender(s) logged" in result.output
    assert "TW-Z24-000002-" in result.output


def test_an_admin_brings_a_campaign_file_into_use_and_the_desk_logs_under_it(cli, tmp_path):
    from importlib import resources

    source = resources.files("surrender.campaigns").joinpath("ninja-2025.toml").read_text("utf-8")
    path = tmp_path / "swords-2026.toml"
    path.write_text(source.replace('code = "ninja-2025"', 'code = "swords-2026"')
                    .replace('reference_prefix = "N25"', 'reference_prefix = "S26"')
                    .replace("2025-07-01", "2024-09-01").replace("2025-07-31", "2024-09-30"))
    assert "campaign show" in cli("campaign", "show", "--help").output
    assert cli("campaign", "show", str(path)).exit_code == 0
    refused = cli("--campaign", str(path), "log", "--at", "2024-09-02 10:00", "--anonymous",
                  "--item", "ninja-sword:20in:plain:secondary:spine:tanto")
    assert refused.exit_code == 1 and "needs the admin role" in refused.stderr
    assert cli("--staff", "1", "campaign", "register", str(path), SURRENDER_PIN=PINS["1"]).exit_code == 0
    logged = cli("--campaign", "swords-2026", "log", "--at", "2024-09-02 10:00", "--anonymous",
                 "--item", "ninja-sword:20in:plain:secondary:spine:tanto", "--format", "json")
    assert json.loads(logged.stdout)["reference"].startswith("TW-S26-000001-")


def test_a_malformed_campaign_file_is_refused_naming_the_problem(cli, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('code = "broken"\nreference_prefix = "B"\n[window]\nopens = 2024-09-01\n')
    result = cli("campaign", "show", str(path))
    assert result.exit_code == 1 and "broken.toml" in result.stderr and "closes" in result.stderr


def test_a_one_day_demo_logs_at_both_stations_with_receipts_for_that_day(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "demo"), "--days", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    receipts = sorted(p.name for p in (tmp_path / "demo" / "receipts").iterdir())
    assert any(r.startswith("PK-") for r in receipts) and any(r.startswith("TW-") for r in receipts)
    assert "over 1 day(s)" in result.output




def _receipts_blocked(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the receipts folder should be")
    return str(blocker / "receipts")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_log_whose_receipt_fails_says_saved_as_the_reference_and_how_to_reprint(cli, tmp_path, fmt):
    result = cli("log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE, "--format", fmt,
                 SURRENDER_RECEIPTS_DIR=_receipts_blocked(tmp_path))
    assert result.exit_code == 0, result.output
    reference = "TW-Z24-000001-" + result.stderr.split("TW-Z24-000001-")[1][0]
    assert result.stderr.startswith(f"Saved as {reference}, but the receipt failed (")
    assert f"reprint with `surrender receipt {reference}`" in result.stderr
    assert reference in result.stdout and cli("show", reference).exit_code == 0
    if fmt == "json":
        assert json.loads(result.stdout)["receipt"] is None


def test_a_desk_session_whose_receipt_fails_keeps_the_surrender_and_goes_on(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("surrender.cli.desk.stdin_is_terminal", lambda: True)
    anonymous_knife = ["", "10in serrated=3in", "", ""]
    answers = "\n".join(["", "2024-09-05 11:00", *anonymous_knife, "", "2024-09-06 12:00", *anonymous_knife,
                         "quit"]) + "\n"
    result = cli("desk", input=answers, SURRENDER_RECEIPTS_DIR=_receipts_blocked(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("but the receipt failed") == 2 and "Saved as TW-Z24-000002-" in result.stderr
    assert "2 surrender(s) logged" in result.stdout


def test_a_saved_surrender_that_cannot_be_shown_still_tells_its_reference(capsys):
    from surrender.cli.saved import tell_saved
    from surrender.services.context import Context
    from surrender.services.receipts import Logged
    from tests.unit.test_receipts import make_view

    def broken(view):
        raise RuntimeError("the terminal went away")
    with pytest.raises(RuntimeError):
        tell_saved(Context(), Logged(make_view()), broken, None, None, "a4")
    assert "Saved as TW-Z24-000017-K." in capsys.readouterr().err
