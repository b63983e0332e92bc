"""Who decides and pays a scheme's claims, and the payer's decisions file (pure rules).

Under the 2024 and 2025 schemes the police take the claim at the counter and the Home Office
decides and pays it: a campaign says so with `payer = "home-office"`; `payer = "force"` (and a
campaign file without the key) means the force decides and pays, as before.

A decisions file is the payer's answer to a claim pack: one row per claim (`line` empty: the
whole claim) or one row per item line of a claim (every line then), each with the amount
allowed and, when nothing is allowed, the reason. It is checked whole before anything is
written: any bad row refuses the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from surrender.errors import Refused
from surrender.rules.bounds import MAX_DIGITS, REASON_CHARS, clip
from surrender.rules.lifecycle import ClaimStatus
from surrender.rules.money import format_gbp
from surrender.rules.references import normalise_reference

HOME_OFFICE = "home-office"
FORCE = "force"
PAYERS = (HOME_OFFICE, FORCE)
PAYER_NAMES = {HOME_OFFICE: "the Home Office", FORCE: "the force"}


def parse_payer(value: object) -> str:
    """A campaign file's `payer`: one of PAYERS."""
    if not isinstance(value, str) or value.strip().lower() not in PAYERS:
        raise Refused(f"campaign file: payer must be one of {', '.join(repr(p) for p in PAYERS)}, not {clip(value)}")
    return value.strip().lower()


def payer_name(payer: str) -> str:
    """`the Home Office` / `the force`, for sentences."""
    return PAYER_NAMES.get(payer, payer)


# --- the decisions file ----------------------------------------------------------------------

DECISION_COLUMNS = ("reference", "allowed")  # required; `line` and `reason` optional, others ignored
OPTIONAL_COLUMNS = ("line", "reason")
MAX_DECISION_PENCE = 1_000_000_000  # the most one claim may ask (rules.compensation.MAX_CLAIM_TOTAL_PENCE)
_AMOUNT = re.compile(r"^\s*£?\s*(\d{1,8})(?:\.(\d{1,2}))?\s*$")


@dataclass(frozen=True)
class DecisionRow:
    """One row as read: `line` None is a decision on the whole claim."""

    file_line: int
    reference: str
    line: int | None
    allowed_pence: int
    reason: str | None


def parse_amount(text: str, what: str) -> int:
    """Pence for `25`, `25.5`, `£25.50`; up to the most one claim may ask."""
    raw = str(text)
    if raw.strip().startswith("-"):
        raise Refused(f"{what} {clip(raw)} is negative")
    match = _AMOUNT.match(raw)
    if not match:
        raise Refused(f"{what} {clip(raw)} is not an amount of money like 25.00")
    pence = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if pence > MAX_DECISION_PENCE:
        raise Refused(f"{what} {clip(raw)} is over {format_gbp(MAX_DECISION_PENCE)}")
    return pence


def parse_row(file_line: int, cells: Mapping[str, str]) -> DecisionRow:
    """One row of a decisions file, or a refusal naming what is wrong with it."""
    reference = normalise_reference(cells.get("reference", ""))
    raw_line = (cells.get("line") or "").strip()
    line = None
    if raw_line:
        if not (raw_line.isascii() and raw_line.isdigit()) or len(raw_line) > MAX_DIGITS or int(raw_line) < 1:
            raise Refused(f"line {clip(raw_line)} is not an item line number (1, 2, ...; empty: the whole claim)")
        line = int(raw_line)
    allowed = parse_amount(cells.get("allowed", ""), "allowed")
    reason = " ".join((cells.get("reason") or "").split()) or None
    if reason is not None and len(reason) > REASON_CHARS:
        raise Refused(f"the reason is {len(reason):,} characters long; the most is {REASON_CHARS:,}")
    if allowed == 0 and reason is None:
        raise Refused("nothing allowed needs a reason (the reason column): the claimant is told why")
    return DecisionRow(file_line, reference, line, allowed, reason)


@dataclass(frozen=True)
class ClaimFacts:
    """What a claim asked, as the decision is checked against it."""

    reference: str
    claimed_pence: int
    lines: Mapping[int, int]  # item line number -> pence claimed on that line


@dataclass(frozen=True)
class LineDecision:
    line: int | None  # None: the whole claim
    claimed_pence: int
    allowed_pence: int
    reason: str | None

    @property
    def refused(self) -> bool:
        return self.allowed_pence == 0


@dataclass(frozen=True)
class ClaimDecision:
    reference: str
    lines: tuple[LineDecision, ...]

    @property
    def allowed_pence(self) -> int:
        return sum(d.allowed_pence for d in self.lines)

    @property
    def refused(self) -> bool:
        """Nothing allowed: the whole claim is refused."""
        return self.allowed_pence == 0


def decide_claim(facts: ClaimFacts, rows: Iterable[DecisionRow]) -> tuple[ClaimDecision | None, list[str]]:
    """The claim's decision from its rows, or the problems with them (each naming the file line)."""
    rows = list(rows)
    problems: list[str] = []
    whole = [r for r in rows if r.line is None]
    per_line = [r for r in rows if r.line is not None]
    ref = facts.reference
    if whole and per_line:
        first = min(r.file_line for r in rows)
        return None, [
            f"line {first}: {ref} has a row for the whole claim and rows for its lines: give one or the other"
        ]
    if len(whole) > 1:
        return None, [f"line {whole[1].file_line}: {ref} appears twice for the whole claim"]
    if whole:
        row = whole[0]
        if row.allowed_pence > facts.claimed_pence:
            return None, [
                f"line {row.file_line}: {ref} allowed {format_gbp(row.allowed_pence)} is above the "
                f"{format_gbp(facts.claimed_pence)} claimed"
            ]
        return ClaimDecision(ref, (LineDecision(None, facts.claimed_pence, row.allowed_pence, row.reason),)), []
    seen: dict[int, DecisionRow] = {}
    for row in per_line:
        assert row.line is not None
        if row.line in seen:
            problems.append(f"line {row.file_line}: {ref} line {row.line} appears twice")
        elif row.line not in facts.lines:
            problems.append(
                f"line {row.file_line}: {ref} has no item line {row.line} "
                f"(it has {len(facts.lines)} line{'s' if len(facts.lines) != 1 else ''})"
            )
        elif row.allowed_pence > facts.lines[row.line]:
            problems.append(
                f"line {row.file_line}: {ref} line {row.line} allowed {format_gbp(row.allowed_pence)} "
                f"is above the {format_gbp(facts.lines[row.line])} claimed"
            )
        seen.setdefault(row.line, row)
    missing = sorted(set(facts.lines) - set(seen))
    if missing and not problems:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        problems.append(
            f"line {per_line[0].file_line}: {ref} line(s) {shown} have no decision: give every line, "
            "or one row with an empty line for the whole claim"
        )
    if problems:
        return None, problems
    decided = tuple(LineDecision(n, facts.lines[n], seen[n].allowed_pence, seen[n].reason) for n in sorted(seen))
    return ClaimDecision(ref, decided), []


# --- disputes ----------------------------------------------------------------------------------

UPHELD, DISMISSED = "upheld", "dismissed"
OUTCOMES = (UPHELD, DISMISSED)


def parse_outcome(text: str | None) -> str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value not in OUTCOMES:
        raise Refused(f"a dispute's outcome is {' or '.join(OUTCOMES)}, not {clip(text)}")
    return value


# --- "where is my money?" for a claim the payer decides ----------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where a claim sent to the payer stands, as `claims status` says it: `words`, then the
    date `since` if any ("with the Home Office since 2 Jul 2025", "decided", "paid")."""

    words: str
    since: dt.datetime | None = None


def payer_standing(
    status: ClaimStatus, payer: str, sent_at: dt.datetime | None, disputed_since: dt.datetime | None
) -> Standing | None:
    """None for a claim not (yet) sent to its payer in a claim pack: its own status says it."""
    if sent_at is None:
        return None
    if status == ClaimStatus.PAID:
        return Standing("paid")
    if disputed_since is not None:
        return Standing(f"disputed with {payer_name(payer)} since", disputed_since)
    if status == ClaimStatus.DECIDED:
        return Standing("decided")
    if status == ClaimStatus.REFUSED:
        return Standing(f"refused by {payer_name(payer)}")
    return Standing(f"with {payer_name(payer)} since", sent_at)
