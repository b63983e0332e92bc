"""`claims status` as the desk reads it (issues 14, 17, 18.3): a Home Office claim says where it
stands with the payer; too many misses end in one line, never a traceback."""

from __future__ import annotations

import re

import pytest
from conftest import PINS
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import error_line
from tests.integration.test_claim_pack import packed

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def status(ctx):
    def run(reference, postcode, *more):
        env = {"SURRENDER_DATABASE_URL": ctx.url, "SURRENDER_STAFF": "2001", "SURRENDER_PIN": PINS["2001"],
               "SURRENDER_STATION": None}
        return CliRunner().invoke(app, ["claims", "status", reference, "--postcode", postcode, *more], env=env,
                                  catch_exceptions=False)
    return run


def test_a_packed_claim_reads_with_the_home_office_since_the_day_it_went(ctx, tmp_path, status):
    (reference,) = packed(ctx, tmp_path)
    found = status(reference, "CB1 1JG")
    assert found.exit_code == 0, found.output
    assert found.stdout.splitlines()[0] == f"{reference}  with the Home Office since 10 Sep 2024"
    data = status(reference, "CB1 1JG", "--format", "json").stdout
    assert '"standing": "with the Home Office since 10 Sep 2024"' in data and '"status": "exported"' in data


def test_the_sixth_miss_in_an_hour_is_one_line_saying_when_to_try_again(ctx, tmp_path, status):
    (reference,) = packed(ctx, tmp_path)
    for guess in ("CB1 1JA", "CB1 1JB", "CB1 1JD", "CB1 1JE", "CB1 1JF"):
        assert "no match: check both" in error_line(status(reference, guess))
    assert re.fullmatch(  # the command's own clock: the time is an hour after the first miss
        r"Error: claims status: 5 lookups by staff member 2001 matched nothing in the last hour; "
        r"try again after \d\d:\d\d \(each miss counts: check the receipt first\)", error_line(status(reference, "CB1 1JG")))
