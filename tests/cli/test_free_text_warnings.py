"""Staff are told, where they type a reason or a note, to say what happened and not who
(issue 18.2): a name typed there outlives the claimant's record until purge."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from surrender.cli import app


@pytest.mark.parametrize("command", [("claims", "approve"), ("claims", "reject"), ("claims", "dispute"), ("void",),
                                     ("log",)])
def test_every_free_text_option_warns_against_personal_details(command):
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "not who: no names, addresses, phone numbers or bank details" in text or "never its owner" in text
