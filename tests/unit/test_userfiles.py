"""Reading people's files: every surprise is a one-line refusal naming the file and line."""

from __future__ import annotations

import pytest

from surrender.errors import Refused
from surrender.rules.bounds import MAX_CELL_CHARS, MAX_TOML_NESTING, check_toml_shape, clip, whole_number
from surrender.userfiles import CsvFile, read_text_file

COLUMNS = ("kind", "blade_length", "description")


def csv_file(tmp_path, content: bytes | str, name: str = "items.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def rows(path, known=COLUMNS, required=("kind",)):
    return list(CsvFile(path, "items file", known, required))


def test_rows_come_with_their_physical_line_numbers_and_blank_rows_are_skipped(tmp_path):
    path = csv_file(tmp_path, "kind,blade_length\r\nzombie-knife,10in\r\n,\r\nzombie-machete,\"2\n0in\"\r\nx,1\r\n")
    assert rows(path) == [(2, {"kind": "zombie-knife", "blade_length": "10in"}),
                          (5, {"kind": "zombie-machete", "blade_length": "2\n0in"}),
                          (6, {"kind": "x", "blade_length": "1"})]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = csv_file(tmp_path, "\ufeffKind , Blade_Length\nk,1\n")
    assert rows(path) == [(2, {"kind": "k", "blade_length": "1"})]


def test_a_latin_1_file_is_refused_naming_the_line(tmp_path):
    path = csv_file(tmp_path, "kind,description\nk,fine\nk,caf\xe9\n".encode("latin-1"))
    with pytest.raises(Refused, match=r"items.csv line 3: not UTF-8 text \(byte 0xe9 at column 6\)"):
        rows(path)


def test_bad_utf_8_far_down_a_big_file_is_named_by_its_line_after_the_rows_before_it(tmp_path):
    body = b"".join(b"k,%d\n" % n for n in range(100_000)) + b"k,caf\xe9\n"
    path = csv_file(tmp_path, b"kind,description\n" + body)
    seen = []
    with pytest.raises(Refused, match=r"items.csv line 100002: not UTF-8 text \(byte 0xe9 at column 6\)"):
        for line, _ in CsvFile(path, "items file", COLUMNS, ("kind",)):
            seen.append(line)
    assert seen[-1] == 100_001


@pytest.mark.parametrize("odd", ["\u2028", "\x0c", "\x85", "\x1e"])
def test_characters_python_treats_as_line_breaks_stay_inside_their_cell(tmp_path, odd):
    path = csv_file(tmp_path, f"kind,description\nk,a{odd}b\nk,\"c\rd\"\n")
    assert rows(path) == [(2, {"kind": "k", "description": f"a{odd}b"}), (3, {"kind": "k", "description": "c\rd"})]


def test_a_bare_carriage_return_in_an_unquoted_cell_is_refused_naming_its_line(tmp_path):
    path = csv_file(tmp_path, "kind,description\nk,fine\nk,a\rb\n")
    with pytest.raises(Refused, match="items.csv line 3: new-line character seen in unquoted field"):
        rows(path)


@pytest.mark.parametrize("header, message", [
    ("kind,kind\n", "column.s. named twice: kind"),
    ("blade_length\n", "the header needs the column.s. kind"),
    ("kind,colour\n", "unknown column.s. 'colour'"),
])
def test_a_bad_header_is_refused_when_the_file_is_opened(tmp_path, header, message):
    with pytest.raises(Refused, match="line 1: " + message):
        CsvFile(csv_file(tmp_path, header + "k,1\n"), "items file", COLUMNS, ("kind",))


@pytest.mark.parametrize("content", ["", "\n", " , \n"])
def test_an_empty_file_is_refused(tmp_path, content):
    with pytest.raises(Refused, match="empty file; the first line must name the columns"):
        CsvFile(csv_file(tmp_path, content), "items file", COLUMNS, ("kind",))


@pytest.mark.parametrize("line", ["k,1,extra", "k"])
def test_a_ragged_row_is_refused_naming_its_line(tmp_path, line):
    path = csv_file(tmp_path, f"kind,blade_length\nk,1\n{line}\n")
    with pytest.raises(Refused, match="line 3: .* cells for 2 columns"):
        rows(path)


@pytest.mark.parametrize("size", [MAX_CELL_CHARS + 1, 200_000])
def test_an_oversized_cell_is_refused_not_parsed(tmp_path, size):
    path = csv_file(tmp_path, "kind,description\nk," + "x" * size + "\n")
    with pytest.raises(Refused, match="line 2: "):
        rows(path)


def test_an_unclosed_quote_is_a_refusal(tmp_path):
    path = csv_file(tmp_path, 'kind,description\nk,"a"b\n')
    with pytest.raises(Refused, match="line 2: "):
        rows(path)


def test_any_columns_may_come_when_none_are_listed_but_required_ones_must(tmp_path):
    path = csv_file(tmp_path, "reference,payee,amount\nTW,x,1\n")
    assert rows(path, known=None, required=("reference", "amount")) == [
        (2, {"reference": "TW", "payee": "x", "amount": "1"})]


def test_a_folder_or_missing_file_is_refused(tmp_path):
    with pytest.raises(Refused, match="is a folder"):
        CsvFile(tmp_path, "items file", COLUMNS)
    with pytest.raises(Refused, match="cannot read items file"):
        CsvFile(tmp_path / "none.csv", "items file", COLUMNS)


def test_a_text_file_over_its_limit_is_refused_before_reading(tmp_path):
    path = csv_file(tmp_path, "x" * 101, "c.toml")
    with pytest.raises(Refused, match="is 101 bytes; the most is 100"):
        read_text_file(path, "campaign file", max_bytes=100)
    assert read_text_file(csv_file(tmp_path, "\ufeffa = 1\n", "d.toml"), "campaign file") == "a = 1\n"


@pytest.mark.parametrize("text", ["a = " + "[" * 10_000 + "]" * 10_000, "a = " + "{b=" * 5_000 + "1" + "}" * 5_000])
def test_toml_nested_deeper_than_the_limit_is_refused_before_parsing(text):
    with pytest.raises(Refused, match=f"nests deeper than {MAX_TOML_NESTING}"):
        check_toml_shape(text)


def test_brackets_inside_toml_strings_and_comments_do_not_count():
    check_toml_shape('a = "' + "[" * 100 + '"\nb = \'\'\'' + "{" * 100 + "'''\n# " + "[" * 100 + "\n[[kinds]]\nx = [[1]]")


@pytest.mark.parametrize("text", ["9" * 5000, "1" * 13, "-1", "1.5", "²", " "])
def test_whole_numbers_are_bounded_by_length_before_int(text):
    with pytest.raises(Refused):
        whole_number(text, "quantity", 1_000_000)


def test_whole_number_edges():
    assert whole_number(" 1000000 ", "quantity", 1_000_000) == 1_000_000
    with pytest.raises(Refused, match="out of range"):
        whole_number("1000001", "quantity", 1_000_000)
    with pytest.raises(Refused, match="out of range"):
        whole_number("0", "quantity", 10, minimum=1)


def test_error_messages_quote_a_huge_value_cut_short():
    assert len(clip("x" * 100_000)) <= 40


def test_a_line_seen_before_is_reused_but_never_inside_a_quoted_cell(tmp_path):
    """Unquoted lines are parsed once and reused (a stock list repeats a few dozen lines); a
    copy of such a line inside a multi-line quoted cell stays part of that cell."""
    path = csv_file(tmp_path, 'kind,description\nk,a\nk,"x\nk,a\ny"\nk,a\n\nk,a\n')
    assert rows(path) == [(2, {"kind": "k", "description": "a"}), (5, {"kind": "k", "description": "x\nk,a\ny"}),
                          (6, {"kind": "k", "description": "a"}), (8, {"kind": "k", "description": "a"})]


def test_a_repeated_line_with_a_bad_cell_count_is_refused_at_its_first_line(tmp_path):
    path = csv_file(tmp_path, "kind,description\nk,a\nk,a,b\nk,a\nk,a,b\n")
    with pytest.raises(Refused, match="items.csv line 3: 3 cells for 2 columns"):
        rows(path)


def test_an_items_file_with_many_bad_lines_is_refused_once_with_every_line_counted_and_five_shown(tmp_path):
    from surrender.errors import BadLines
    from surrender.items_csv import ItemsFile

    path = csv_file(tmp_path, "kind,blade_length,plain_edge\n" + "zombie-knife,10in,yes\n"
                    + "zombie-knife,10in,perhaps\n" * 6 + "zombie-knife,10in,yes,extra\n")
    with pytest.raises(BadLines) as caught:
        list(ItemsFile(path))
    refused = caught.value
    assert refused.count == 7 and refused.problems[0].startswith("line 3: plain_edge must be yes or no")
    assert refused.problems[-1] == "line 9: 4 cells for 3 columns"
    told = str(refused)
    assert told.startswith(f"{path}: 7 bad line(s), nothing saved; the full list could not be written (give --errors")
    assert "\n" not in told and told.count("plain_edge must be yes or no") == 5
