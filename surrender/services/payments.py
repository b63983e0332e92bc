"""Reconciliation: a remittance file marks exported claims paid, all lines or none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from surrender.errors import Refused
from surrender.models import Claim, Staff, Surrender
from surrender.rules.lifecycle import Step, can
from surrender.rules.money import format_gbp, parse_money
from surrender.rules.references import normalise_reference
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
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

    def work(session: Session, staff: Staff) -> PaidResult:
        problems: list[str] = []
        seen: set[str] = set()
        good: list[tuple[Surrender, Claim, int]] = []
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
            found = session.execute(select(Surrender, Claim).join(Claim, Claim.surrender_id == Surrender.id)
                                    .where(Surrender.reference == reference).with_for_update(of=Claim)).first()
            if found is None:
                problems.append(f"line {line}: no claim with reference {reference}")
                continue
            surrender, claim = found
            if claim.status == "paid":
                problems.append(f"line {line}: {reference} is already paid")
            elif not can(Step.PAY, claim.status):  # exported, or decided by the payer (issue 17)
                problems.append(f"line {line}: {reference}'s claim is {claim.status}, not exported")
            elif amount != claim.payable_pence:
                problems.append(f"line {line}: {reference} amount {format_gbp(amount)} differs from the "
                                f"{format_gbp(claim.payable_pence)} "
                                f"{'the payer allowed' if claim.status == 'decided' else 'exported'}")
            else:
                good.append((surrender, claim, amount))
        if problems:
            raise Refused(f"{path}: {len(problems)} bad line(s), nothing marked paid:\n  " + "\n  ".join(problems))
        now = ctx.now()
        for surrender, claim, amount in good:
            session.execute(update(Claim).where(Claim.id == claim.id)
                            .values(status="paid", paid_at=now, paid_by=staff.id))
            audit.record(session, now, staff.id, "claim.paid", "surrender", surrender.id,
                         {"reference": surrender.reference, "changed": {"status": [claim.status, "paid"]},
                          "amount": amount, "batch": claim.batch_id})
        return PaidResult(len(good), sum(a for _, _, a in good), sorted({c.batch_id for _, c, _ in good}))

    return perform(ctx, "claims.paid", work)
