"""A scheme return's two files (issue 15 point 6), written and read back exactly.

Both files carry the same content and the same digest (`rules.returns.digest`: SHA-256 of the
canonical content), so either can be checked and merged:

- CSV, one figure a line: `section,station,kind,figure,value`; sections `return` (force,
  campaign, period, made_at, anchor), `total`, `station`, `weapons`, then `digest,,,sha256,HEX`.
- JSON: `{"force", "force_name", "campaign", ..., "total": {...}, "stations": [...],
  "weapons": [...], "digest"}`.

Money is written as exact pounds (`1234.50`), times in local ISO with their offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from surrender.clock import iso
from surrender.errors import Refused
from surrender.exports import neutralise
from surrender.rules.money import format_pence
from surrender.rules.returns import FIGURES, MONEY, STATION_FIGURES, Figures, SchemeReturn, StationFigures, Weapons
from surrender.userfiles import read_text_file

HEADER = ("section", "station", "kind", "figure", "value")
META = ("force", "force_name", "campaign", "campaign_name", "period_from", "period_to", "made_at", "anchor")
MAX_RETURN_BYTES = 4 * 1024 * 1024  # a force's return is a few kilobytes
_POUNDS = re.compile(r"(\d{1,15})\.(\d{2})")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _money(name: str, value: int) -> object:
    return format_pence(value) if name in MONEY else value


def _meta(scheme_return: SchemeReturn) -> dict[str, str]:
    made_at = iso(scheme_return.made_at)
    assert made_at is not None
    return {
        "force": scheme_return.force,
        "force_name": scheme_return.force_name,
        "campaign": scheme_return.campaign,
        "campaign_name": scheme_return.campaign_name,
        "period_from": scheme_return.period_from.isoformat(),
        "period_to": scheme_return.period_to.isoformat(),
        "made_at": made_at,
        "anchor": scheme_return.anchor,
    }


def render_csv(scheme_return: SchemeReturn, digest: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for name, value in _meta(scheme_return).items():
        writer.writerow(["return", "", "", name, neutralise(value)])
    for name in FIGURES:
        writer.writerow(["total", "", "", name, _money(name, getattr(scheme_return.total, name))])
    for line in scheme_return.stations:
        for name in STATION_FIGURES:
            writer.writerow(["station", line.station, "", name, _money(name, getattr(line, name))])
    for weapons in scheme_return.weapons:
        writer.writerow(["weapons", weapons.station, neutralise(weapons.kind), "items", weapons.items])
    writer.writerow(["digest", "", "", "sha256", digest])
    return buffer.getvalue().encode("utf-8")


def render_json(scheme_return: SchemeReturn, digest: str) -> bytes:
    document = {
        **_meta(scheme_return),
        "total": {name: _money(name, getattr(scheme_return.total, name)) for name in FIGURES},
        "stations": [
            {"station": line.station, **{name: _money(name, getattr(line, name)) for name in STATION_FIGURES}}
            for line in scheme_return.stations
        ],
        "weapons": [{"station": w.station, "kind": w.kind, "items": w.items} for w in scheme_return.weapons],
        "digest": digest,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def read_return(path: Path) -> tuple[SchemeReturn, str]:
    """The return in a `.csv` or `.json` file and the digest it states (the caller checks it);
    refused, naming the file, if it is not a return as written by `report return`."""
    text = read_text_file(path, "return file", MAX_RETURN_BYTES)
    try:
        if text.lstrip().startswith("{"):
            return _from_document(json.loads(text))
        return _from_document(_document_of_csv(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(f"{path} is not a scheme return as `surrender report return` writes it ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0][:120]


def _document_of_csv(text: str) -> dict[str, Any]:
    """The CSV's lines as the JSON document they stand for."""
    rows: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""))
    if tuple(next(rows, [])) != HEADER:
        raise ValueError(f"the first line is not {','.join(HEADER)}")
    document: dict[str, Any] = {"total": {}, "stations": [], "weapons": []}
    stations: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row:
            continue
        if len(row) != len(HEADER):
            raise ValueError(f"a line has {len(row)} cells, not {len(HEADER)}")
        section, station, kind, figure, value = row
        if section == "return" and figure in META:
            document[figure] = _unneutralised(value)
        elif section == "total":
            document["total"][figure] = value
        elif section == "station":
            stations.setdefault(station, {"station": station})[figure] = value
        elif section == "weapons" and figure == "items":
            document["weapons"].append({"station": station, "kind": _unneutralised(kind), "items": value})
        elif section == "digest" and figure == "sha256":
            document["digest"] = value
        else:
            raise ValueError(f"unknown line {section},{figure}")
    document["stations"] = list(stations.values())
    return document


def _unneutralised(text: str) -> str:
    """A cell as it was before `exports.neutralise` guarded it against spreadsheets."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _count(value: object) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise ValueError(f"{value!r} is not a count")
    return int(value)


def _pence(value: object) -> int:
    match = _POUNDS.fullmatch(str(value))
    if match is None:
        raise ValueError(f"{value!r} is not an amount such as 12.50")
    return int(match.group(1)) * 100 + int(match.group(2))


def _figure(name: str, value: object) -> int:
    return _pence(value) if name in MONEY else _count(value)


def _text(document: dict[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def _from_document(document: dict[str, Any]) -> tuple[SchemeReturn, str]:
    total = document["total"]
    made_at = dt.datetime.fromisoformat(_text(document, "made_at"))
    if made_at.tzinfo is None:
        raise ValueError("made_at has no UTC offset")
    scheme_return = SchemeReturn(
        force=_text(document, "force"),
        force_name=_text(document, "force_name"),
        campaign=_text(document, "campaign"),
        campaign_name=_text(document, "campaign_name"),
        period_from=dt.date.fromisoformat(_text(document, "period_from")),
        period_to=dt.date.fromisoformat(_text(document, "period_to")),
        made_at=made_at,
        anchor=_text(document, "anchor"),
        total=Figures(*(_figure(name, total[name]) for name in FIGURES)),
        stations=tuple(
            StationFigures(str(line["station"]), *(_figure(name, line[name]) for name in STATION_FIGURES))
            for line in document["stations"]
        ),
        weapons=tuple(Weapons(str(w["station"]), str(w["kind"]), _count(w["items"])) for w in document["weapons"]),
    )
    return scheme_return, _text(document, "digest")
