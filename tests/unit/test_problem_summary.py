"""Long lists of bad lines (cli/problems.py): a short list is told whole, a long one is
summarised with the full list written beside the refused file, or in the temporary folder."""

from __future__ import annotations

from pathlib import Path

from surrender.cli.problems import describe, problems_path
from surrender.errors import BadLines, Refused


def test_a_short_list_is_told_whole_and_writes_no_file(tmp_path):
    refusal = BadLines(f"{tmp_path}/d.csv: 2 bad line(s), nothing recorded", ["line 2: a", "line 3: b"],
                       str(tmp_path / "d.csv"))
    assert describe(refusal) == f"{tmp_path}/d.csv: 2 bad line(s), nothing recorded:\n  line 2: a\n  line 3: b"
    assert list(tmp_path.iterdir()) == []
    assert describe(Refused("plain")) == "plain"


def test_a_folder_that_takes_no_new_file_sends_the_list_to_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "not-a-folder").write_text("")
    refusal = BadLines("x.csv: 6 bad line(s)", [f"line {n}: bad" for n in range(2, 8)],
                       str(tmp_path / "not-a-folder" / "x.csv"))
    assert f"listed in {tmp_path / 'tmp' / 'x-problems.txt'}" in describe(refusal)
    assert (tmp_path / "tmp" / "x-problems.txt").read_text().splitlines()[-1] == "line 7: bad"


def test_the_list_is_named_after_the_refused_file():
    assert problems_path(Path("/data/remit.csv"), 1) == Path("/data/remit-problems.txt")
    assert problems_path(Path("/data/remit.csv"), 3) == Path("/data/remit-problems-3.txt")
