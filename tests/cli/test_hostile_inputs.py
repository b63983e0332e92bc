"""Whatever a person types or a file holds, the tool answers with exit 0, 1 or 2, never a
traceback; a refusal is one line and leaves the database exactly as it was.

Hypothesis feeds each user-controlled input: references, times, item specs, items and
remittance files (raw bytes, any encoding), campaign TOML, database URLs, numeric options.
"""

from __future__ import annotations

import hashlib
import shutil
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from surrender import db
from surrender.cli import app
from tests.conftest import PINS

EXAMPLES = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Text that tends to break things: markup, control characters, huge numbers, odd Unicode.
NASTY = st.sampled_from(["[/]", "[bold]", "\x1b[2J", "\r", "\x00", "9" * 5000, "-1", "1e999", "NaN", "²",
                         "\u202e", "𝟗", "'", '"', "\\", ":", "=", "..", "/", "%s", "{}", "\ufeff", " "])
TEXT = st.one_of(st.text(max_size=40), NASTY, st.lists(NASTY, max_size=4).map("".join),
                 st.text(alphabet=string.printable, max_size=200))
BYTES = st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                  TEXT.map(lambda t: t.encode("latin-1", "replace")))


@pytest.fixture(scope="module")
def hostile(sqlite_template, tmp_path_factory):
    """One database for the module (a refusal must not change it, so it can be shared)."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "surrender.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    runner = CliRunner()

    def invoke(staff: str, *args: str):
        env = {"SURRENDER_DATABASE_URL": url, "SURRENDER_RECEIPTS_DIR": str(folder / "receipts"),
               "SURRENDER_STAFF": staff, "SURRENDER_PIN": PINS.get(staff), "SURRENDER_STATION": None,
               "SURRENDER_CAMPAIGN": None, "COLUMNS": "200"}
        return runner.invoke(app, list(args), env=env)

    invoke.url, invoke.folder = url, folder
    ok = invoke("2001", "--station", "TW", "log", "--at", "2024-09-02 10:00", "--name", "Jo Bloggs", "--address",
                "1 Road", "--postcode", "CB1 1JG", "--declare", "--item", "zombie-knife:10in:plain:point:spikes:qty=3")
    assert ok.exit_code == 0, ok.output
    yield invoke
    db.dispose(url)


def digest(url: str) -> str:
    from sqlalchemy import select
    from sqlmodel import SQLModel

    def work(session):
        text = repr([sorted(repr(tuple(r)) for r in session.execute(select(t)))
                     for t in SQLModel.metadata.sorted_tables])
        return hashlib.sha256(text.encode()).hexdigest()
    return db.run(url, work, write=False)


def answered_properly(result, before: str, url: str) -> None:
    """Exit 0, 1 or 2; no traceback; a refusal is one `Error:` line and changes nothing."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    if result.exit_code != 0:
        assert digest(url) == before


@EXAMPLES
@given(reference=TEXT)
def test_any_reference(hostile, reference):
    before = digest(hostile.url)
    answered_properly(hostile("2001", "show", reference), before, hostile.url)


@EXAMPLES
@given(at=TEXT)
def test_any_surrender_time(hostile, at):
    before = digest(hostile.url)
    result = hostile("2001", "log", "--at", at, "--anonymous", "--item", "zombie-knife:10in:plain:point:spikes")
    answered_properly(result, before, hostile.url)


@EXAMPLES
@given(spec=st.one_of(TEXT, TEXT.map(lambda t: f"zombie-knife:{t}"),
                      TEXT.map(lambda t: f"zombie-knife:10in:plain:point:{t}")))
def test_any_item_shorthand(hostile, spec):
    before = digest(hostile.url)
    result = hostile("2001", "log", "--at", "2024-09-03 10:00", "--anonymous", "--item", spec)
    answered_properly(result, before, hostile.url)


@EXAMPLES
@given(body=st.one_of(BYTES, st.lists(st.sampled_from(
    [b"kind,blade_length,quantity\n", b"zombie-knife,10in,1\n", b"zombie-knife,10in," + b"9" * 5000 + b"\n",
     b"kind,kind\n", b"zombie-knife,10in\n", b'"unclosed\n', b"\xff\xfe", b"zombie-knife,10in,1,extra\n",
     b"zombie-knife," + b"x" * 200_000 + b",1\n"]), max_size=5).map(b"".join)))
def test_any_items_file(hostile, body):
    path = hostile.folder / "items.csv"
    path.write_bytes(body)
    before = digest(hostile.url)
    result = hostile("2001", "log", "--at", "2024-09-03 10:00", "--anonymous", "--items", str(path))
    answered_properly(result, before, hostile.url)


@EXAMPLES
@given(body=st.one_of(BYTES, st.lists(st.sampled_from(
    [b"reference,amount\n", b"TW-Z24-000001-N,30.00\n", b"reference,amount,amount\n", b"TW-Z24-000001-N,30,99\n",
     b"caf\xe9,1\n", b"x,1e9999\n", b"x," + b"9" * 5000 + b"\n"]), max_size=4).map(b"".join)))
def test_any_remittance_file(hostile, body):
    path = hostile.folder / "remittance.csv"
    path.write_bytes(body)
    before = digest(hostile.url)
    answered_properly(hostile("4001", "claims", "paid", "--file", str(path)), before, hostile.url)


@EXAMPLES
@given(body=st.one_of(BYTES, st.just(b"a = " + b"[" * 10_000 + b"]" * 10_000), st.just(b"a = " + b"9" * 5000),
                      st.just(b'code = "x"\n[' + b"a." * 3000 + b"b]\n")))
def test_any_campaign_file(hostile, body):
    path = hostile.folder / "campaign.toml"
    path.write_bytes(body)
    before = digest(hostile.url)
    answered_properly(hostile("1", "campaign", "show", str(path)), before, hostile.url)


@EXAMPLES
@given(limit=st.one_of(TEXT, st.integers().map(str), st.just(str(10**20))))
def test_any_audit_limit(hostile, limit):
    before = digest(hostile.url)
    answered_properly(hostile("5001", "audit", "log", "--limit", limit), before, hostile.url)


@EXAMPLES
@given(when=st.one_of(TEXT, st.dates().map(str)))
def test_any_report_date(hostile, when):
    before = digest(hostile.url)
    answered_properly(hostile("5001", "report", "totals", "--from", when), before, hostile.url)


@pytest.mark.parametrize("url", ["mysql://u@h/db", "oracle://x", "sqlite:////nonexistent/dir/x.db", "://", "postgresql://",
                                 "sqlite:///:memory:", "x" * 5000])
def test_unusable_database_urls_are_one_line_refusals(hostile, url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["--db", url, "--staff", "2001", "show", "TW-Z24-000001-N"],
                                env={"SURRENDER_PIN": PINS.get("2001")})
    assert result.exit_code == 1, (result.output, repr(result.exception))
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")
