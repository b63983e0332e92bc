"""`--print` and SURRENDER_PRINTER: receipts reach CUPS `lp`, and a failed job loses nothing.

A stand-in `lp` on PATH records the argv it got and a copy of the file it was given.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from surrender.cli.printing import expand_bare_print
from surrender.errors import Refused
from surrender.services.printing import check_printer_name, lp_command
from tests.conftest import PINS

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
LOG = ["log", "--at", "2024-09-02 10:00", "--anonymous", "--item", KNIFE, "--item", KNIFE]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # printing happens after the commit


def stand_in_lp(bin_dir: Path, record: Path, exit_code: int = 0, said: str = "") -> None:
    """An `lp` that writes its arguments (one a line) and a copy of its last argument."""
    bin_dir.mkdir(exist_ok=True)
    lp = bin_dir / "lp"
    lp.write_text("#!/bin/sh\n"
                  f'printf "%s\\n" "$@" > "{record}/argv"\n'
                  'for last; do :; done\n'
                  f'{shutil.which("cp")} "$last" "{record}/printed.pdf"\n'
                  + (f'echo "{said}" >&2\nexit {exit_code}\n' if exit_code else
                     'echo "request id is Desk_1-42 (1 file(s))"\n'))
    lp.chmod(0o755)


@pytest.fixture
def printing(db_url, tmp_path):
    record = tmp_path / "lp-record"
    record.mkdir()
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_STATION": "TW",
           "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PIN": PINS["2001"],
           "SURRENDER_PRINTER": None, "PATH": str(tmp_path / "bin")}

    def invoke(*args, **extra):
        return CliRunner().invoke(app, list(args), env={**env, **extra}, catch_exceptions=False)

    invoke.record = record
    invoke.bin = tmp_path / "bin"
    return invoke


def argv(record: Path) -> list[str]:
    return (record / "argv").read_text().splitlines()


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf.read_bytes()))


def test_print_sends_the_whole_receipt_to_the_default_printer(printing):
    stand_in_lp(printing.bin, printing.record)
    result = printing(*LOG, "--format", "json", "--print")
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)  # stdout stays pure JSON; the printer's answer goes to stderr
    assert argv(printing.record) == ["-t", f"Receipt {view['reference']}", view["receipt"]]
    assert (printing.record / "printed.pdf").read_bytes() == Path(view["receipt"]).read_bytes()
    assert "request id is Desk_1-42" in result.stderr


def test_a_configured_printer_prints_every_receipt_unless_told_not_to(printing):
    stand_in_lp(printing.bin, printing.record)
    result = printing(*LOG, SURRENDER_PRINTER="Desk_1")
    assert result.exit_code == 0, result.output
    assert argv(printing.record)[:2] == ["-d", "Desk_1"] and "Sent" in result.stdout
    (printing.record / "argv").unlink()
    assert printing(*LOG, "--print", "none", SURRENDER_PRINTER="Desk_1").exit_code == 0
    assert not (printing.record / "argv").exists()


def test_print_tags_sends_the_retained_copy_alone(printing, tmp_path):
    stand_in_lp(printing.bin, printing.record)
    result = printing(*LOG, "--print", "tags", "--format", "json")
    view = json.loads(result.stdout)
    tags = tmp_path / "receipts" / f"{view['reference']}-tags.pdf"
    assert argv(printing.record) == ["-t", f"Tags {view['reference']}", str(tags)]
    assert (printing.record / "printed.pdf").read_bytes() == tags.read_bytes()
    assert pages(tags) < pages(Path(view["receipt"]))


def test_a_refused_job_warns_in_one_line_and_the_surrender_stays_saved(printing):
    stand_in_lp(printing.bin, printing.record, exit_code=1, said="lp: The printer or class does not exist.")
    result = printing(*LOG, "--format", "json", "--print", "--printer", "Nowhere")
    assert result.exit_code == 0  # saved: a script must not log it again
    reference = json.loads(result.stdout)["reference"]
    warning = result.stderr.strip()
    assert warning.count("\n") == 0 and warning.startswith("Warning:")
    assert f"{reference} is saved but was not printed" in warning
    assert "printer Nowhere refused the job (lp exit 1: lp: The printer or class does not exist.)" in warning
    assert f"surrender receipt {reference} --print" in warning
    assert printing("show", reference).exit_code == 0


def test_a_machine_without_lp_says_so_and_keeps_the_surrender(printing):
    result = printing(*LOG, "--print")  # PATH holds no lp at all
    assert result.exit_code == 0
    assert "not printed: the `lp` command (CUPS) is not installed" in result.stderr
    assert "Traceback" not in result.output


def test_reprinting_to_a_printer_fails_with_exit_1_when_the_job_is_refused(printing, tmp_path):
    stand_in_lp(printing.bin, printing.record, exit_code=1, said="lp: Unable to print: printer is stopped")
    reference = json.loads(printing(*LOG, "--format", "json").stdout)["reference"]
    result = printing("receipt", "--print", "tags", reference)
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "printer is stopped" in result.stderr
    assert (tmp_path / "receipts" / f"{reference}-reprint.pdf").exists()


def test_a_bare_print_before_the_reference_prints_the_reprint(printing, tmp_path):
    stand_in_lp(printing.bin, printing.record)
    reference = json.loads(printing(*LOG, "--format", "json").stdout)["reference"]
    result = printing("receipt", "--print", reference, "--printer", "Desk_1")
    assert result.exit_code == 0, result.output
    reprint = tmp_path / "receipts" / f"{reference}-reprint.pdf"
    assert argv(printing.record) == ["-d", "Desk_1", "-t", f"Receipt {reference}", str(reprint)]


@pytest.mark.parametrize("name", ["-o evil", "two words", "a/b", "a#b", "tab\there", "-dOther", ""])
def test_a_printer_name_that_is_not_a_queue_is_refused_before_lp_runs(name, backend):
    with pytest.raises(Refused):
        lp_command(Path("r.pdf"), "Receipt X", name or " ")
    with pytest.raises(Refused):
        check_printer_name(name)


def test_a_bare_print_means_both_copies_and_a_choice_is_kept(backend):
    assert expand_bare_print(["log", "--print"]) == ["log", "--print=all"]
    assert expand_bare_print(["receipt", "--print", "TW-1"]) == ["receipt", "--print=all", "TW-1"]
    assert expand_bare_print(["log", "--print", "--item", "x"]) == ["log", "--print=all", "--item", "x"]
    assert expand_bare_print(["log", "--print", "tags"]) == ["log", "--print", "tags"]
