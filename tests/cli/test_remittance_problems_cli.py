"""A file refused for many bad lines (a remittance re-sent after payment, a decisions file):
one line with the count, the first five and where the full list went; every line in that file."""

from __future__ import annotations

import stat

import pytest

from tests.cli.test_finance_cli import cli, log  # noqa: F401 (fixtures)
from tests.conftest import error_line


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_paid_remittance_sent_again_is_summarised_with_the_full_list_beside_it(cli, tmp_path):
    references = [log(cli, 3 + n) for n in range(2)]
    for reference in references:
        assert cli("4001", "claims", "approve", reference).exit_code == 0
    assert cli("4001", "claims", "export", "--out", str(tmp_path / "batch.csv")).exit_code == 0
    remittance = tmp_path / "remit.csv"
    junk = [f"NOT-A-REF-{n},10.00" for n in range(6)]
    paid = f"reference,amount\n{references[0]},30.00\n{references[1]},40.00\n"
    remittance.write_text(paid)
    assert cli("4001", "claims", "paid", "--file", str(remittance)).exit_code == 0
    remittance.write_text(paid + "\n".join(junk))  # sent again, with six lines nobody can read

    again = error_line(cli("4001", "claims", "paid", "--file", str(remittance)))
    listed = tmp_path / "remit.csv.errors.txt"
    assert "8 bad line(s), nothing marked paid" in again and f"all 8 are listed in {listed}" in again
    assert f"line 2: {references[0]} is already paid" in again and "line 6: 'NOT-A-REF-2'" in again
    assert "line 7:" not in again and len(again) < 600  # the first five, not all eight
    full = listed.read_text().splitlines()
    assert full[0].endswith("8 bad line(s), nothing marked paid:") and len(full) == 9
    assert full[1] == f"line 2: {references[0]} is already paid" and full[-1].startswith("line 9: 'NOT-A-REF-5'")
    assert stat.S_IMODE(listed.stat().st_mode) == 0o600

    before = listed.read_text()
    error_line(cli("4001", "claims", "paid", "--file", str(remittance)))  # a third time: the list replaced, whole
    assert listed.read_text() == before and not list(tmp_path.glob(".remit.csv.errors.txt.*"))
