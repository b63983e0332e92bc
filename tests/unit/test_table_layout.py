"""The one table layout policy (cli/layout.py): references and money whole at any width, other
columns wrapped at words or left out (and named), never a reference cut to `TW-Z24-00…`."""

from __future__ import annotations

import pytest

from surrender.cli.layout import Fit, fit_columns, fit_of, table_width

REF = "TW-Z24-000017-K"
COLUMNS = ["reference", "station", "date", "status", "flags", "claimed", "payable", "claimant"]


def cells(rows: int = 3, claimant: str = "Worthington Cutlery Supplies Ltd") -> dict[str, list[str]]:
    return {
        "reference": [REF] * rows,
        "station": ["TW"] * rows,
        "date": ["2024-09-02"] * rows,
        "status": ["not_payable"] * rows,
        "flags": ["35,871 items over the 20 item review threshold"] * rows,
        "claimed": ["358710.00"] * rows,
        "payable": ["358710.00"] * rows,
        "claimant": [claimant] * rows,
    }


def widths(layout) -> dict[str, int]:
    return {p.name: p.width for p in layout.shown}


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_references_and_money_are_never_narrower_than_their_values(width):
    layout = fit_columns(COLUMNS, cells(), width)
    shown = widths(layout)
    assert shown["reference"] == len(REF) and shown["claimed"] == shown["payable"] == len("358710.00")
    assert {"reference", "claimed", "payable"} <= set(shown)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_what_is_shown_fits_the_terminal_and_what_is_not_is_named(width):
    layout = fit_columns(COLUMNS, cells(), width)
    assert table_width(list(widths(layout).values())) <= width
    assert set(widths(layout)) | set(layout.dropped) == set(COLUMNS)
    assert not layout.cramped


def test_a_wide_terminal_shows_every_column_at_its_natural_width():
    layout = fit_columns(COLUMNS, cells(), 200)
    assert layout.dropped == ()
    assert widths(layout)["flags"] == len("35,871 items over the 20 item review threshold")


def test_a_wrapped_column_is_never_narrower_than_its_longest_word():
    layout = fit_columns(["reference", "claimant"], {"reference": [REF], "claimant": ["Jane Smith-Worthington x"]}, 40)
    assert widths(layout)["claimant"] >= len("Smith-Worthington")


def test_the_listings_own_order_is_given_up_first_then_long_text_then_names_last():
    layout = fit_columns(COLUMNS, cells(), 80, drop_first=["station"])
    assert layout.dropped[0] == "station"
    assert "claimant" in widths(layout)  # names are the last given up
    narrow = fit_columns(COLUMNS, cells(), 96)
    assert narrow.dropped == ("flags",)  # the long text went first, the short values stayed


def test_a_column_given_up_early_comes_back_when_a_wider_one_made_room():
    columns = ["reference", "time", "kinds", "payable"]
    data = {"reference": [REF], "time": ["10:55"], "kinds": ["3 zombie-knife, 1 zombie-machete"], "payable": ["30.00"]}
    layout = fit_columns(columns, data, 45, drop_first=["time", "kinds"])
    assert layout.dropped == ("kinds",) and [p.name for p in layout.shown] == ["reference", "time", "payable"]


def test_a_header_wraps_at_its_spaces_only_when_room_is_short():
    def approval_width(width: int) -> int:
        layout = fit_columns(["reference", "manager_approval"],
                             {"reference": [REF], "manager_approval": ["approved"]}, width,
                             headers={"manager_approval": "manager approval"})
        assert layout.dropped == ()
        return widths(layout)["manager_approval"]

    assert approval_width(80) == len("manager approval")
    assert len("approval") <= approval_width(32) < len("manager approval")


def test_terminal_too_narrow_for_the_keys_alone_says_so():
    layout = fit_columns(COLUMNS, cells(), 30)
    assert layout.cramped and set(widths(layout)) == {"reference", "claimed", "payable"}


@pytest.mark.parametrize(("name", "values", "fit"), [
    ("reference", [REF], Fit.KEY), ("tag", [REF + "/3"], Fit.KEY), ("total", ["£5,603.80"], Fit.KEY),
    ("paid", ["54 · £5,603.80"], Fit.KEY), ("date", ["2024-09-02"], Fit.WHOLE), ("items", ["35,871"], Fit.WHOLE),
    ("kinds", ["3 zombie-knife, 1 zombie-machete"], Fit.WRAP), ("claimant", ["Jane Smith-Worthington"], Fit.WRAP),
])
def test_how_each_column_fits(name, values, fit):
    assert fit_of(name, values) == fit
