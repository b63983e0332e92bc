"""One line of a surrender: the item's features as the officer recorded them.

The same parser serves the `--items` CSV, the `--item KIND:BLADE:FEATURES` shorthand and the
prompts, so every entry route validates identically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from surrender.errors import Refused
from surrender.item_spec_help import ITEM_SPEC_HELP
from surrender.rules.lengths import parse_length, parse_optional_length
from surrender.rules.money import parse_money

EVIDENCE = ("none", "receipt", "invoice", "bank-statement", "other")
POINT_STYLES = ("tanto", "reverse-tanto", "other")
MAX_QUANTITY = 1_000_000

CSV_COLUMNS = (
    "kind", "description", "blade_length", "plain_edge", "sharp_point", "serrated_length",
    "serrated_at_handle", "holes", "spikes", "points", "secondary_edge", "blunt_spine",
    "point_style", "claimed_value", "evidence", "acquired_on", "quantity", "seal",
)

# Features a campaign definition may test, with their type.
FEATURE_TYPES: dict[str, type] = {
    "blade_length": Decimal,
    "serrated_length": Decimal,
    "plain_edge": bool,
    "sharp_point": bool,
    "serrated_at_handle": bool,
    "spikes": bool,
    "secondary_edge": bool,
    "blunt_spine": bool,
    "holes": int,
    "points": int,
    "point_style": str,
}


@dataclass(frozen=True)
class Item:
    """Features are False/0 unless recorded: compensation needs each feature positively seen."""

    kind: str
    blade_length_mm: Decimal
    description: str = ""
    plain_edge: bool = False
    sharp_point: bool = False
    serrated_length_mm: Decimal = Decimal(0)
    serrated_at_handle: bool = False
    holes: int = 0
    spikes: bool = False
    points: int = 0
    secondary_edge: bool = False
    blunt_spine: bool = False
    point_style: str = "other"
    claimed_value_pence: int | None = None
    evidence: str = "none"
    acquired_on: dt.date | None = None
    quantity: int = 1
    seal: str = ""

    def features(self) -> dict[str, object]:
        """The values a campaign definition is evaluated against."""
        return {
            "blade_length": self.blade_length_mm,
            "serrated_length": self.serrated_length_mm,
            "plain_edge": self.plain_edge,
            "sharp_point": self.sharp_point,
            "serrated_at_handle": self.serrated_at_handle,
            "spikes": self.spikes,
            "secondary_edge": self.secondary_edge,
            "blunt_spine": self.blunt_spine,
            "holes": self.holes,
            "points": self.points,
            "point_style": self.point_style,
        }

    def group_key(self) -> "Item":
        """Identical stock lines share this key (everything but the quantity)."""
        return replace(self, quantity=1)


def parse_bool(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise Refused(f"{column} must be yes or no, not {value!r}")


def parse_count(value: str, column: str, maximum: int = 1000) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()):  # str.isdigit alone admits '²', which int() rejects
        raise Refused(f"{column} must be a whole number of 0 or more, not {value!r}")
    number = int(text)
    if number > maximum:
        raise Refused(f"{column} {number} is over {maximum}: check the figure")
    return number


def parse_date(value: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(f"{column} must be a date like 2024-08-01, not {value!r}") from None


def item_from_fields(fields: dict[str, str]) -> Item:
    """Build an Item from text fields named as the CSV columns; empty means the default."""
    unknown = sorted(set(fields) - set(CSV_COLUMNS))
    if unknown:
        raise Refused(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}")
    values = {k: ("" if v is None else str(v)).strip() for k, v in fields.items()}
    kind = values.get("kind", "").lower()
    if not kind:
        raise Refused("kind is missing")
    if not values.get("blade_length"):
        raise Refused("blade_length is missing")
    args: dict[str, object] = {"kind": kind, "blade_length_mm": parse_length(values["blade_length"])}
    for column in ("plain_edge", "sharp_point", "serrated_at_handle", "spikes", "secondary_edge", "blunt_spine"):
        if values.get(column):
            args[column] = parse_bool(values[column], column)
    for column in ("holes", "points"):
        if values.get(column):
            args[column] = parse_count(values[column], column)
    if values.get("serrated_length"):
        args["serrated_length_mm"] = parse_optional_length(values["serrated_length"])
    if values.get("point_style"):
        style = values["point_style"].lower()
        if style not in POINT_STYLES:
            raise Refused(f"point_style must be one of {', '.join(POINT_STYLES)}, not {style!r}")
        args["point_style"] = style
    if values.get("claimed_value"):
        args["claimed_value_pence"] = parse_money(values["claimed_value"], "claimed_value")
    if values.get("evidence"):
        evidence = values["evidence"].lower()
        if evidence not in EVIDENCE:
            raise Refused(f"evidence must be one of {', '.join(EVIDENCE)}, not {evidence!r}")
        args["evidence"] = evidence
    if values.get("acquired_on"):
        args["acquired_on"] = parse_date(values["acquired_on"], "acquired_on")
    if values.get("quantity"):
        quantity = parse_count(values["quantity"], "quantity", MAX_QUANTITY)
        if quantity < 1:
            raise Refused("quantity must be at least 1")
        args["quantity"] = quantity
    if values.get("description"):
        args["description"] = values["description"][:200]
    if values.get("seal"):
        args["seal"] = values["seal"][:40]
    return Item(**args)  # type: ignore[arg-type]


# Short names accepted in `--item KIND:BLADE:FEATURE:...` for speed at the counter.
_FLAG_ALIASES = {
    "plain": "plain_edge", "plain-edge": "plain_edge",
    "point": "sharp_point", "sharp-point": "sharp_point", "pointed": "sharp_point",
    "at-handle": "serrated_at_handle", "serrated-at-handle": "serrated_at_handle",
    "spikes": "spikes", "secondary": "secondary_edge", "secondary-edge": "secondary_edge",
    "blunt-spine": "blunt_spine", "spine": "blunt_spine",
}
_VALUE_ALIASES = {
    "serrated": "serrated_length", "holes": "holes", "points": "points", "value": "claimed_value",
    "evidence": "evidence", "acquired": "acquired_on", "qty": "quantity", "quantity": "quantity",
    "seal": "seal", "desc": "description", "style": "point_style", "point-style": "point_style",
}



def item_from_spec(spec: str) -> Item:
    """Parse the `--item` shorthand into the same fields as a CSV row."""
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise Refused(f"--item {spec!r}: expected {ITEM_SPEC_HELP}")
    fields: dict[str, str] = {"kind": parts[0], "blade_length": parts[1]}
    for token in parts[2:]:
        if not token:
            continue
        name, _, value = token.partition("=")
        key = name.lower()
        if _ and key in _VALUE_ALIASES:
            fields[_VALUE_ALIASES[key]] = value
        elif not _ and key in ("tanto", "reverse-tanto"):
            fields["point_style"] = key
        elif not _ and key in _FLAG_ALIASES:
            fields[_FLAG_ALIASES[key]] = "yes"
        elif not _ and key.startswith("no-") and key[3:] in _FLAG_ALIASES:
            fields[_FLAG_ALIASES[key[3:]]] = "no"
        else:
            raise Refused(f"--item {spec!r}: unknown feature {token!r}; expected {ITEM_SPEC_HELP}")
    return item_from_fields(fields)
