"""The payer's answer to a claim pack: its decisions file (all rows or none, like a remittance)
and disputes of a decision with their outcome.

A decision sets the claim's payable to the amount allowed (the force's assessment is kept in
`payer_decision.assessed_pence`), so the remittance that follows is checked against what the
payer allowed, and every total, report and status reads the decided figure. Something
allowed: `decided`; nothing: `refused` (pays nothing). A dispute upheld sends the claim back
to the payer (`exported` again) for a new decision round; dismissed, the decision stands.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surrender.errors import BadLines, Refused
from surrender.exports import sha256_of
from surrender.rules.lifecycle import EXPORTED, PAYER_STATUSES, Step, require_reason, transition
from surrender.rules.money import format_gbp
from surrender.rules.payer import (
    DECISION_COLUMNS,
    UPHELD,
    ClaimDecision,
    ClaimFacts,
    DecisionRow,
    decide_claim,
    parse_outcome,
    parse_row,
)
from surrender.services import audit
from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store import audit_log
from surrender.store import payer as store
from surrender.store.scope import NOT_YOURS
from surrender.store.staff import scope_of
from surrender.store.surrenders import find_surrender
from surrender.userfiles import CsvFile

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row


@dataclass(frozen=True)
class DecisionsResult:
    claims: int
    decided: int  # something allowed
    refused: int  # nothing allowed
    allowed_pence: int
    claimed_pence: int
    references: list[str]


def read_decisions(path: Path) -> tuple[list[DecisionRow], list[str]]:
    """Rows of a decisions file and the problems found reading them (each naming its line)."""
    rows, problems = [], []
    for line, cells in CsvFile(path, "decisions file", None, DECISION_COLUMNS):
        try:
            rows.append(parse_row(line, cells))
        except Refused as exc:
            problems.append(f"line {line}: {exc}")
    return rows, problems


def _line_number(problem: str) -> int:
    match = re.match(r"line (\d+):", problem)
    return int(match.group(1)) if match else 0


def _where(claim: store.ClaimForDecision) -> str | None:
    """Why a claim cannot take a payer's decision now, or None."""
    ref = claim.reference
    if claim.claim_id is None:
        return f"{ref} has no compensation claim"
    if claim.voided:
        return f"{ref} is void: its claim takes no decision"
    if claim.status in PAYER_STATUSES:
        return (
            f"{ref} is already {claim.status} by the payer: a new decision follows only a dispute upheld "
            f"(`surrender claims dispute {ref} --outcome upheld --note ...`)"
        )
    if claim.batch_format != store.PACK_FORMAT:
        where = (
            f"in export batch {claim.batch_id} (a {claim.batch_format} file, not a claim pack)"
            if claim.batch_id is not None
            else f"{claim.status}, in no claim pack yet"
        )
        return f"{ref} is not in a claim pack: it is {where}"
    if claim.status != EXPORTED:
        return f"{ref}'s claim is {claim.status}: only a claim with the payer takes its decision"
    return None


def record_decisions(ctx: Context, path: Path) -> DecisionsResult:
    """Every row must decide a claim sent in a claim pack, within what the reader may see, for
    at most what was claimed; else nothing is recorded and every problem is listed."""
    path = Path(path)
    rows, problems = read_decisions(path)
    if not rows and not problems:
        raise Refused(f"{path}: no decision rows")
    file_sha256 = sha256_of(path) or ""

    def work(conn: Connection, staff: Row[Any]) -> DecisionsResult:
        scope = scope_of(conn, staff)
        found = list(problems)
        by_reference: dict[str, list[DecisionRow]] = defaultdict(list)
        for row in rows:
            by_reference[row.reference].append(row)
        decided: list[tuple[store.ClaimForDecision, ClaimDecision]] = []
        for reference, claim_rows in by_reference.items():
            first = min(r.file_line for r in claim_rows)
            claim = store.claim_for_decision(conn, scope, reference, lock=True)
            if claim is None:
                found.append(f"line {first}: no claim with reference {reference} ({NOT_YOURS})")
                continue
            reason = _where(claim)
            if reason is not None:
                found.append(f"line {first}: {reason}")
                continue
            decision, trouble = decide_claim(ClaimFacts(claim.reference, claim.claimed_pence, claim.lines), claim_rows)
            found += trouble
            if decision is not None:
                decided.append((claim, decision))
        if found:
            found.sort(key=_line_number)
            raise BadLines(path, found, outcome="nothing recorded")
        now = ctx.now()
        for claim, decision in decided:
            assert claim.claim_id is not None  # _where refused a surrender without a claim
            step = Step.PAYER_REFUSE if decision.refused else Step.DECIDE
            status = transition(step, claim.status or "", claim.reference)
            round_ = store.next_round(conn, claim.claim_id)
            store.add_decisions(
                conn, claim.claim_id, round_, decision.lines, claim.payable_pence, staff.id, now, file_sha256
            )
            store.set_claim(conn, claim.claim_id, status=str(status), payable_pence=decision.allowed_pence)
            audit.record(
                conn,
                now,
                staff.id,
                "claim.decided_by_payer",
                "surrender",
                claim.surrender_id,
                {
                    "reference": claim.reference,
                    "round": round_,
                    "claimed": claim.claimed_pence,
                    "assessed": claim.payable_pence,
                    "allowed": decision.allowed_pence,
                    "lines": [[d.line, d.allowed_pence] for d in decision.lines],
                    "changed": {
                        "status": [claim.status, str(status)],
                        "payable_pence": [claim.payable_pence, decision.allowed_pence],
                    },
                    "file_sha256": file_sha256,
                },
            )
        return DecisionsResult(
            len(decided),
            sum(1 for _, d in decided if not d.refused),
            sum(1 for _, d in decided if d.refused),
            sum(d.allowed_pence for _, d in decided),
            sum(c.claimed_pence for c, _ in decided),
            [c.reference for c, _ in decided],
        )

    return perform(ctx, "claims.decisions", work)


def dispute(ctx: Context, reference: str, note: str, outcome: str | None = None) -> str:
    """Without `outcome`: record the claimant's dispute of the payer's decision. With it
    (`upheld` or `dismissed`): record the answer to the open dispute; upheld sends the claim
    back to the payer for a new decision. Returns what happened, for the user."""
    if not " ".join((note or "").split()):
        raise Refused("a dispute needs a --note: what the claimant disputes, or the payer's answer")
    note = require_reason(note, "a dispute")
    answer = parse_outcome(outcome)

    def work(conn: Connection, staff: Row[Any]) -> str:
        scope = scope_of(conn, staff)
        surrender = find_surrender(conn, reference, scope)
        claim = store.claim_for_decision(conn, scope, surrender.reference, lock=True)
        assert claim is not None
        ref = claim.reference
        if claim.claim_id is None:
            raise Refused(f"{ref} has no compensation claim")
        if claim.voided:
            raise Refused(f"{ref} is void: its claim cannot be disputed")
        now = ctx.now()
        open_ = store.open_dispute(conn, claim.claim_id)
        if answer is None:
            if open_ is not None:
                raise Refused(
                    f"{ref} already has an open dispute: record its outcome with "
                    f"`surrender claims dispute {ref} --outcome upheld|dismissed --note ...`"
                )
            if claim.status not in PAYER_STATUSES:
                raise Refused(
                    f"{ref}'s claim is {claim.status}: only a claim the payer decided or refused can be disputed"
                )
            ident = store.add_dispute(conn, claim.claim_id, note, staff.id, now)
            audit.record(
                conn,
                now,
                staff.id,
                "claim.dispute_opened",
                "surrender",
                claim.surrender_id,
                {
                    "reference": ref,
                    "dispute": ident,
                    "note": audit.private("reason", note, audit_log.salt_of(conn, claim.surrender_id)),
                },
            )
            return (
                f"{ref}: dispute recorded; when the payer answers, record it with "
                f"`surrender claims dispute {ref} --outcome upheld|dismissed --note ...`"
            )
        if open_ is None:
            raise Refused(
                f"{ref} has no open dispute: record one first with `surrender claims dispute {ref} --note ...`"
            )
        status = claim.status or ""
        if answer == UPHELD:
            status = str(transition(Step.REOPEN, status, ref))
            store.set_claim(conn, claim.claim_id, status=status)
        store.close_dispute(conn, open_.id, answer, note, staff.id, now)
        audit.record(
            conn,
            now,
            staff.id,
            "claim.dispute_closed",
            "surrender",
            claim.surrender_id,
            {
                "reference": ref,
                "dispute": open_.id,
                "outcome": answer,
                "note": audit.private("reason", note, audit_log.salt_of(conn, claim.surrender_id)),
                "changed": {"status": [claim.status, status]} if status != claim.status else {},
            },
        )
        if answer == UPHELD:
            return (
                f"{ref}: dispute upheld; the claim is with the payer again for a new decision "
                f"(was {format_gbp(claim.payable_pence)} {claim.status})"
            )
        return f"{ref}: dispute dismissed; the decision stands ({claim.status}, {format_gbp(claim.payable_pence)})"

    return perform(ctx, "claims.dispute", work)
