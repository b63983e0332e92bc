"""A campaign (scheme) as validated data: window, cut-off, money rules, kinds, thresholds."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from surrender.errors import Refused
from surrender.rules.bounds import check_toml_shape
from surrender.rules.definitions import Definition, Test, describe_deciding, parse_definition, parse_test
from surrender.rules.features import Features, parse_features
from surrender.rules.items import EVIDENCE, standard_features
from surrender.rules.money import parse_money
from surrender.rules.patterns import Price, parse_price_list
from surrender.rules.payer import FORCE, parse_payer


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    definition_name: str
    definition: Definition


@dataclass(frozen=True)
class Campaign:
    code: str
    name: str
    legal_basis: str
    reference_prefix: str
    timezone: str
    opens: dt.date
    closes: dt.date  # inclusive
    ownership_cutoff: dt.date
    declaration: str
    standard_pence: int
    minimum_total_pence: int | None
    minimum_note: str
    acceptable_evidence: tuple[str, ...]
    review_item_over_pence: int
    review_claim_over_pence: int
    review_items_over: int
    kinds: Mapping[str, Kind]
    source: str
    features: Features
    ask_if: Mapping[str, Test] = field(default_factory=dict)  # feature -> when its question is asked
    payer: str = FORCE  # who decides and pays claims: "home-office" or "force" (a file without the key: force)
    destroy_by: dt.date | None = None  # [custody] destroy_by: held after this date is an exception
    price_list: tuple[Price, ...] = ()  # `price_list = "FILE.csv"`: a claimed value above it is flagged
    booking_threshold: int | None = None  # a surrender of this many items or more is matched to a booking

    def kind(self, code: str) -> Kind:
        try:
            return self.kinds[code]
        except KeyError:
            raise Refused(
                f"unknown kind {code!r} for campaign {self.code}; use one of: {', '.join(self.kinds)}"
            ) from None

    def decided_by(self, kind: str, values: Mapping[str, object]) -> list[str]:
        """The features that made an item of `kind` eligible, as its receipt names them
        (`serrated 3in`, `spikes`); empty for an unknown kind or an item that is not eligible."""
        known = self.kinds.get(kind)
        return [] if known is None else describe_deciding(known.definition, self.features, dict(values))


_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_PREFIX = re.compile(r"^[A-Z0-9]{1,4}$")


def _require(table: object, key: str, where: str) -> Any:
    """`table[key]` from parsed TOML (any TOML value: the caller checks its type)."""
    if not isinstance(table, dict):  # e.g. `window = 5`: refuse rather than crash on `in`
        raise Refused(f"campaign file: {where} must be a table like [{where}], not {table!r}")
    if key not in table:
        raise Refused(f"campaign file: [{where}] is missing {key!r}")
    return table[key]


KNOWN_KEYS = {
    "top level": (
        "code",
        "name",
        "legal_basis",
        "reference_prefix",
        "timezone",
        "window",
        "eligibility",
        "money",
        "review",
        "features",
        "definitions",
        "kinds",
        "payer",
        "custody",
        "price_list",
        "price_list_text",
        "booking_threshold",
    ),
    "price_list_text": ("file", "sha256", "csv"),
    "window": ("opens", "closes"),
    "eligibility": ("owned_on_or_before", "declaration"),
    "money": ("standard", "minimum_claim_total", "minimum_note", "acceptable_evidence"),
    "review": ("item_over", "claim_over", "items_over"),
    "custody": ("destroy_by",),
    "kinds": ("label", "definition"),
}


def _only_known(table: object, where: str, known: tuple[str, ...]) -> None:
    """A key the scheme does not know is a mistake (a misspelt `minimum_total` would otherwise
    quietly mean "no minimum"): refused naming the closest known key."""
    if not isinstance(table, dict):
        return
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise Refused(f"campaign file: [{where}] has an unknown key {str(key)!r}{hint}")


def _date(table: object, key: str, where: str) -> dt.date:
    value = _require(table, key, where)
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise Refused(f"campaign file: {where}.{key} must be a date like 2024-08-26, not {value!r}")
    return value


def _money(table: object, key: str, where: str) -> int:
    value = _require(table, key, where)
    if not isinstance(value, str):
        raise Refused(f'campaign file: {where}.{key} must be a quoted amount like "10.00" (exact money)')
    return parse_money(value, f"{where}.{key}")


@functools.lru_cache(maxsize=8)
def parse_campaign(source: str) -> Campaign:
    """Validate campaign TOML text; every mistake names the key to fix. The same text gives the
    same (immutable) Campaign, so it is parsed once per process however often it is read."""
    check_toml_shape(source)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise Refused(f"campaign file is not valid TOML: {exc}") from None
    except ValueError:  # a number thousands of digits long: tomllib will not read it
        raise Refused("campaign file is not valid TOML: a number in it is too long to read") from None
    for where, known in KNOWN_KEYS.items():
        if where == "top level":
            _only_known(data, where, known)
        elif where == "kinds":
            kinds = data.get("kinds")
            for kind_code, table in kinds.items() if isinstance(kinds, dict) else ():
                _only_known(table, f"kinds.{kind_code}", known)
        else:
            _only_known(data.get(where), where, known)
    code = str(_require(data, "code", "top level"))
    if not _CODE.match(code):
        raise Refused(f"campaign code {code!r} must be lower-case letters, digits and dashes")
    prefix = str(_require(data, "reference_prefix", "top level"))
    if not _PREFIX.match(prefix):
        raise Refused(f"reference_prefix {prefix!r} must be 1-4 upper-case letters or digits")
    window = _require(data, "window", "top level")
    opens, closes = _date(window, "opens", "window"), _date(window, "closes", "window")
    if closes < opens:
        raise Refused("campaign file: window.closes is before window.opens")
    eligibility = _require(data, "eligibility", "top level")
    money = _require(data, "money", "top level")
    standard = _money(money, "standard", "money")
    if standard <= 0:
        raise Refused("campaign file: money.standard must be more than zero")
    minimum = _money(money, "minimum_claim_total", "money") if "minimum_claim_total" in money else None
    evidence = tuple(money.get("acceptable_evidence", ["receipt", "invoice", "bank-statement"]))
    bad = [e for e in evidence if e not in EVIDENCE or e == "none"]
    if bad:
        raise Refused(f"campaign file: money.acceptable_evidence has unknown {bad}; known: {EVIDENCE[1:]}")
    review = _require(data, "review", "top level")
    items_over = _require(review, "items_over", "review")
    if not isinstance(items_over, int) or isinstance(items_over, bool) or items_over < 1:
        raise Refused("campaign file: review.items_over must be a whole number of 1 or more")
    kinds_table = _require(data, "kinds", "top level")
    if not isinstance(kinds_table, dict):
        raise Refused("campaign file: kinds must be tables like [kinds.CODE]")
    # A campaign written before `[features]` existed tests the standard set.
    features = parse_features(data["features"], kinds_table) if "features" in data else standard_features()
    ask_if = {}
    for feature in features.declared:
        if feature.ask_if:
            try:
                ask_if[feature.name] = parse_test(feature.ask_if, features)
            except Refused as exc:
                raise Refused(f"campaign file: features.{feature.name}.ask_if: {exc}") from None
    definitions_table = data.get("definitions", {})
    if not isinstance(definitions_table, dict):
        raise Refused("campaign file: definitions must be tables like [definitions.NAME]")
    definitions = {name: parse_definition(table, name, features) for name, table in definitions_table.items()}
    if not kinds_table:
        raise Refused("campaign file: [kinds] lists no weapon kinds")
    kinds = {}
    for kind_code, table in kinds_table.items():
        if not _CODE.match(str(kind_code)):
            raise Refused(f"campaign file: kinds.{kind_code}: a kind code is lower-case letters, digits and dashes")
        name = str(_require(table, "definition", f"kinds.{kind_code}"))
        if name not in definitions:
            raise Refused(f"campaign file: kinds.{kind_code} uses definition {name!r}, which is not defined")
        kinds[kind_code] = Kind(kind_code, str(table.get("label", kind_code)), name, definitions[name])
    timezone = str(data.get("timezone", "Europe/London"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(f"campaign file: timezone {timezone!r} is not a known time zone like Europe/London") from None
    return Campaign(
        code=code,
        name=str(_require(data, "name", "top level")),
        legal_basis=str(_require(data, "legal_basis", "top level")),
        reference_prefix=prefix,
        timezone=timezone,
        opens=opens,
        closes=closes,
        ownership_cutoff=_date(eligibility, "owned_on_or_before", "eligibility"),
        declaration=str(_require(eligibility, "declaration", "eligibility")),
        standard_pence=standard,
        minimum_total_pence=minimum,
        minimum_note=str(money.get("minimum_note", "")),
        acceptable_evidence=evidence,
        review_item_over_pence=_money(review, "item_over", "review"),
        review_claim_over_pence=_money(review, "claim_over", "review"),
        review_items_over=items_over,
        kinds=MappingProxyType(kinds),
        source=source,
        features=features,
        ask_if=MappingProxyType(ask_if),
        payer=parse_payer(data.get("payer", FORCE)),
        destroy_by=_destroy_by(data),
        price_list=_price_list(data),
        booking_threshold=_booking_threshold(data),
    )


def _destroy_by(data: dict[str, Any]) -> dt.date | None:
    """`[custody] destroy_by`: the date by which the scheme's weapons are to be destroyed."""
    custody = data.get("custody", {})
    if not isinstance(custody, dict) or "destroy_by" in custody:
        return _date(custody, "destroy_by", "custody")
    return None


PRICE_LIST_TEXT = "price_list_text"


def _price_list(data: dict[str, Any]) -> tuple[Price, ...]:
    """`price_list = "FILE.csv"` names a CSV beside the campaign file; loading the file inlines
    its text as `[price_list_text]` (campaigns.load_file), so the stored campaign carries the
    list it was registered with and this stays a pure parse of text."""
    if "price_list" not in data:
        if PRICE_LIST_TEXT in data:
            raise Refused(f"campaign file: [{PRICE_LIST_TEXT}] is written by surrender for `price_list = FILE`")
        return ()
    name = data["price_list"]
    if not isinstance(name, str) or not name.strip():
        raise Refused('campaign file: price_list must name a CSV file like "prices.csv"')
    inlined = data.get(PRICE_LIST_TEXT)
    if not isinstance(inlined, dict) or not isinstance(inlined.get("csv"), str):
        raise Refused(
            f"campaign file: price_list {name!r} is read with the campaign file: "
            "check or register it by its path (`surrender campaign register FILE.toml`)"
        )
    return parse_price_list(inlined["csv"], f"price list {name}")


def _booking_threshold(data: dict[str, Any]) -> int | None:
    """`booking_threshold = 5`: anyone bringing this many items or more is asked to book."""
    if "booking_threshold" not in data:
        return None
    value = data["booking_threshold"]
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1_000_000:
        raise Refused("campaign file: booking_threshold must be a whole number of items, 1 or more")
    return value
