"""The item features a scheme tests, declared in its campaign TOML under `[features.NAME]`.

One declaration drives everything about a feature: the items CSV column of the same name, its
`--item` shorthand, the question at the counter (with the answer usually given for each kind),
and the type its definition tests are checked against when the campaign is loaded. A scheme
with a new feature (say `folding`, or `barrel_length`) therefore runs from a TOML file alone.

Blank means "not seen": no, 0, no length, or the choice's `blank` option, since compensation
needs each feature positively recorded. The usual answer is only the prompt's default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from surrender.errors import Refused
from surrender.rules.bounds import clip, whole_number
from surrender.rules.lengths import parse_optional_length

YES_NO, COUNT, LENGTH, CHOICE = "yes-no", "count", "length", "choice"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_WORD = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Columns and shorthand words every campaign has; a feature may not take these names.
RESERVED = frozenset(
    {
        "kind",
        "description",
        "blade_length",
        "claimed_value",
        "evidence",
        "acquired_on",
        "quantity",
        "seal",
        "value",
        "acquired",
        "qty",
        "desc",
    }
)


@dataclass(frozen=True)
class Feature:
    """One declared feature, validated."""

    name: str
    type: str
    question: str
    help: str = ""
    maximum: int = 0  # count: the largest believable answer
    options: tuple[str, ...] = ()  # choice
    blank: object = None  # the value of an unrecorded feature
    usual: Mapping[str, object] | None = None  # kind code ("*" any kind) -> usual answer
    shorthand: tuple[str, ...] = ()  # other words for it in `--item`
    ask_if: str = ""  # a test over other features; the question is skipped unless it holds

    def parse(self, text: str) -> object:
        """A typed value from an answer, CSV cell or shorthand value; blank means not seen."""
        raw = str(text).strip()
        if not raw:
            return self.blank
        if self.type == YES_NO:
            answer = raw.lower()
            if answer in ("yes", "y", "true", "1"):
                return True
            if answer in ("no", "n", "false", "0"):
                return False
            raise Refused(f"{self.name} must be yes or no, not {clip(text)}")
        if self.type == COUNT:
            try:
                return whole_number(raw, self.name, self.maximum)
            except Refused:
                raise Refused(
                    f"{self.name} must be a whole number from 0 to {self.maximum:,}, not {clip(text)}"
                ) from None
        if self.type == LENGTH:
            try:
                return parse_optional_length(raw)
            except Refused as exc:
                raise Refused(f"{self.name}: {exc}") from None
        answer = raw.lower()
        if answer not in self.options:
            raise Refused(f"{self.name} must be one of {', '.join(self.options)}, not {clip(text)}")
        return answer

    @property
    def label(self) -> str:
        """The feature's short name for people: its first shorthand word, or its name."""
        return self.shorthand[0] if self.shorthand else self.name.replace("_", " ")

    def usual_for(self, kind: str) -> object:
        """The answer usually given for this kind (the prompt's default), else blank."""
        if self.usual is None:
            return self.blank
        return self.usual.get(kind, self.usual.get("*", self.blank))

    def show(self, value: object) -> str:
        """A value as the officer typed it: yes/no, 3, 3in / 76.2mm, tanto."""
        if self.type == YES_NO:
            return "yes" if value else "no"
        if self.type == LENGTH:
            return "0" if not value else _short_length(value)  # type: ignore[arg-type]
        return str(value)


def _short_length(mm: Decimal) -> str:
    inches = mm / Decimal("25.4")
    if inches == inches.quantize(Decimal("0.01")):
        return f"{inches.normalize():f}in"
    return f"{mm.normalize():f}mm"


BLADE = Feature("blade_length", LENGTH, "Blade length (e.g. 9.5in, 24cm; a bare number is inches)", blank=Decimal(0))


@dataclass(frozen=True)
class Features:
    """A campaign's declared features in declaration order, with the shorthand words."""

    declared: tuple[Feature, ...]
    _by_name: dict[str, Feature] = field(init=False, repr=False, compare=False)
    _words: dict[str, tuple[Feature, object]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.declared})
        words: dict[str, tuple[Feature, object]] = {}
        for feature in self.declared:
            for word in (feature.name, feature.name.replace("_", "-"), *feature.shorthand):
                words[word] = (feature, None)
            if feature.type == CHOICE:
                for option in feature.options:
                    if option != feature.blank:
                        words.setdefault(option, (feature, option))
        object.__setattr__(self, "_words", words)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.declared)

    def get(self, name: str) -> Feature | None:
        if name == "blade_length":
            return BLADE
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> Feature:
        feature = self.get(name)
        if feature is None:
            raise KeyError(name)
        return feature

    def word(self, word: str) -> tuple[Feature, object] | None:
        """The feature a shorthand word names, and the value a bare choice option gives."""
        return self._words.get(word)

    def words(self) -> tuple[str, ...]:
        """Every shorthand word: names (also with dashes), their other words, choice options."""
        return tuple(self._words)

    def from_stored(self, stored: Mapping[str, object]) -> dict[str, object]:
        """An item's values as stored (JSON: lengths as exact text in mm) typed again, with the
        blade length, as the definitions test them."""
        values: dict[str, object] = {}
        for name, value in stored.items():
            feature = self.get(name)
            values[name] = Decimal(str(value)) if feature is not None and feature.type == LENGTH else value
        return values

    def blanks(self) -> dict[str, object]:
        return {f.name: f.blank for f in self.declared}

    def shorthand_help(self) -> str:
        flags = [f.shorthand[0] if f.shorthand else f.name for f in self.declared if f.type == YES_NO]
        values = [
            f"{(f.shorthand[0] if f.shorthand else f.name)}={_placeholder(f)}"
            for f in self.declared
            if f.type != YES_NO
        ]
        return f"flags: {' '.join(flags) or '-'}; values: {' '.join(values) or '-'}"


def _placeholder(feature: Feature) -> str:
    return {COUNT: "N", LENGTH: "LEN"}.get(feature.type) or "|".join(feature.options)


# --- the declaration, validated with pydantic so each mistake names its key -----------------


def parse_features(table: object, kinds: Mapping[str, object]) -> Features:
    """Validate `[features.NAME]` tables; `kinds` are the campaign's kind codes (for `usual`)."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

    class Declared(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        type: Literal["yes-no", "count", "length", "choice"]
        question: str = Field(min_length=1, max_length=200)
        help: str = Field("", max_length=300)
        maximum: int | None = Field(None, ge=1, le=1_000_000)
        options: list[str] | None = Field(None, min_length=2, max_length=20)
        blank: str | None = None
        usual: str | dict[str, str] | None = None
        shorthand: list[str] = Field(default_factory=list, max_length=10)
        ask_if: str = Field("", max_length=200)

        @field_validator("options", "shorthand")
        @classmethod
        def _words(cls, words: list[str] | None) -> list[str] | None:
            for word in words or []:
                if not _WORD.match(word):
                    raise ValueError(f"{word!r} must be lower-case letters, digits and dashes")
            if words and len(set(words)) != len(words):
                raise ValueError("a word is listed twice")
            return words

        @model_validator(mode="after")
        def _fits_type(self) -> Any:
            if (self.type == "count") != (self.maximum is not None):
                raise ValueError("a count needs `maximum` (the largest believable answer); other types take none")
            if (self.type == "choice") != (self.options is not None):
                raise ValueError("a choice needs `options`; other types take none")
            if self.type == "choice" and self.blank not in (self.options or []):
                raise ValueError("a choice needs `blank`: the option an unrecorded answer means, one of `options`")
            if self.type != "choice" and self.blank is not None:
                raise ValueError("only a choice takes `blank`")
            return self

    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise Refused("campaign file: features must be tables like [features.NAME]")
    declared: list[Feature] = []
    taken: dict[str, str] = {}
    for name, entry in table.items():
        where = f"features.{name}"
        if not _NAME.match(name) or name in RESERVED:
            raise Refused(
                f"campaign file: {where}: a feature name is lower-case letters, digits and _ "
                f"and not one of {', '.join(sorted(RESERVED))}"
            )
        try:
            spec = Declared.model_validate(entry)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"])
            raise Refused(f"campaign file: {where}{'.' + key if key else ''}: {error['msg']}") from None
        feature = Feature(
            name=name,
            type=spec.type,
            question=spec.question,
            help=spec.help,
            maximum=spec.maximum or 0,
            options=tuple(spec.options or ()),
            shorthand=tuple(spec.shorthand),
            ask_if=spec.ask_if,
            blank={YES_NO: False, COUNT: 0, LENGTH: Decimal(0)}.get(spec.type, spec.blank),
        )
        for word in (name, name.replace("_", "-"), *feature.shorthand):
            if word in RESERVED or taken.get(word, name) != name:
                raise Refused(
                    f"campaign file: {where}.shorthand: {word!r} is already "
                    f"{'a column' if word in RESERVED else 'used by ' + taken[word]}"
                )
            taken[word] = name
        usual = spec.usual
        if usual is not None:
            usual = {"*": usual} if isinstance(usual, str) else usual
            values = {}
            for kind, answer in usual.items():
                if kind != "*" and kind not in kinds:
                    raise Refused(f"campaign file: {where}.usual: no kind {kind!r}; kinds: {', '.join(kinds)}")
                try:
                    values[kind] = feature.parse(answer)
                except Refused as exc:
                    raise Refused(f"campaign file: {where}.usual.{kind}: {exc}") from None
            feature = _with(feature, usual=values)
        declared.append(feature)
    return Features(tuple(declared))


def _with(feature: Feature, **changes: Any) -> Feature:
    from dataclasses import replace

    return replace(feature, **changes)


# The features a campaign written before `[features]` existed tests (the two presets' set):
# stored campaign texts and older campaign files keep loading with exactly these.
STANDARD_TOML = """
[features.plain_edge]
type = "yes-no"
question = "Plain cutting edge?"
help = "A smooth sharpened edge (on a sword, the primary straight edge)."
shorthand = ["plain"]
usual = "yes"

[features.sharp_point]
type = "yes-no"
question = "Sharp pointed end?"
shorthand = ["point", "pointed"]
usual = "yes"

[features.serrated_length]
type = "length"
question = "Length of serrated edge (0 if none)"
help = "Saw-like teeth along the edge; measure them."
shorthand = ["serrated"]

[features.serrated_at_handle]
type = "yes-no"
question = "Is the serrated edge next to the handle?"
shorthand = ["at-handle"]
ask_if = "serrated_length > 0"

[features.holes]
type = "count"
maximum = 1000
question = "Number of holes in the blade"

[features.spikes]
type = "yes-no"
question = "Spikes?"

[features.points]
type = "count"
maximum = 1000
question = "Number of sharp points in the blade"

[features.secondary_edge]
type = "yes-no"
question = "Secondary straight cutting edge?"
shorthand = ["secondary"]

[features.blunt_spine]
type = "yes-no"
question = "Blunt spine?"
shorthand = ["spine"]

[features.point_style]
type = "choice"
options = ["tanto", "reverse-tanto", "other"]
blank = "other"
question = "Point style (tanto, reverse-tanto, other)"
shorthand = ["style"]
"""
