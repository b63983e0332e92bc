"""What an officer types at the `surrender desk` prompt between surrenders."""

import pytest

from surrender.cli.desk_session import Choice, parse_choice
from surrender.errors import Refused


@pytest.mark.parametrize(("typed", "choice"), [
    ("", Choice("new")),
    ("   ", Choice("new")),
    ("new", Choice("new")),
    ("show tw-z24-000001-n", Choice("show", "tw-z24-000001-n")),
    ("S  TW-Z24-000001-N ", Choice("show", "TW-Z24-000001-N")),
    ("reprint TW-Z24-000001-N", Choice("reprint", "TW-Z24-000001-N")),
    ("recent", Choice("recent")),
    ("QUIT", Choice("quit")),
    ("?", Choice("help")),
])
def test_a_typed_line_is_one_desk_command(typed, choice):
    assert parse_choice(typed) == choice


@pytest.mark.parametrize(("typed", "message"), [
    ("show", "show needs a reference"),
    ("reprint", "reprint needs a reference"),
    ("recent TW-Z24-000001-N", "recent takes no reference"),
    ("void TW-Z24-000001-N", "'void' is not a desk command"),
    ("[red]x[/red]", "is not a desk command"),
])
def test_a_line_that_is_not_a_desk_command_is_refused_with_the_menu(typed, message):
    with pytest.raises(Refused) as refused:
        parse_choice(typed)
    assert message in str(refused.value)
