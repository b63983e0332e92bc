"""Legal definitions as data: small tests over item features, written in campaign TOML.

A test reads like the statute: `plain_edge`, `not serrated_at_handle`, `blade_length > 8in`,
`holes > 1`, `point_style in tanto,reverse-tanto`, joined with `and`. A definition is met when
every `all` test holds and, if it has `any` tests, at least one of them does.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

from surrender.errors import Refused
from surrender.rules.items import FEATURE_TYPES
from surrender.rules.lengths import parse_length

_OPERATORS = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


@dataclass(frozen=True)
class Term:
    feature: str
    op: str  # "truthy", "falsy", one of _OPERATORS, or "in"
    value: object = None

    def holds(self, features: dict[str, object]) -> bool:
        actual = features[self.feature]
        if self.op == "truthy":
            return bool(actual)
        if self.op == "falsy":
            return not actual
        if self.op == "in":
            return actual in self.value  # type: ignore[operator]
        return _OPERATORS[self.op](actual, self.value)


@dataclass(frozen=True)
class Test:
    """One clause of a definition, with the words shown when it is not met."""

    source: str
    text: str
    terms: tuple[Term, ...]

    def holds(self, features: dict[str, object]) -> bool:
        return all(term.holds(features) for term in self.terms)


@dataclass(frozen=True)
class Definition:
    text: str
    all: tuple[Test, ...]
    any: tuple[Test, ...]
    any_text: str = "one or more of the listed extra features"

    def unmet(self, features: dict[str, object]) -> list[str]:
        """Texts of the clauses not met; empty when the item meets the definition."""
        missing = [f"needs {test.text}" for test in self.all if not test.holds(features)]
        if self.any and not any(test.holds(features) for test in self.any):
            missing.append(f"needs {self.any_text}")
        return missing


def _parse_value(feature: str, raw: str) -> object:
    kind = FEATURE_TYPES[feature]
    if kind is Decimal:
        return parse_length(raw) if raw not in ("0", "0in", "0mm") else Decimal(0)
    if kind is int:
        if not (raw.isascii() and raw.isdigit()):  # str.isdigit alone admits '²', which int() rejects
            raise Refused(f"{feature} is compared with a whole number, not {raw!r}")
        return int(raw)
    if kind is bool:
        raise Refused(f"{feature} is yes/no: write `{feature}` or `not {feature}`")
    return raw


def parse_term(source: str) -> Term:
    words = source.split()
    if len(words) == 2 and words[0] == "not":
        feature, op = words[1], "falsy"
    elif len(words) == 1:
        feature, op = words[0], "truthy"
    elif len(words) == 3:
        feature, op = words[0], words[1]
    else:
        raise Refused(f"cannot read test {source!r}: write FEATURE, not FEATURE or FEATURE OP VALUE")
    if feature not in FEATURE_TYPES:
        raise Refused(f"unknown feature {feature!r} in {source!r}; known: {', '.join(FEATURE_TYPES)}")
    if op in ("truthy", "falsy"):
        return Term(feature, op)
    if op == "in":
        return Term(feature, "in", tuple(v.strip() for v in words[2].split(",")))
    if op not in _OPERATORS:
        raise Refused(f"unknown comparison {op!r} in {source!r}; use one of {', '.join(_OPERATORS)} or in")
    return Term(feature, op, _parse_value(feature, words[2]))


def parse_test(entry: object) -> Test:
    """A test is a string, or a table `{ test = "...", text = "..." }` naming it for people."""
    if isinstance(entry, str):
        source, text = entry, entry
    elif isinstance(entry, dict) and isinstance(entry.get("test"), str):
        source, text = entry["test"], str(entry.get("text", entry["test"]))
    else:
        raise Refused(f"a definition test must be a string or {{ test = ..., text = ... }}, not {entry!r}")
    terms = tuple(parse_term(part.strip()) for part in source.split(" and "))
    return Test(source=source, text=text, terms=terms)


def parse_definition(table: dict, name: str) -> Definition:
    if not isinstance(table, dict):
        raise Refused(f"definition {name!r} must be a table")
    unknown = set(table) - {"text", "all", "any", "any_text"}
    if unknown:
        raise Refused(f"definition {name!r} has unknown key(s): {', '.join(sorted(unknown))}")
    all_tests = tuple(parse_test(e) for e in table.get("all", []))
    any_tests = tuple(parse_test(e) for e in table.get("any", []))
    if not all_tests and not any_tests:
        raise Refused(f"definition {name!r} has no tests: add `all` or `any`")
    return Definition(
        text=str(table.get("text", name)),
        all=all_tests,
        any=any_tests,
        any_text=str(table.get("any_text", "one or more of: " + "; ".join(t.text for t in any_tests))),
    )
