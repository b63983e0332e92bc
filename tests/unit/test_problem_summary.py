"""Long lists of bad lines (errors.BadLines, cli/bad_lines.py): told in one line; a short list
whole, a long one as its count, where the whole list went and the first five; the list goes
beside the refused file, or to the temporary folder when that folder takes no file."""

from __future__ import annotations

from surrender.cli.bad_lines import told
from surrender.errors import BadLines, Refused


def test_a_short_list_is_told_whole_on_one_line_and_writes_no_file(tmp_path):
    refusal = BadLines(tmp_path / "d.csv", ["line 2: a", "line 3: b"], outcome="nothing recorded")
    assert told(refusal) == f"{tmp_path}/d.csv: 2 bad line(s), nothing recorded: line 2: a / line 3: b"
    assert list(tmp_path.iterdir()) == []
    assert told(Refused("plain")) == "plain"


def test_a_long_list_is_written_beside_the_file_and_five_are_quoted(tmp_path):
    refusal = BadLines(tmp_path / "remit.csv", [f"line {n}: bad" for n in range(2, 60)], outcome="nothing marked paid")
    message = told(refusal)
    listed = tmp_path / "remit.csv.errors.txt"
    assert message.startswith(f"{tmp_path}/remit.csv: 58 bad line(s), nothing marked paid; all 58 are listed in {listed}")
    assert "\n" not in message and message.count(": bad") == 5 and "line 7: bad" not in message
    assert listed.read_text().splitlines()[1:] == [f"line {n}: bad" for n in range(2, 60)]


def test_a_folder_that_takes_no_new_file_sends_the_list_to_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "not-a-folder").write_text("")
    refusal = BadLines(tmp_path / "not-a-folder" / "x.csv", [f"line {n}: bad" for n in range(2, 8)])
    assert f"listed in {tmp_path / 'tmp' / 'x.csv.errors.txt'}" in told(refusal)
    assert (tmp_path / "tmp" / "x.csv.errors.txt").read_text().splitlines()[-1] == "line 7: bad"
