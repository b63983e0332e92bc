"""Legal definitions as data: small tests over item features, written in campaign TOML.

A test reads like the statute: `plain_edge`, `not serrated_at_handle`, `blade_length > 8in`,
`holes > 1`, `point_style in tanto,reverse-tanto`, joined with `and`. A definition is met when
every `all` test holds and, if it has `any` tests, at least one of them does.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from surrender.errors import Refused
from surrender.rules.bounds import clip
from surrender.rules.features import CHOICE, COUNT, LENGTH, YES_NO, Feature, Features
from surrender.rules.lengths import format_inches, parse_length

_OPERATORS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
# Which tests each type of feature admits: a yes/no is itself a test, a choice is equal to an
# option or not, numbers and lengths compare.
_ALLOWED = {
    YES_NO: ("truthy", "falsy"),
    CHOICE: ("==", "!=", "in"),
    COUNT: ("truthy", "falsy", *_OPERATORS, "in"),
    LENGTH: ("truthy", "falsy", *_OPERATORS),
}
_HOW = {
    YES_NO: "a yes/no feature is tested as `{f}` or `not {f}`",
    CHOICE: "a choice can only be tested with == or != (one option) or in (options, comma-separated)",
    COUNT: "a whole number is tested with >, >=, <, <=, ==, != or in",
    LENGTH: "a length is tested with >, >=, <, <=, == or != against a length like 8in",
}


@dataclass(frozen=True)
class Term:
    feature: str
    op: str  # "truthy", "falsy", one of _OPERATORS, or "in"
    value: object = None
    blank: object = None  # the feature's value when an item does not record it

    def holds(self, features: dict[str, object]) -> bool:
        actual = features.get(self.feature, self.blank)
        if self.op == "truthy":
            return bool(actual)
        if self.op == "falsy":
            return not actual
        if self.op == "in":
            return actual in self.value  # type: ignore[operator]
        return bool(_OPERATORS[self.op](actual, self.value))  # type: ignore[arg-type]  # types checked at load


@dataclass(frozen=True)
class Test:
    """One clause of a definition, with the words shown when it is not met."""

    source: str
    text: str
    terms: tuple[Term, ...]

    def holds(self, features: dict[str, object]) -> bool:
        return all(term.holds(features) for term in self.terms)

    def known(self, features: dict[str, object]) -> bool | None:
        """True or False if the answers so far settle it, None while a feature it needs is unknown."""
        result: bool | None = True
        for term in self.terms:
            if term.feature not in features:
                result = None
            elif not term.holds(features):
                return False
        return result


@dataclass(frozen=True)
class Definition:
    text: str
    all: tuple[Test, ...]
    any: tuple[Test, ...]
    any_text: str = "one or more of the listed extra features"

    def settled(self, features: dict[str, object]) -> bool:
        """Whether the answers so far decide the definition, whatever the unasked features are:
        the prompts stop asking about an item once this is so."""
        alls = [test.known(features) for test in self.all]
        if False in alls:
            return True
        anys = [test.known(features) for test in self.any]
        if self.any and True not in anys and None not in anys:
            return True  # every `any` test failed
        return None not in alls and (not self.any or True in anys)

    def features(self) -> list[str]:
        """The features its tests read, in the order they are written."""
        seen: list[str] = []
        for test in (*self.all, *self.any):
            for term in test.terms:
                if term.feature not in seen:
                    seen.append(term.feature)
        return seen

    def deciding(self, features: dict[str, object]) -> list[Term]:
        """The terms that made an item meet the definition, for its receipt: those of the `any`
        tests that hold (of the `all` tests when there are none), except negations and the
        blade length, which has its own column. Empty when the definition is not met."""
        if self.unmet(features):
            return []
        tests = [t for t in self.any if t.holds(features)] if self.any else list(self.all)
        out: list[Term] = []
        for test in tests:
            for term in test.terms:
                if (
                    term.op != "falsy"
                    and term.feature != "blade_length"
                    and term.feature not in [t.feature for t in out]
                ):
                    out.append(term)
        return out

    def unmet(self, features: dict[str, object]) -> list[str]:
        """Texts of the clauses not met; empty when the item meets the definition."""
        missing = [f"needs {test.text}" for test in self.all if not test.holds(features)]
        if self.any and not any(test.holds(features) for test in self.any):
            missing.append(f"needs {self.any_text}")
        return missing


def _parse_value(feature: Feature, raw: str, source: str) -> object:
    if feature.type == LENGTH:
        if raw in ("0", "0in", "0mm", "0cm"):
            return Decimal(0)
        if raw.replace(".", "", 1).isdigit():
            raise Refused(
                f"test {clip(source, 80)}: {feature.name} is a length: write the unit, e.g. {raw}in or {raw}mm"
            )
        try:
            return parse_length(raw)
        except Refused:
            raise Refused(
                f"test {clip(source, 80)}: {clip(raw)} is not a length: {feature.name} is "
                "compared with a length like 8in"
            ) from None
    if feature.type == COUNT:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
            raise Refused(f"test {clip(source, 80)}: {feature.name} is compared with a whole number, not {clip(raw)}")
        return int(raw)
    if raw not in feature.options:  # a choice
        raise Refused(
            f"test {clip(source, 80)}: {clip(raw)} is not an option of {feature.name} ({', '.join(feature.options)})"
        )
    return raw


def parse_term(source: str, features: Features | None = None) -> Term:
    """One term, checked against the declared features: the feature exists and the comparison
    suits its type (`point_style > tanto` is refused, as is `blade_length > 8` without a unit)."""
    if features is None:
        from surrender.rules.items import standard_features

        features = standard_features()
    words = source.split()
    if len(words) == 2 and words[0] == "not":
        name, op = words[1], "falsy"
    elif len(words) == 1:
        name, op = words[0], "truthy"
    elif len(words) == 3:
        name, op = words[0], words[1]
    else:
        raise Refused(f"cannot read test {clip(source, 80)}: write FEATURE, not FEATURE or FEATURE OP VALUE")
    feature = features.get(name)
    if feature is None:
        raise Refused(
            f"unknown feature {clip(name)} in {clip(source, 80)}; declared: "
            f"{', '.join(('blade_length', *features.names))}"
        )
    if op not in _OPERATORS and op not in ("truthy", "falsy", "in"):
        raise Refused(f"unknown comparison {clip(op)} in {clip(source, 80)}; use one of {', '.join(_OPERATORS)} or in")
    if op not in _ALLOWED[feature.type]:
        raise Refused(
            f"test {clip(source, 80)}: {feature.name} is a {feature.type}; " + _HOW[feature.type].format(f=feature.name)
        )
    if op in ("truthy", "falsy"):
        return Term(name, op, blank=feature.blank)
    if op == "in":
        return Term(
            name,
            "in",
            tuple(_parse_value(feature, v.strip(), source) for v in words[2].split(",")),
            blank=feature.blank,
        )
    return Term(name, op, _parse_value(feature, words[2], source), blank=feature.blank)


def parse_test(entry: object, features: Features | None = None) -> Test:
    """A test is a string, or a table `{ test = "...", text = "..." }` naming it for people."""
    if isinstance(entry, str):
        source, text = entry, entry
    elif isinstance(entry, dict) and isinstance(entry.get("test"), str):
        source, text = entry["test"], str(entry.get("text", entry["test"]))
    else:
        raise Refused(f"a definition test must be a string or {{ test = ..., text = ... }}, not {clip(entry, 80)}")
    terms = tuple(parse_term(part.strip(), features) for part in source.split(" and "))
    return Test(source=source, text=text, terms=terms)


def parse_definition(table: dict[str, Any], name: str, features: Features | None = None) -> Definition:
    if not isinstance(table, dict):
        raise Refused(f"definition {name!r} must be a table")
    unknown = set(table) - {"text", "all", "any", "any_text"}
    if unknown:
        raise Refused(f"definition {name!r} has unknown key(s): {', '.join(sorted(unknown))}")
    for key in ("all", "any"):
        if not isinstance(table.get(key, []), list):
            raise Refused(f"definition {name!r}: {key} must be a list of tests")
    try:
        all_tests = tuple(parse_test(e, features) for e in table.get("all", []))
        any_tests = tuple(parse_test(e, features) for e in table.get("any", []))
    except Refused as exc:
        raise Refused(f"definitions.{name}: {exc}") from None
    if not all_tests and not any_tests:
        raise Refused(f"definition {name!r} has no tests: add `all` or `any`")
    return Definition(
        text=str(table.get("text", name)),
        all=all_tests,
        any=any_tests,
        any_text=str(table.get("any_text", "one or more of: " + "; ".join(t.text for t in any_tests))),
    )


def describe_deciding(definition: Definition, features: Features, values: dict[str, object]) -> list[str]:
    """`serrated 3in`, `spikes`, `holes 3`, `style tanto`: the features that made the item meet
    `definition`, as its receipt names them (lengths in the Order's unit)."""
    out = []
    for term in definition.deciding(values):
        feature = features.get(term.feature)
        if feature is None:  # pragma: no cover - definitions are checked against the features at load
            continue
        value = values.get(term.feature, feature.blank)
        if feature.type == YES_NO:
            out.append(feature.label)
        elif feature.type == LENGTH:
            out.append(f"{feature.label} {format_inches(value)}")  # type: ignore[arg-type]
        else:
            out.append(f"{feature.label} {value}")
    return out
