"""Payment export batches and remittance reconciliation (SPEC 4, 5, 7), on SQLite and PostgreSQL.

Each approved, non-void claim lands in exactly one batch, ever; export files are owner-only,
exact and spreadsheet-safe; a remittance file marks claims paid all lines or none.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import stat
import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from stdnum.iso7064 import mod_37_36

from surrender import db
from surrender.errors import NotFound, Refused
from surrender.models import AuditEvent, Claim, ExportBatch, Surrender
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.claims import approve_claim, reject_claim
from surrender.services.export import export_claims, recreate_batch
from surrender.services.payments import mark_paid
from surrender.services.surrenders import LogRequest, log_surrender, void_surrender
from tests.conftest import PINS, as_staff, in_session

KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
SPEC_COLUMNS = ["batch", "reference", "station", "surrendered_at", "claimant_name", "business_name", "address",
                "postcode", "account_name", "sort_code", "account_number", "items", "amount"]

def claimant(name="Jane Smith", **kw):
    kw.setdefault("sort_code", "12-34-56")
    # An account of each claimant's own: one account on two people's claims is flagged (issue 17).
    kw.setdefault("account_number", "12345678" if name == "Jane Smith" else f"{zlib.crc32(name.encode()) % 10**8:08d}")
    return make_claimant(name, kw.pop("address", "1 High Street, Cambridge"), kw.pop("postcode", "CB1 1JG"), **kw)


def log(ctx, *specs: str, who=None, **kw) -> str:
    request = LogRequest(items=[item_from_spec(s) for s in specs], claimant=who or claimant(), declared=True, **kw)
    return log_surrender(ctx, request).reference


def knives(count: int) -> str:
    return f"{KNIFE}:qty={count}"


def finance(ctx):
    return as_staff(ctx, "4001")


def manager(ctx):
    return as_staff(ctx, "5001")


def approved(ctx, *specs: str, **kw) -> str:
    reference = log(ctx, *specs, **kw)
    approve_claim(finance(ctx), reference)
    return reference


def dump(url: str) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after."""
    def work(session):
        return {t.name: sorted(repr(tuple(r)) for r in session.execute(select(t)))
                for t in SQLModel.metadata.sorted_tables}
    return db.run(url, work, write=False)


def claims_by_reference(url: str) -> dict[str, tuple[str, int | None]]:
    rows = db.run(url, lambda s: s.execute(select(Surrender.reference, Claim.status, Claim.batch_id)
                                           .join(Claim, Claim.surrender_id == Surrender.id)).all(), write=False)
    return {r.reference: (r.status, r.batch_id) for r in rows}


def batches(url: str) -> dict[int, ExportBatch]:
    return {b.id: b for b in in_session(url, lambda s: s.execute(select(ExportBatch)).scalars().all(), write=False)}


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_rows(path: Path) -> list[dict]:
    return json.loads(path.read_text())["claims"] if path.suffix == ".json" else read_csv(path)


def pence(amount: str) -> int:
    pounds, _, p = amount.partition(".")
    return int(pounds) * 100 + int(p)


def write_remittance(path: Path, lines, header=("reference", "amount"), encoding="utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(lines)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


# --- batches ---------------------------------------------------------------------------------

def test_one_export_makes_one_batch_of_every_approved_unexported_non_void_claim(ctx, tmp_path):
    ready = sorted([approved(ctx, knives(3)), approved(ctx, knives(4)),
                    approved(as_staff(ctx, "3001", station="PK"), knives(5), who=claimant("Pat Other"))])
    pending = log(ctx, knives(3))
    rejected = log(ctx, knives(3))
    reject_claim(finance(ctx), rejected, "not the owner")
    not_payable = log(ctx, knives(2))
    voided = approved(ctx, knives(6))
    void_surrender(manager(ctx), voided, "logged twice")
    flagged = log(ctx, knives(25))  # waits for a manager
    log_surrender(ctx, LogRequest(items=[item_from_spec(KNIFE)] * 3, anonymous=True))

    result = export_claims(finance(ctx), tmp_path / "batch.csv")

    rows = read_csv(tmp_path / "batch.csv")
    assert [r["reference"] for r in rows] == ready == [r.reference for r in result.rows]
    assert {r["batch"] for r in rows} == {"1"}
    assert (result.batch, result.count, result.total_pence) == (1, 3, 3000 + 4000 + 5000)
    batch = batches(ctx.url)[1]
    assert (batch.claim_count, batch.total_pence, batch.format, batch.filename) == (3, 12000, "csv", "batch.csv")
    assert batch.sha256 == result.sha256 == hashlib.sha256((tmp_path / "batch.csv").read_bytes()).hexdigest()
    states = claims_by_reference(ctx.url)
    assert all(states[r] == ("exported", 1) for r in ready)
    assert states[pending] == ("pending", None) and states[rejected] == ("rejected", None)
    assert states[not_payable] == ("not_payable", None) and states[voided] == ("approved", None)
    assert states[flagged] == ("pending", None)


def test_a_second_export_straight_after_has_nothing_and_changes_nothing(ctx, tmp_path):
    approved(ctx, knives(3))
    export_claims(finance(ctx), tmp_path / "one.csv")
    before = dump(ctx.url)
    with pytest.raises(Refused, match="no approved claims are waiting for export"):
        export_claims(finance(ctx), tmp_path / "two.csv")
    assert dump(ctx.url) == before
    assert not (tmp_path / "two.csv").exists()


def test_claims_approved_later_go_into_the_next_batch_and_never_reappear(ctx, tmp_path):
    first = sorted([approved(ctx, knives(3)), approved(ctx, knives(4))])
    later = [log(ctx, knives(7)), log(ctx, knives(8))]
    export_claims(finance(ctx), tmp_path / "one.csv")
    for reference in later:
        approve_claim(finance(ctx), reference)
    result = export_claims(finance(ctx), tmp_path / "two.csv")
    assert result.batch == 2 and result.total_pence == 15000
    assert [r["reference"] for r in read_csv(tmp_path / "one.csv")] == first
    assert [r["reference"] for r in read_csv(tmp_path / "two.csv")] == sorted(later)
    assert {r["batch"] for r in read_csv(tmp_path / "two.csv")} == {"2"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_across_batches_with_voids_and_rejections_every_payable_claim_is_in_exactly_one_file(ctx, clock, tmp_path,
                                                                                             seed):
    rng = random.Random(seed)
    expected: dict[str, tuple[int, int]] = {}  # reference -> (batch, payable pence)
    files: dict[int, Path] = {}
    waiting: dict[str, int] = {}  # approved, not yet exported: reference -> payable
    for round_ in range(1, 5):
        for _ in range(rng.randint(2, 5)):
            count, value = rng.randint(3, 6), rng.choice([None, "12.50", "45.99"])
            spec = knives(count) + (f":value={value}:evidence=receipt" if value else "")
            payable = count * (pence(value) if value else 1000)
            reference = log(ctx, spec)
            fate = rng.choice(["approve", "approve", "approve", "reject", "void", "approve-then-void", "pending"])
            if fate.startswith("approve"):
                approve_claim(finance(ctx), reference)
                waiting[reference] = payable
            if fate == "reject":
                reject_claim(finance(ctx), reference, "declaration withdrawn")
            if fate.endswith("void"):
                void_surrender(manager(ctx), reference, "logged in error")
                waiting.pop(reference, None)
        fmt = rng.choice(["csv", "json"])
        out = tmp_path / f"round{round_}.{fmt}"
        if not waiting:
            with pytest.raises(Refused, match="no approved claims"):
                export_claims(finance(ctx), out, fmt)
            continue
        result = export_claims(finance(ctx), out, fmt)
        files[result.batch] = out
        expected.update({r: (result.batch, p) for r, p in waiting.items()})
        waiting.clear()

    assert len(files) >= 2 and any(b for b, _ in expected.values())
    seen: dict[str, int] = {}
    recorded = batches(ctx.url)
    assert sorted(recorded) == sorted(files) == list(range(1, len(files) + 1))
    for batch_id, path in files.items():
        rows = read_rows(path)
        for row in rows:
            reference = row["reference"]
            assert reference not in seen, f"{reference} in batches {seen.get(reference)} and {batch_id}"
            seen[row["reference"]] = batch_id
            assert str(row["batch"]) == str(batch_id)
            assert pence(row["amount"]) == expected[row["reference"]][1]
        assert sum(pence(r["amount"]) for r in rows) == recorded[batch_id].total_pence
        assert len(rows) == recorded[batch_id].claim_count
        assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded[batch_id].sha256
    assert seen == {r: b for r, (b, _) in expected.items()}
    states = claims_by_reference(ctx.url)
    assert {r for r, (status, _) in states.items() if status == "exported"} == set(expected)
    assert all(states[r][1] == b for r, (b, _) in expected.items())


# --- the file ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_export_file_is_owner_only_whatever_the_umask_and_nothing_is_left_beside_it(ctx, tmp_path, fmt):
    approved(ctx, knives(3))
    out = tmp_path / "out" / f"batch.{fmt}"
    old_umask = os.umask(0)
    try:
        export_claims(finance(ctx), out, fmt)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert os.listdir(out.parent) == [out.name]  # no staging file left behind


def test_csv_export_read_back_has_every_spec_column_and_exact_amounts(ctx, tmp_path):
    forty = approved(ctx, knives(4))
    odd = approved(ctx, f"{KNIFE}:value=45.50:evidence=receipt", KNIFE, KNIFE,
                   who=claimant("Ann Shop", business_name="Blades Ltd", account_name="Blades Ltd Trading",
                                postcode="pe1 1aa", address="2 Bridge Street, Peterborough"))
    export_claims(finance(ctx), tmp_path / "batch.csv")
    text = (tmp_path / "batch.csv").read_text()
    rows = {r["reference"]: r for r in read_csv(tmp_path / "batch.csv")}
    header = text.splitlines()[0].split(",")
    assert header[:len(SPEC_COLUMNS)] == SPEC_COLUMNS
    assert rows[forty]["amount"] == "40.00" and rows[forty]["items"] == "4"
    assert rows[odd]["amount"] == "65.50" and rows[odd]["items"] == "3"
    assert rows[odd]["business_name"] == "Blades Ltd" and rows[odd]["account_name"] == "Blades Ltd Trading"
    assert rows[odd]["postcode"] == "PE1 1AA" and rows[odd]["address"] == "2 Bridge Street, Peterborough"
    # Finance's export is the one place payment details are shown in full.
    assert (rows[forty]["claimant_name"], rows[forty]["sort_code"], rows[forty]["account_number"]) == \
        ("Jane Smith", "12-34-56", "12345678")
    assert rows[forty]["station"] == "TW" and rows[forty]["surrendered_at"] == "2024-09-10T14:00:00+01:00"


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(ctx, tmp_path):
    dangerous = ['=HYPERLINK("x")', "+1", "@SUM(A1)", "-2", "=1+1"]
    safe = ["Ann O'Neil", "A=B Smith", "Zoë Ñúñez"]
    for name in dangerous + safe:
        approved(ctx, knives(3), who=claimant(name, business_name="=cmd|' /C calc'!A0"))
    export_claims(finance(ctx), tmp_path / "batch.csv")
    rows = read_csv(tmp_path / "batch.csv")
    names = sorted(r["claimant_name"] for r in rows)
    assert names == sorted(["'" + n for n in dangerous] + safe)
    assert {r["business_name"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert all(r["amount"] == "30.00" for r in rows)


def test_json_export_carries_the_same_fields_with_exact_amounts_and_raw_text(ctx, tmp_path):
    forty = approved(ctx, knives(4))
    formula = approved(ctx, knives(3), who=claimant('=HYPERLINK("x")'))
    result = export_claims(finance(ctx), tmp_path / "batch.json", "json")
    document = json.loads((tmp_path / "batch.json").read_text())
    rows = {r["reference"]: r for r in document["claims"]}
    assert list(document) == ["batch", "anchor", "claims"] and document["batch"] == 1
    assert set(rows) == {forty, formula}
    assert all(list(r) == SPEC_COLUMNS for r in rows.values())
    assert rows[forty]["amount"] == "40.00" and rows[forty]["batch"] == 1 and rows[forty]["items"] == 4
    assert rows[formula]["claimant_name"] == '=HYPERLINK("x")'  # JSON is data, not a spreadsheet
    assert batches(ctx.url)[1].format == "json" and result.total_pence == 7000


@pytest.fixture
def no_db(tmp_path):
    """Finance, pointed at no database: for refusals that come before any database work."""
    from surrender.services.context import Context

    return Context(url=f"sqlite:///{tmp_path / 'never-created.db'}", staff="4001", pin=PINS["4001"])


def test_an_unknown_export_format_is_refused(no_db, tmp_path):
    with pytest.raises(Refused, match="export format must be csv or json"):
        export_claims(no_db, tmp_path / "batch.xlsx", "xlsx")
    assert not (tmp_path / "batch.xlsx").exists()


def test_a_dry_run_lists_what_would_be_exported_and_changes_nothing(ctx, tmp_path):
    ready = sorted([approved(ctx, knives(3)), approved(ctx, knives(4))])
    before = dump(ctx.url)
    result = export_claims(finance(ctx), tmp_path / "batch.csv", dry_run=True)
    assert (result.batch, result.count, result.total_pence, result.sha256) == (None, 2, 7000, None)
    assert [r.reference for r in result.rows] == ready
    assert dump(ctx.url) == before
    assert list(tmp_path.glob("batch*")) == [] and not any(p.name.startswith(".batch") for p in tmp_path.iterdir())
    assert export_claims(finance(ctx), tmp_path / "batch.csv").count == 2  # still waiting


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_past_batch_is_recreated_byte_for_byte_even_after_payment(ctx, tmp_path, fmt):
    first = [approved(ctx, knives(3)), approved(ctx, knives(4), who=claimant('=HYPERLINK("x")'))]
    original = tmp_path / f"one.{fmt}"
    export_claims(finance(ctx), original, fmt)
    approved(ctx, knives(5))
    export_claims(finance(ctx), tmp_path / f"two.{fmt}", fmt)
    mark_paid(finance(ctx), write_remittance(tmp_path / "paid.csv", [(first[0], "30.00"), (first[1], "40.00")]))

    again = tmp_path / "again" / f"one.{fmt}"
    result = recreate_batch(finance(ctx), 1, again)
    assert again.read_bytes() == original.read_bytes()
    recorded = batches(ctx.url)[1].sha256
    assert result.sha256 == recorded == hashlib.sha256(again.read_bytes()).hexdigest()
    assert stat.S_IMODE(again.stat().st_mode) == 0o600
    actions = db.run(ctx.url, lambda s: s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all(),
                     write=False)
    assert actions[-1] == "claims.batch_recreated"


def test_recreating_a_batch_that_does_not_exist_is_refused(ctx, tmp_path):
    with pytest.raises(NotFound, match="no export batch 7"):
        recreate_batch(finance(ctx), 7, tmp_path / "seven.csv")
    assert not (tmp_path / "seven.csv").exists()


# --- remittance ----------------------------------------------------------------------------------

@pytest.fixture
def exported(ctx, tmp_path):
    """Two batches: 30.00 and 40.00 in batch 1, 50.00 in batch 2; one claim still approved."""
    refs = {"a": approved(ctx, knives(3)), "b": approved(ctx, knives(4))}
    export_claims(finance(ctx), tmp_path / "one.csv")
    refs["c"] = approved(ctx, knives(5))
    export_claims(finance(ctx), tmp_path / "two.csv")
    refs["approved"] = approved(ctx, knives(6))
    refs["pending"] = log(ctx, knives(7))
    return refs


def test_a_good_remittance_marks_every_line_paid_across_batches(ctx, tmp_path, exported):
    # A bank's file: capitalised header, a byte-order mark, an extra column, looser reference typing.
    path = write_remittance(tmp_path / "remit.csv", [
        (exported["a"].lower(), "30.00", "J Smith"), (exported["b"].replace("-", ""), "£40.00", "J Smith"),
        (exported["c"], "50", "J Smith")], header=("Reference", "Amount", "Payee"), encoding="utf-8-sig")
    result = mark_paid(finance(ctx), path)
    assert (result.count, result.total_pence, result.batches) == (3, 12000, [1, 2])
    states = claims_by_reference(ctx.url)
    assert [states[exported[k]] for k in "abc"] == [("paid", 1), ("paid", 1), ("paid", 2)]
    assert states[exported["approved"]] == ("approved", None)


def bad_lines(refs: dict[str, str]) -> dict[str, tuple[tuple[str, str], str]]:
    """Each kind of bad line, with the problem it must be reported as."""
    unknown = refs["a"][:7] + "000099-"
    unknown += mod_37_36.calc_check_digit(unknown.replace("-", ""))
    mistyped = refs["c"][:-1] + ("A" if refs["c"][-1] != "A" else "B")
    return {
        "unknown reference": ((unknown, "30.00"), f"no claim with reference {unknown}"),
        "approved, not exported": ((refs["approved"], "60.00"), "claim is approved, not exported"),
        "pending, not exported": ((refs["pending"], "70.00"), "claim is pending, not exported"),
        "wrong amount": ((refs["b"], "40.01"), f"{refs['b']} amount £40.01 differs from the £40.00 exported"),
        "duplicate line": ((refs["a"], "30.00"), f"{refs['a']} appears twice in the file"),
        "malformed reference": (("TW-Z24-12-X", "30.00"), "is not a reference"),
        "mistyped check character": ((mistyped, "50.00"), "fails its check character"),
        "amount not money": ((refs["c"], "fifty"), "is not an amount of money"),
        "negative amount": ((refs["c"], "-50.00"), "is negative"),
        "three decimal places": ((refs["c"], "50.000"), "more than 2 decimal places"),
        "missing amount": ((refs["c"], ""), "is not an amount of money"),
    }


def test_any_single_bad_line_refuses_the_whole_file_and_nothing_is_paid(ctx, tmp_path, exported):
    before = dump(ctx.url)
    for name, (line, problem) in bad_lines(exported).items():
        path = write_remittance(tmp_path / "remit.csv", [(exported["a"], "30.00"), line])
        with pytest.raises(Refused) as refusal:
            mark_paid(finance(ctx), path)
        message = str(refusal.value)
        assert "1 bad line(s), nothing marked paid" in message, name
        assert any(row.startswith("line 3: ") and problem in row for row in refusal.value.problems), (name, message)
        assert dump(ctx.url) == before, name


def test_a_file_of_many_bad_lines_is_refused_listing_every_one(ctx, tmp_path, exported):
    cases = bad_lines(exported)
    del cases["duplicate line"]  # the first line is good, so this one is the only duplicate
    lines = [(exported["a"], "30.00")] + [line for line, _ in cases.values()] + [(exported["a"], "30.00")]
    before = dump(ctx.url)
    with pytest.raises(Refused) as refusal:
        mark_paid(finance(ctx), write_remittance(tmp_path / "remit.csv", lines))
    message = str(refusal.value)
    assert f"{len(cases) + 1} bad line(s), nothing marked paid" in message
    every = refusal.value.problems  # the whole list (the CLI writes it to a file; the message quotes five)
    for number, (_, problem) in enumerate(cases.values(), start=3):
        assert any(f"line {number}: " in row and problem in row for row in every), problem
    assert f"line {len(lines) + 1}: {exported['a']} appears twice in the file" in every
    assert dump(ctx.url) == before


def test_paying_twice_is_refused_and_a_file_mixing_paid_and_unpaid_pays_nothing(ctx, tmp_path, exported):
    mark_paid(finance(ctx), write_remittance(tmp_path / "one.csv", [(exported["a"], "30.00")]))
    with pytest.raises(Refused, match=f"line 2: {exported['a']} is already paid"):
        mark_paid(finance(ctx), write_remittance(tmp_path / "again.csv", [(exported["a"], "30.00")]))
    before = dump(ctx.url)
    with pytest.raises(Refused, match="already paid"):
        mark_paid(finance(ctx), write_remittance(tmp_path / "mixed.csv",
                                                 [(exported["b"], "40.00"), (exported["a"], "30.00")]))
    assert dump(ctx.url) == before
    assert claims_by_reference(ctx.url)[exported["b"]] == ("exported", 1)


@pytest.mark.parametrize("content, message", [
    ("reference,paid\r\nTW-Z24-000001-X,30.00\r\n", "line 1: the header needs the column.s. amount"),
    ("", "empty file; the first line must name the columns .reference, amount."),
    ("reference,amount\r\n,\r\n", "no payment lines"),
], ids=["no amount column", "empty file", "header only"])
def test_a_remittance_without_payment_lines_is_refused(no_db, tmp_path, content, message):
    path = tmp_path / "remit.csv"
    path.write_text(content)
    with pytest.raises(Refused, match=message):
        mark_paid(no_db, path)


def test_a_missing_remittance_file_is_refused_not_a_crash(no_db, tmp_path):
    with pytest.raises(Refused, match="cannot read remittance file"):
        mark_paid(no_db, tmp_path / "nowhere.csv")


# --- concurrency ----------------------------------------------------------------------------------

def test_a_void_racing_an_export_never_leaves_a_void_surrenders_claim_exported(ctx, tmp_path, backend, request):
    """Another terminal voids the surrender while finance's export is mid-transaction: the
    export's checkpoint holds it just after it has read (and locked) the claims it takes."""
    import threading
    from dataclasses import replace

    reference = approved(ctx, knives(3))
    approved(ctx, knives(4))
    approve_claim(finance(ctx), log(ctx, knives(5)))  # warm up: PINs checked once before the race
    void_surrender(manager(ctx), log(ctx, knives(3)), "warm-up")
    paused, resume = threading.Event(), threading.Event()

    def wait_once_selected(stage: str) -> None:
        if stage == "selected":
            paused.set()
            resume.wait(10)

    exporting = replace(finance(ctx), checkpoint=wait_once_selected)
    outcome: dict[str, object] = {}

    def run(name, work):
        try:
            outcome[name] = work()
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions below
            outcome[name] = exc

    exporter = threading.Thread(target=run, args=("export", lambda: export_claims(exporting, tmp_path / "b.csv")))
    exporter.start()
    assert paused.wait(10)
    voider = threading.Thread(target=run, args=("void", lambda: void_surrender(manager(ctx), reference, "duplicate")))
    voider.start()
    voider.join(3 if backend == "postgresql" else 0.3)  # SQLite: waits for the export's write lock
    resume.set()
    exporter.join(10)
    voider.join(15)
    status, batch = claims_by_reference(ctx.url)[reference]
    voided = db.run(ctx.url, lambda s: s.execute(select(Surrender.voided_at).where(Surrender.reference == reference))
                    .scalar_one(), write=False)
    assert not (voided is not None and status == "exported"), (status, batch, outcome)
    assert isinstance(outcome["void"], Refused) and "already exported" in str(outcome["void"])
