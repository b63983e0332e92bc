"""Reconciliation: a remittance file marks exported claims paid, all lines or none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Connection, Row

from surrender import tables
from surrender.errors import BadLines, NotFound, Refused
from surrender.rules.lifecycle import ClaimStatus, Step, can, transition
from surrender.rules.money import format_gbp, parse_money
from surrender.rules.references import normalise_reference
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store.batches import batch_numbers
from surrender.store.claims import claim_of
from surrender.store.scope import NOT_YOURS, Scope
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender
from surrender.userfiles import CsvFile


@dataclass(frozen=True)
class PaidResult:
    count: int
    total_pence: int
    batches: list[int]


def read_remittance(path: Path) -> list[tuple[int, str, str]]:
    """(line number, reference, amount) rows. The header names `reference` and `amount` once
    each (a bank's other columns are ignored); every line has exactly the header's cells."""
    rows = CsvFile(path, "remittance file", None, REMITTANCE_COLUMNS)
    return [(line, cells["reference"].strip(), cells["amount"].strip()) for line, cells in rows]


REMITTANCE_COLUMNS = ("reference", "amount")


def mark_paid(ctx: Context, path: Path) -> PaidResult:
    """Every line must name an exported, unpaid claim for exactly its amount; else nothing changes."""
    lines = read_remittance(path)
    if not lines:
        raise Refused(f"{path}: no payment lines")

    def work(conn: Connection, staff: Row) -> PaidResult:
        scope = scope_of(conn, staff)
        problems: list[str] = []
        seen: set[str] = set()
        good: list[tuple[Row, Row, int]] = []
        for line, raw_reference, raw_amount in lines:
            try:
                reference = normalise_reference(raw_reference)
                amount = parse_money(raw_amount, "amount")
            except Refused as exc:
                problems.append(f"line {line}: {exc}")
                continue
            if reference in seen:
                problems.append(f"line {line}: {reference} appears twice in the file")
                continue
            seen.add(reference)
            found = _locked_claim(conn, reference, scope)
            if found is None:
                problems.append(f"line {line}: no claim with reference {reference} ({NOT_YOURS})")
                continue
            surrender, claim = found
            if claim.status == ClaimStatus.PAID:
                problems.append(f"line {line}: {reference} is already paid")
            elif not can(Step.PAY, claim.status):
                problems.append(f"line {line}: {reference}'s claim is {claim.status}, not exported")
            elif amount != claim.payable_pence:
                problems.append(
                    f"line {line}: {reference} amount {format_gbp(amount)} differs from the "
                    f"{format_gbp(claim.payable_pence)} "
                    f"{'the payer allowed' if claim.status == 'decided' else 'exported'}"
                )
            else:
                good.append((surrender, claim, amount))
        if problems:
            raise BadLines(path, problems, outcome="nothing marked paid")
        now = ctx.now()
        for surrender, claim, amount in good:
            status = transition(Step.PAY, claim.status, surrender.reference)
            conn.execute(
                update(tables.claim)
                .where(tables.claim.c.id == claim.id)
                .values(status=status, paid_at=now, paid_by=staff.id)
            )
            audit.record(
                conn,
                now,
                staff.id,
                "claim.paid",
                "surrender",
                surrender.id,
                {
                    "reference": surrender.reference,
                    "changed": {"status": [claim.status, status]},
                    "amount": amount,
                    "batch": claim.batch_id,
                },
            )
        numbers = batch_numbers(conn, {c.batch_id for _, c, _ in good})
        return PaidResult(len(good), sum(a for _, _, a in good), numbers)

    return perform(ctx, "claims.paid", work)


def _locked_claim(conn: Connection, reference: str, scope: Scope) -> tuple[Row, Row] | None:
    """The surrender with this reference and its claim, row-locked; None if either is missing."""
    try:
        surrender = find_surrender(conn, reference, scope)
    except NotFound:
        return None
    claim = claim_of(conn, surrender.id, lock=True)
    return None if claim is None else (surrender, claim)
