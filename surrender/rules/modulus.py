"""UK bank details checked as banks check them: the Vocalink (Pay.UK) modulus check, through the
`uk-mod-check` package (MIT), which implements the published algorithm and ships the published
tables.

Pure: the caller passes the tables (`ModulusTables`); `built_in()` is the package's own copy.
Newer tables, as Vocalink publishes them (the weight table `valacdos.txt` and the substitution
table `scsubtab.txt`), are parsed here from their text and kept in the database by
`surrender db modulus-tables DIR`.

uk-mod-check reads its tables from two module attributes (`mod_rules`, `code_subs`) filled at
import from its package data; to check against other tables, `check` sets those two attributes
for the duration of one call, under a lock, and puts them back.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from surrender.errors import Refused


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # the sort code is known and the pair fails its check: a typing mistake
    UNKNOWN = "unknown"  # the sort code is not in the tables: the account number cannot be checked


@dataclass(frozen=True)
class ModulusCheck:
    verdict: Verdict
    sort_code: str  # as checked: 6 digits
    substitute: str | None = None  # the sort code the tables substituted, if any


MAX_TABLE_BYTES = 1024 * 1024  # the published weight table is ~80 KB
MAX_TABLE_LINES = 20_000


@dataclass(frozen=True)
class ModulusTables:
    weights: str  # the text of valacdos.txt
    substitutions: str  # the text of scsubtab.txt
    name: str = "uk-mod-check built-in"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.weights.encode() + b"\x00" + self.substitutions.encode()).hexdigest()

    @property
    def rule_count(self) -> int:
        return sum(1 for line in self.weights.splitlines() if line.strip())

    @property
    def substitution_count(self) -> int:
        return sum(1 for line in self.substitutions.splitlines() if line.strip())


_WEIGHT_LINE = re.compile(r"^\s*(\d{6})\s+(\d{6})\s+(MOD10|MOD11|DBLAL)((?:\s+-?\d{1,3}){14})(\s+\d{1,2})?\s*$")
_SUBS_LINE = re.compile(r"^\s*(\d{6})\s+(\d{6})\s*$")


def parse_tables(weights: str, substitutions: str, name: str) -> ModulusTables:
    """Check the two tables' text line by line (a refusal names the file and line), so a wrong
    or damaged file is never put into use."""
    for text, what in ((weights, "weight table"), (substitutions, "substitution table")):
        if len(text.encode()) > MAX_TABLE_BYTES:
            raise Refused(f"the {what} is over {MAX_TABLE_BYTES // 1024} KB; the published one is under 100 KB")
        if len(text.splitlines()) > MAX_TABLE_LINES:
            raise Refused(f"the {what} has over {MAX_TABLE_LINES:,} lines")
    rules = 0
    for number, line in enumerate(weights.splitlines(), 1):
        if not line.strip():
            continue
        match = _WEIGHT_LINE.match(line)
        if match is None:
            raise Refused(
                f"weight table line {number} is not `START END MOD10|MOD11|DBLAL` and 14 weights "
                f"(and an exception number): {line[:60]!r}"
            )
        if match.group(1) > match.group(2):
            raise Refused(f"weight table line {number}: the range starts after it ends")
        rules += 1
    if rules == 0:
        raise Refused("the weight table holds no rules")
    for number, line in enumerate(substitutions.splitlines(), 1):
        if line.strip() and _SUBS_LINE.match(line) is None:
            raise Refused(f"substitution table line {number} is not two 6-digit sort codes: {line[:60]!r}")
    tables = ModulusTables(_tidy(weights), _tidy(substitutions), name)
    _parsed(tables)  # the package's parser must read it too
    return tables


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip()) + "\n"


@functools.lru_cache(maxsize=1)
def built_in() -> ModulusTables:
    """The tables shipped inside uk-mod-check."""
    from importlib import resources

    data = resources.files("uk_mod_check").joinpath("data")
    return ModulusTables(
        _tidy(data.joinpath("weights.txt").read_text("ascii")),
        _tidy(data.joinpath("subs.txt").read_text("ascii")),
        "uk-mod-check built-in",
    )


@functools.lru_cache(maxsize=4)
def _parsed(tables: ModulusTables) -> tuple[Any, Any]:
    from uk_mod_check import data_parser

    try:
        rules = data_parser.ModRules(
            [data_parser.ModRule.from_line(line) for line in tables.weights.splitlines() if line.strip()]
        )
        subs = data_parser.CodeSubstitutions(
            [data_parser.CodeSubstitution.from_line(line) for line in tables.substitutions.splitlines() if line.strip()]
        )
    except (ValueError, IndexError) as exc:
        raise Refused(f"the modulus tables cannot be read: {exc}") from None
    return rules, subs


_LOCK = threading.Lock()


def check(sort_code: str, account_number: str, tables: ModulusTables | None = None) -> ModulusCheck:
    """The modulus check of a normalised pair (`12-34-56`, `12345678`) against `tables`
    (default: the package's own)."""
    import uk_mod_check

    digits = re.sub(r"\D", "", sort_code)
    if not (re.fullmatch(r"[0-9]{6}", digits) and re.fullmatch(r"[0-9]{8}", account_number)):
        raise ValueError("check() takes a normalised sort code and account number")
    with _LOCK:
        if tables is None:  # the package's own tables, as it parsed them on import
            result = uk_mod_check.validate(int(digits), int(account_number))
        else:
            rules, subs = _parsed(tables)
            saved = uk_mod_check.mod_rules, uk_mod_check.code_subs
            uk_mod_check.mod_rules, uk_mod_check.code_subs = rules, subs
            try:
                result = uk_mod_check.validate(int(digits), int(account_number))
            finally:
                uk_mod_check.mod_rules, uk_mod_check.code_subs = saved
    if not result.known_sort_code:
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.VALID if result.result else Verdict.INVALID
    substitute = f"{result.substitute_sort_code:06d}" if result.substitute_sort_code is not None else None
    return ModulusCheck(verdict, digits, substitute)


def next_valid_account(sort_code: str, account_number: str, tables: ModulusTables | None = None) -> str:
    """The first account number at or after `account_number` that passes with `sort_code`
    (for made-up demonstration data only)."""
    number = int(account_number)
    for _ in range(10_000):
        candidate = f"{number % 100_000_000:08d}"
        if check(sort_code, candidate, tables).verdict != Verdict.INVALID:
            return candidate
        number += 1
    raise Refused(f"no account number near {account_number} passes with sort code {sort_code}")
