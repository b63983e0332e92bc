"""One line of a surrender: the item's kind, blade, the scheme's features, and the claim fields.

The features are whatever the campaign declares (`surrender.rules.features`); the same parser
serves the `--items` CSV, the `--item KIND:BLADE:FEATURES` shorthand and the prompts, so every
entry route validates identically.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from surrender.errors import Refused
from surrender.item_spec_help import ITEM_SPEC_HELP
from surrender.rules.bounds import clip, whole_number
from surrender.rules.features import YES_NO, Features
from surrender.rules.lengths import parse_length
from surrender.rules.money import parse_money

EVIDENCE = ("none", "receipt", "invoice", "bank-statement", "other")
MAX_QUANTITY = 1_000_000

LEADING_COLUMNS = ("kind", "description", "blade_length")
TRAILING_COLUMNS = ("claimed_value", "evidence", "acquired_on", "quantity", "seal")
# Shorthand words for the columns every campaign has.
_VALUE_WORDS = {
    "value": "claimed_value",
    "evidence": "evidence",
    "acquired": "acquired_on",
    "qty": "quantity",
    "quantity": "quantity",
    "seal": "seal",
    "desc": "description",
}


class UnknownWord(Refused):
    """A shorthand word that names no feature or column (`spiked`, `srrated=3in`); the desk
    answers it in its own words, `--item` with the colon syntax."""

    def __init__(self, message: str, word: str):
        super().__init__(message)
        self.word = word


def closest_word(word: str, features: Features, kinds: Iterable[str] = ()) -> str | None:
    """The known word nearest a mistyped one, keeping a `no-` before it and what follows `=`:
    `spiked` -> `spikes`, `srrated=3in` -> `serrated=3in`, `machette` -> `machete` (a kind's
    code or a word of it); None when nothing is close."""
    name, has_value, value = word.strip().partition("=")
    key = name.lower()
    negated = not has_value and key.startswith("no-")
    key = key[3:] if negated else key
    candidates = [*features.words(), *(_VALUE_WORDS if has_value else ())]
    if not has_value and not negated:
        candidates += [part for code in kinds for part in (code, *code.split("-"))]
    found: list[str] = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not found:
        return None
    return ("no-" if negated else "") + found[0] + (f"={value}" if has_value else "")


class FeatureValues(Mapping[str, object]):
    """An item's features, name -> value: an immutable, hashable mapping, so identical stock
    lines compare and group as equal."""

    __slots__ = ("_hash", "_values")

    def __init__(self, values: Mapping[str, object] | None = None):
        self._values: dict[str, object] = dict(values or {})
        self._hash: int | None = None

    def __getitem__(self, name: str) -> object:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._values.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FeatureValues):
            return self._values == other._values
        if isinstance(other, Mapping):
            return self._values == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FeatureValues({self._values!r})"


@dataclass(frozen=True)
class Item:
    """Features not recorded are blank (no, 0, none): compensation needs each positively seen."""

    kind: str
    blade_length_mm: Decimal
    features: FeatureValues = FeatureValues()  # noqa: RUF009 - immutable, so one shared default is safe
    description: str = ""
    claimed_value_pence: int | None = None
    evidence: str = "none"
    acquired_on: dt.date | None = None
    quantity: int = 1
    seal: str = ""

    @classmethod
    def of(cls, kind: str, blade_length_mm: Decimal, features: Features | None = None, **fields: object) -> Item:
        """An item with the declaration's blanks, then `fields` (features or columns) set."""
        base = cls(kind, blade_length_mm, FeatureValues((features or standard_features()).blanks()))
        return base.but(**fields)

    def but(self, **changes: object) -> Item:
        """A copy with some fields or features changed (features by their names)."""
        columns = {k: v for k, v in changes.items() if k in Item.__dataclass_fields__}
        feature_changes = {k: v for k, v in changes.items() if k not in columns}
        if feature_changes:
            columns["features"] = FeatureValues({**self.features, **feature_changes})
        return replace(self, **columns)  # type: ignore[arg-type]  # field names checked above

    def values(self) -> dict[str, object]:
        """What a campaign definition is evaluated against: the features and the blade length."""
        return {**self.features, "blade_length": self.blade_length_mm}

    def group_key(self) -> Item:
        """Identical stock lines share this key (everything but the quantity)."""
        return self if self.quantity == 1 else replace(self, quantity=1)


@lru_cache(maxsize=1)
def standard_features() -> Features:
    """The features of campaigns written before `[features]` existed (both presets' set)."""
    import tomllib

    from surrender.rules.features import STANDARD_TOML, parse_features

    return parse_features(tomllib.loads(STANDARD_TOML)["features"], kinds={})


def csv_columns(features: Features | None = None) -> tuple[str, ...]:
    """The items CSV columns under a campaign: kind, description, blade, its features, money."""
    return (*LEADING_COLUMNS, *(features or standard_features()).names, *TRAILING_COLUMNS)


def __getattr__(name: str) -> tuple[str, ...]:  # CSV_COLUMNS: the standard set, computed when first asked for
    if name == "CSV_COLUMNS":
        return csv_columns()
    raise AttributeError(name)


def parse_date(value: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(f"{column} must be a date like 2024-08-01, not {clip(value)}") from None


def item_from_fields(
    fields: Mapping[str, str | None], features: Features | None = None, defaults: Mapping[str, object] | None = None
) -> Item:
    """Build an Item from text fields named as the CSV columns; empty means blank, or the value in
    `defaults` (the prompts pass the usual answers for the kind)."""
    features = features or standard_features()
    values = {k: ("" if v is None else str(v)).strip() for k, v in fields.items()}
    unknown = [k for k in values if k not in LEADING_COLUMNS and k not in TRAILING_COLUMNS and features.get(k) is None]
    if unknown:
        raise Refused(f"unknown column(s) {', '.join(sorted(unknown))}; known: {', '.join(csv_columns(features))}")
    kind = values.get("kind", "").lower()
    if not kind:
        raise Refused("kind is missing")
    if not values.get("blade_length"):
        raise Refused("blade_length is missing")
    recorded = {}
    for feature in features.declared:
        text = values.get(feature.name, "")
        if text:
            recorded[feature.name] = feature.parse(text)
        elif defaults and feature.name in defaults:
            recorded[feature.name] = defaults[feature.name]
        else:
            recorded[feature.name] = feature.blank
    args: dict[str, object] = {}
    if values.get("claimed_value"):
        args["claimed_value_pence"] = parse_money(values["claimed_value"], "claimed_value")
    if values.get("evidence"):
        evidence = values["evidence"].lower()
        if evidence not in EVIDENCE:
            raise Refused(f"evidence must be one of {', '.join(EVIDENCE)}, not {clip(evidence)}")
        args["evidence"] = evidence
    if values.get("acquired_on"):
        args["acquired_on"] = parse_date(values["acquired_on"], "acquired_on")
    if values.get("quantity"):
        if values["quantity"].strip() in ("0", "00"):
            raise Refused("quantity must be at least 1")
        try:
            args["quantity"] = whole_number(values["quantity"], "quantity", MAX_QUANTITY, minimum=1)
        except Refused as exc:
            raise Refused(f"{exc}: check the figure") from None
    if values.get("description"):
        args["description"] = values["description"][:200]
    if values.get("seal"):
        args["seal"] = values["seal"][:40]
    return Item(kind, parse_length(values["blade_length"]), FeatureValues(recorded), **args)  # type: ignore[arg-type]


def fields_from_words(words: Iterator[str] | list[str], features: Features, where: str) -> dict[str, str]:
    """CSV-named fields from shorthand words: `plain`, `no-plain`, `serrated=3in`, `tanto`, `qty=3`."""
    fields: dict[str, str] = {}
    for token in words:
        token = token.strip()
        if not token:
            continue
        name, has_value, value = token.partition("=")
        key = name.strip().lower()
        if has_value and key in _VALUE_WORDS:
            fields[_VALUE_WORDS[key]] = value
            continue
        negated = not has_value and key.startswith("no-")
        found = features.word(key[3:] if negated else key)
        if found is not None:
            feature, option = found
            if option is not None and not has_value and not negated:
                fields[feature.name] = str(option)
                continue
            if feature.type == YES_NO and not has_value:
                fields[feature.name] = "no" if negated else "yes"
                continue
            if feature.type != YES_NO and has_value and option is None:
                fields[feature.name] = value
                continue
        raise UnknownWord(
            f"{where}: unknown feature {clip(token)}; expected {ITEM_SPEC_HELP} ({features.shorthand_help()})", token
        )
    return fields


def item_from_spec(spec: str, features: Features | None = None) -> Item:
    """Parse the `--item` shorthand into the same fields as a CSV row."""
    features = features or standard_features()
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise Refused(f"--item {clip(spec)}: expected {ITEM_SPEC_HELP}")
    fields = {
        "kind": parts[0],
        "blade_length": parts[1],
        **fields_from_words(parts[2:], features, f"--item {clip(spec)}"),
    }
    return item_from_fields(fields, features)
