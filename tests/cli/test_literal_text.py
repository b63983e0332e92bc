"""People's text is printed as typed: never read as Rich markup, never a terminal command."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from surrender.cli.output import console, printable, styled
from tests.cli.test_finance_cli import cli, log  # noqa: F401  (fixtures)

HOSTILE = ["[/]", "[note]", "[bold red]x[/bold red]", "[link=http://x]y[/link]", ":smile:", "a\\[b"]


@pytest.mark.parametrize("text", HOSTILE)
def test_styled_keeps_markup_like_text_literally(text):
    out = Console(file=io.StringIO(), width=200, markup=False)
    out.print(styled(("Claimant:", "bold"), " ", text))
    assert out.file.getvalue().rstrip("\n") == f"Claimant: {text}"


def test_the_console_prints_markup_like_table_cells_literally(capsys):
    from rich.table import Table

    table = Table()
    table.add_column("name")
    for text in HOSTILE:
        table.add_row(text)
    console().print(table)
    shown = capsys.readouterr().out
    for text in HOSTILE:
        assert text in shown


@pytest.mark.parametrize("raw, shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"),       # clear-screen escape
    ("paid\rvoid", "paid\\x0dvoid"),   # carriage return overwriting the line
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("two\nlines\tand tab", "two\nlines\tand tab"),
])
def test_control_characters_are_shown_as_visible_codes(raw, shown):
    assert printable(raw) == shown


def test_a_reject_reason_with_markup_is_stored_and_shown_exactly(cli):
    reference = log(cli)
    reason = "told the claimant [note] see [/] form"
    result = cli("4001", "claims", "reject", reference, "--reason", reason)
    assert result.exit_code == 0, result.output
    assert reason in result.stdout


def test_a_name_with_markup_shows_the_saved_reference(cli):
    result = cli("2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--name", "Jo [/] Bloggs [b]",
                 "--address", "1 High Street", "--postcode", "CB1 1JG", "--no-claim",
                 "--item", "zombie-knife:10in:plain:point:serrated=3in")
    assert result.exit_code == 0, result.output
    assert "Saved" in result.stdout and "TW-Z24-000001-" in result.stdout


def test_an_error_naming_a_markup_like_value_is_one_literal_line(cli):
    result = cli("2001", "show", "[/]TW-Z24")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "[/]" in lines[0]
