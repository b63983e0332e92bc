"""Receipts of stored surrenders, read back with pdftotext (issue 14.7): the features that made
each item eligible, what happens next, £0.00 a line when nothing is payable, and a stock claim
on the 80 mm roll as a short summary with its bag tags on A4 beside it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from surrender.cli import app
from tests.conftest import PINS

pytestmark = [pytest.mark.parametrize("backend", ["sqlite"]),
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) not installed")]
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
NAMED = ["--at", "2024-09-02 10:00", "--name", "Jane Smith", "--address", "1 High Street", "--postcode",
         "CB1 1JG", "--declare"]


@pytest.fixture
def log(db_url, tmp_path):
    env = {"SURRENDER_DATABASE_URL": db_url, "SURRENDER_STAFF": "2001", "SURRENDER_PIN": PINS["2001"],
           "SURRENDER_STATION": "TW", "SURRENDER_RECEIPTS_DIR": str(tmp_path / "receipts"), "SURRENDER_PRINTER": None}

    def invoke(*args: str) -> dict:
        result = CliRunner().invoke(app, ["log", *args, "--format", "json"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)
    invoke.env = env
    return invoke


def text_of(path: str | Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def pages_mm(path: str | Path) -> list[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", Path(path).read_bytes())
    return [(round(float(w) / 72 * 25.4), round(float(h) / 72 * 25.4)) for w, h in boxes]


def test_a_named_claim_without_bank_details_says_who_pays_what_is_missing_and_whom_to_call(log):
    logged = log(*NAMED, "--item", KNIFE, "--item", KNIFE, "--item", "zombie-knife:9in:plain:point:spikes:holes=3",
                 "--item", "zombie-knife:24cm:plain:point")
    text = text_of(logged["receipt"])
    assert "eligible for: serrated 3in" in text and "eligible for: holes 3, spikes" in text
    assert "about 9.449in (240mm)" in text and "needs one or more of" in text  # 24 cm, not eligible
    assert "The Home Office decides the claim and pays it" in text
    assert "None given." in text and "Thorpe Wood Police Station, Peterborough: call 101" in text


def test_a_claim_under_the_minimum_shows_nothing_payable_on_each_line(log):
    logged = log(*NAMED, "--item", KNIFE, "--item", "zombie-knife:10in:plain:point:spikes")  # two lines
    assert logged["claim"]["status"] == "not_payable"
    text = text_of(logged["receipt"])
    assert "£10.00" not in text and text.count("£0.00") >= 3
    assert "Nothing is payable on this claim" in text
    shown = CliRunner().invoke(app, ["show", logged["reference"]], env=log.env, catch_exceptions=False).stdout
    assert "£10.00" not in shown and "payable £0.00" in shown and "10in" in shown and "(254mm)" in shown


def test_a_stock_claim_on_the_roll_is_short_and_its_tags_are_on_a4_beside_it(log, tmp_path):
    stock = tmp_path / "stock.csv"
    stock.write_text("kind,description,blade_length,plain_edge,sharp_point,serrated_length,quantity\n"
                     + "".join(f"zombie-knife,SKU {n} display knife,25cm,yes,yes,3in,90\n" for n in range(400)))
    logged = log(*NAMED, "--business", "Whitfield Cutlery Wholesale Ltd", "--items", str(stock), "--paper", "80mm")
    receipt = Path(logged["receipt"])
    roll = pages_mm(receipt)
    assert len(roll) <= 2 and all(w == 80 and h < 600 for w, h in roll), roll  # was 34 pages a metre long
    text = text_of(receipt)
    assert "36,000" in text and "SKU 17" not in text and f"{logged['reference']}-tags.pdf" in text
    tags = receipt.with_name(f"{logged['reference']}-tags.pdf")
    assert {size for size in pages_mm(tags)} == {(210, 297)}
    assert "Group 400 of 400" in text_of(tags)
