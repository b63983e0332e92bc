"""A scheme return's digest and the national merge (rules/returns.py), and its two files read
back exactly (return_files.py): at their edges, without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from surrender.errors import Refused
from surrender.return_files import read_return, render_csv, render_json
from surrender.rules.returns import FIGURES, NO_FIGURES, Figures, SchemeReturn, StationFigures, Weapons, digest, merge

ANCHOR = "surrender-anchor events=42 head=" + "ab" * 32


def a_return(force: str = "CAMBS", campaign: str = "zombie-2024", **changes) -> SchemeReturn:
    made = SchemeReturn(
        force=force,
        force_name="=HYPERLINK(\"x\") Police, \"the\" force ✓",  # a spreadsheet formula, a comma, quotes
        campaign=campaign,
        campaign_name="Zombie-style knives",
        period_from=dt.date(2024, 8, 26),
        period_to=dt.date(2024, 9, 23),
        made_at=dt.datetime(2024, 9, 30, 9, 15, 2, tzinfo=dt.UTC),
        anchor=ANCHOR,
        total=Figures(10, 31, 8, 2, 1, 123_456_789_01, 99_999_999_99, 1, 35_871_00, 35_871_00),
        stations=(StationFigures("PK", 4, 11, 3, 20_00, 0), StationFigures("TW", 6, 20, 5, 123_456_769_01, 99)),
        weapons=(Weapons("PK", "zombie-knife", 11), Weapons("TW", "-machete, long", 20)),
    )
    return dataclasses.replace(made, **changes)


@pytest.mark.parametrize("render", [render_csv, render_json], ids=["csv", "json"])
def test_each_file_reads_back_to_the_same_content_and_digest(render, tmp_path):
    made = a_return()
    path = tmp_path / f"r.{render.__name__[-4:].strip('_')}"
    path.write_bytes(render(made, digest(made)))
    content, stated = read_return(path)
    assert content == made and stated == digest(made) == digest(content)


def test_the_digest_changes_with_any_figure_and_not_with_the_time_zone_shown():
    made = a_return()
    for name in FIGURES:
        changed = dataclasses.replace(made.total, **{name: getattr(made.total, name) + 1})
        assert digest(dataclasses.replace(made, total=changed)) != digest(made), name
    assert digest(dataclasses.replace(made, weapons=made.weapons[:1])) != digest(made)
    local = made.made_at.astimezone(dt.timezone(dt.timedelta(hours=1)))  # the same moment, shown as BST
    assert digest(dataclasses.replace(made, made_at=local)) == digest(made)


def test_merge_sums_the_forces_in_force_order():
    cambs, beds = a_return("CAMBS"), a_return("BEDS", total=Figures(*range(1, 11)))
    national = merge([("c.csv", cambs), ("b.json", beds)])
    assert [each.force for each in national.forces] == ["BEDS", "CAMBS"]
    assert national.total == Figures(*(getattr(cambs.total, n) + getattr(beds.total, n) for n in FIGURES))
    assert merge([("c.csv", cambs)]).total == cambs.total and cambs.total + NO_FIGURES == cambs.total


@pytest.mark.parametrize(("returns", "message"), [
    ([], "no returns to merge"),
    ([("a.csv", a_return()), ("b.json", a_return())], "a.csv and b.json are both returns of force CAMBS"),
    ([("a.csv", a_return()), ("b.json", a_return("BEDS", "ninja-2025"))],
     "b.json is a return for campaign ninja-2025, a.csv for zombie-2024"),
])
def test_merge_refuses_a_force_twice_or_two_campaigns(returns, message):
    with pytest.raises(Refused, match=message):
        merge(returns)
