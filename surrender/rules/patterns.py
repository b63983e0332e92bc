"""Patterns a claims reviewer must see, not only rows (issue 17 point 4; the lessons of 1997 and
1996): the same bank account on different claimants' claims, one claimant at several stations,
a value above the scheme's price list, an item acquired after the cut-off.

A flag is stored as text in the claim's `flags` list, beginning with its reason word and a colon
("shared-account: ..."), so it shows wherever flags show and `claims list --flag` finds it by
that prefix. Pure: the caller looks the other claims up and passes them in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surrender.errors import Refused
from surrender.rules.bounds import MAX_CELL_CHARS, clip
from surrender.rules.money import format_gbp, parse_money

SHARED_ACCOUNT = "shared-account"
SEVERAL_STATIONS = "several-stations"
ABOVE_PRICE_LIST = "above-price-list"
ACQUIRED_AFTER_CUTOFF = "acquired-after-cutoff"
REASONS = (SHARED_ACCOUNT, SEVERAL_STATIONS, ABOVE_PRICE_LIST, ACQUIRED_AFTER_CUTOFF)
REASONS_HELP = (
    f"{SHARED_ACCOUNT} (one bank account on different claimants' claims), {SEVERAL_STATIONS} (one claimant, "
    f"several stations), {ABOVE_PRICE_LIST} (a value above the price list's figure for the model), "
    f"{ACQUIRED_AFTER_CUTOFF} (an item acquired after the ownership cut-off)"
)


def check_reason(text: str) -> str:
    """A `--flag` word, refused with the valid ones when it is not one of them."""
    word = text.strip().lower()
    if word not in REASONS:
        raise Refused(f"flag {clip(text)} is not one of: {', '.join(REASONS)}")
    return word


def flag(reason: str, detail: str) -> str:
    """The stored text of a pattern flag: its reason word first, so it can be found by it."""
    return f"{reason}: {detail}"


def reason_of(text: str) -> str | None:
    """The reason word a stored flag begins with (None for a review-threshold flag)."""
    word = text.split(":", 1)[0]
    return word if word in REASONS and ":" in text else None


def fold_words(text: str) -> str:
    """Case, accents, spaces and punctuation folded away: "O'Brien,  J." -> "o brien j"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


def claimant_key(name: str, postcode: str) -> str:
    """One person as the patterns compare them: name and postcode normalised (case, spaces,
    punctuation), so "J. O'Brien, cb1 1jg" and "j obrien CB11JG" are the same claimant."""
    return fold_words(name).replace(" ", "") + "|" + fold_words(postcode).replace(" ", "")


@dataclass(frozen=True)
class OtherClaim:
    """Another live claim found by a lookup: its reference, station and claimant's key."""

    reference: str
    station: str
    claimant: str  # claimant_key of its claimant


def shared_account(mine: str, others: Iterable[OtherClaim]) -> list[OtherClaim]:
    """The claims on the same bank account whose claimant is not this one (`mine`: claimant_key)."""
    return [o for o in others if o.claimant != mine]


def several_stations(mine: str, station: str, others: Iterable[OtherClaim]) -> list[OtherClaim]:
    """The same claimant's claims at stations other than `station`."""
    return [o for o in others if o.claimant == mine and o.station != station]


def shared_account_flag(other: OtherClaim) -> str:
    return flag(SHARED_ACCOUNT, f"same bank account as {other.reference}, another claimant's")


def several_stations_flag(other: OtherClaim) -> str:
    return flag(SEVERAL_STATIONS, f"the same claimant also claimed at {other.station} ({other.reference})")


# --- the price list: a CSV named by the campaign (model, price) ---------------------------------

PRICE_COLUMNS = ("model", "price")
MAX_PRICE_LINES = 5_000


@dataclass(frozen=True)
class Price:
    model: str  # as the list writes it
    words: str  # normalised, matched against an item's description
    pence: int


def parse_price_list(text: str, where: str = "price list") -> tuple[Price, ...]:
    """A price list's CSV text: a header `model,price`, then one model a line with its figure
    (the most a scheme expects to pay for one). Every mistake names its line."""
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise Refused(f"{where}: holds control characters; a price list is plain text")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows or [c.strip().lower() for c in rows[0]] != list(PRICE_COLUMNS):
        raise Refused(f"{where} line 1: the header must be exactly: {','.join(PRICE_COLUMNS)}")
    prices: dict[str, Price] = {}
    for number, row in enumerate(rows[1:], 2):
        if not "".join(row).strip():
            continue
        if len(row) != len(PRICE_COLUMNS):
            raise Refused(f"{where} line {number}: {len(row)} cells for {len(PRICE_COLUMNS)} columns")
        model, price = (cell.strip() for cell in row)
        if len(model) > MAX_CELL_CHARS:
            raise Refused(f"{where} line {number}: the model is over {MAX_CELL_CHARS:,} characters")
        words = fold_words(model)
        if not words:
            raise Refused(f"{where} line {number}: no model named")
        if words in prices:
            raise Refused(f"{where} line {number}: model {clip(model)} is listed twice")
        try:
            pence = parse_money(price, "price")
        except Refused as exc:
            raise Refused(f"{where} line {number}: {exc}") from None
        prices[words] = Price(model, words, pence)
        if len(prices) > MAX_PRICE_LINES:
            raise Refused(f"{where}: over {MAX_PRICE_LINES:,} models; a price list is a few hundred")
    if not prices:
        raise Refused(f"{where}: lists no models")
    return tuple(prices.values())


def price_for(description: str, prices: Sequence[Price]) -> Price | None:
    """The list's line for an item: the longest model whose words appear, whole, in the item's
    description (so "Cold Steel Zombie XL" prefers that line to "Zombie")."""
    text = f" {fold_words(description)} "
    found = [p for p in prices if f" {p.words} " in text]
    return max(found, key=lambda p: len(p.words)) if found else None


@dataclass(frozen=True)
class LineFacts:
    """What the item patterns read of one distinct line."""

    number: int
    description: str
    claimed_value_pence: int | None  # asked per item; None: no value named
    acquired_on: dt.date | None


def item_flags(lines: Iterable[LineFacts], prices: Sequence[Price], cutoff: dt.date) -> list[str]:
    """Flags from the claim's own lines: a value above the price list's figure for the model,
    an item acquired after the ownership cut-off (on the day is allowed)."""
    flags: list[str] = []
    for line in lines:
        price = price_for(line.description, prices) if prices else None
        if price is not None and line.claimed_value_pence is not None and line.claimed_value_pence > price.pence:
            flags.append(
                flag(
                    ABOVE_PRICE_LIST,
                    f"line {line.number} claims {format_gbp(line.claimed_value_pence)} each; "
                    f"the price list has {format_gbp(price.pence)} for {price.model}",
                )
            )
        if line.acquired_on is not None and line.acquired_on > cutoff:
            flags.append(
                flag(
                    ACQUIRED_AFTER_CUTOFF,
                    f"line {line.number} acquired {line.acquired_on:%d %b %Y}, after the cut-off {cutoff:%d %b %Y}",
                )
            )
    return flags


def with_flags(current: Sequence[str], new: Iterable[str]) -> list[str]:
    """`current` and the new flags it does not hold yet, in order."""
    flags = list(current)
    flags.extend(f for f in dict.fromkeys(new) if f not in flags)
    return flags
