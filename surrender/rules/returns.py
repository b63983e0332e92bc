"""A force's scheme return and the national figures merged from several: what a return holds,
its canonical content and digest (so a file can be checked), and the merge's rules (each force
once, one campaign). Pure: the files are read and written by `surrender.return_files`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from surrender.errors import Refused

FIGURES = (  # a force's (or the nation's) totals, in the files' order
    "surrenders",
    "items",
    "with_claim",
    "without_claim",
    "anonymous",
    "claimed",
    "payable",
    "retail_claims",
    "retail_claimed",
    "retail_payable",
)
MONEY = frozenset({"claimed", "payable", "retail_claimed", "retail_payable"})  # in pence
STATION_FIGURES = ("surrenders", "items", "claims", "claimed", "payable")


@dataclass(frozen=True)
class Figures:
    """Live surrenders (void ones left out) and their claims; money in pence. Retail claims are
    claims made in a business's name (a retailer's stock)."""

    surrenders: int
    items: int
    with_claim: int
    without_claim: int
    anonymous: int
    claimed: int
    payable: int
    retail_claims: int
    retail_claimed: int
    retail_payable: int

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, name) + getattr(other, name) for name in FIGURES))


NO_FIGURES = Figures(*(0 for _ in FIGURES))


@dataclass(frozen=True)
class StationFigures:
    """One station's line, as `report totals --by station` shows it (money in pence)."""

    station: str
    surrenders: int
    items: int
    claims: int
    claimed: int
    payable: int


@dataclass(frozen=True)
class Weapons:
    """Weapons of one kind handed in at one station."""

    station: str
    kind: str
    items: int


@dataclass(frozen=True)
class SchemeReturn:
    """One force's return for one campaign: its figures and the audit anchor they were read at."""

    force: str
    force_name: str
    campaign: str
    campaign_name: str
    period_from: dt.date
    period_to: dt.date
    made_at: dt.datetime  # aware
    anchor: str  # `surrender-anchor events=N head=<hash>` of the force's chain
    total: Figures
    stations: tuple[StationFigures, ...]
    weapons: tuple[Weapons, ...]


def canonical(scheme_return: SchemeReturn) -> bytes:
    """The return's content as one exact byte string (keys sorted, money in pence, the time in
    UTC), whichever file it was read from: what the digest is taken of."""
    content: dict[str, Any] = dataclasses.asdict(scheme_return)
    content["period_from"] = scheme_return.period_from.isoformat()
    content["period_to"] = scheme_return.period_to.isoformat()
    content["made_at"] = scheme_return.made_at.astimezone(dt.UTC).isoformat()
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(scheme_return: SchemeReturn) -> str:
    """SHA-256 (hex) of the canonical content."""
    return hashlib.sha256(canonical(scheme_return)).hexdigest()


@dataclass(frozen=True)
class National:
    """The national table: each force's totals (by force code) and their sum, for one campaign."""

    campaign: str
    campaign_name: str
    forces: tuple[SchemeReturn, ...]
    total: Figures


def merge(returns: Sequence[tuple[str, SchemeReturn]]) -> National:
    """Merge (file name, return) pairs whose digests were checked: refused if a force is given
    twice or the returns are of different campaigns (their figures cannot be added)."""
    if not returns:
        raise Refused("no returns to merge: give each force's return file")
    seen: dict[str, str] = {}
    for name, each in returns:
        if each.force in seen:
            raise Refused(
                f"{seen[each.force]} and {name} are both returns of force {each.force}: give each force's return once"
            )
        seen[each.force] = name
    first_name, first = returns[0]
    for name, each in returns[1:]:
        if each.campaign != first.campaign:
            raise Refused(
                f"{name} is a return for campaign {each.campaign}, {first_name} for {first.campaign}: "
                "merge returns of one campaign"
            )
    forces = tuple(sorted((each for _, each in returns), key=lambda r: r.force))
    total = NO_FIGURES
    for each in forces:
        total = total + each.total
    return National(first.campaign, first.campaign_name, forces, total)
