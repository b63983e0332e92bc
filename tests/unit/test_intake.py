"""The one intake (services/intake.py): rows grouped into distinct lines, each assessed once,
the same claim as the money rules give, and item sources named by a protocol."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from surrender.campaigns import load_preset
from surrender.errors import Refused
from surrender.items_csv import ItemsFile, ItemSpecs
from surrender.rules.compensation import Assessor, assess_item
from surrender.rules.items import item_from_spec
from surrender.services.intake import Intake, ItemSource, LogRequest

ZOMBIE = load_preset("zombie-2024")
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
PRODUCTS = [KNIFE, "zombie-knife:7in:plain:point", "zombie-machete:45cm:plain:point:points=3",
            KNIFE + ":value=45:evidence=receipt", KNIFE + ":qty=3", "zombie-knife:9in:plain:point:holes=2:seal=A1"]


@pytest.fixture
def assessments(monkeypatch):
    """Counts the assessments the intake makes (a spy: each call still assesses)."""
    from surrender.services import intake

    calls = []
    real = intake.assess_item

    def counted(*args, **kw):
        calls.append(args[1])
        return real(*args, **kw)
    monkeypatch.setattr(intake, "assess_item", counted)
    return calls


def stock_file(tmp_path: Path, rows: int) -> Path:
    """A wholesaler's list: six products, the same rows over and over."""
    lines = ["zombie-knife,25cm,yes,yes,3in,,", "zombie-knife,7in,yes,yes,,2,", "zombie-machete,45cm,yes,yes,,,12.99",
             "zombie-knife,25cm,yes,yes,3in,,12.99", "zombie-machete,18in,yes,yes,1in,4,", "zombie-knife,9in,yes,yes,,,"]
    path = tmp_path / "stock.csv"
    path.write_text("kind,blade_length,plain_edge,sharp_point,serrated_length,quantity,claimed_value\n"
                    + "".join(lines[(n + n // 6) % len(lines)] + "\n" for n in range(rows)))
    return path


def test_a_long_stock_list_is_assessed_once_per_distinct_line(tmp_path, assessments):
    request = LogRequest(items=ItemsFile.unchecked(stock_file(tmp_path, 12_000)), anonymous=True)
    intake = Intake.read(ZOMBIE, request)
    assert len(intake.lines) == 6 and len(assessments) == 6
    assert sum(line.rows for line in intake.lines) == intake.row_count == 12_000


def test_identical_rows_share_a_line_numbered_in_the_order_first_seen(assessments):
    specs = [KNIFE, "zombie-knife:7in:plain:point", KNIFE, KNIFE + ":qty=3", KNIFE]
    intake = Intake.read(ZOMBIE, LogRequest(items=[item_from_spec(s) for s in specs], anonymous=True))
    assert [(line.number, line.first_row, line.rows, line.quantity) for line in intake.lines] == [
        (1, 1, 3, 3), (2, 2, 1, 1), (3, 4, 1, 3)]
    assert len(assessments) == 3 and intake.item_count == 7


def test_rows_stream_each_rows_line_and_a_new_line_starts_at_its_own_row():
    intake = Intake(ZOMBIE, claiming=True)
    seen = [(row, line.number, line.first_row == row)
            for row, line in enumerate(intake.rows(item_from_spec(s) for s in [KNIFE, KNIFE, PRODUCTS[1]]), 1)]
    assert seen == [(1, 1, True), (2, 1, False), (3, 2, True)]


def test_an_unknown_kind_is_refused_naming_its_row():
    items = [item_from_spec(KNIFE), item_from_spec("zombie-sword:10in")]
    with pytest.raises(Refused, match="item 2: unknown kind 'zombie-sword'"):
        Intake.read(ZOMBIE, LogRequest(items=items, anonymous=True))


def test_no_rows_is_refused_as_no_items():
    with pytest.raises(Refused, match="no items given"):
        Intake.read(ZOMBIE, LogRequest(items=[], anonymous=True))


@pytest.mark.parametrize("claiming", [True, False])
@pytest.mark.parametrize("picks", [[0], [0, 0], [0, 0, 0], [1, 1], [0, 3, 4], [2, 5, 1, 0], [3] * 25])
def test_the_claim_and_each_line_equal_the_money_rules_row_by_row(picks, claiming):
    items = [item_from_spec(PRODUCTS[p]) for p in picks]
    intake = Intake.read(ZOMBIE, LogRequest(items=items, anonymous=not claiming, claimant=None, declared=claiming))
    assessor = Assessor(ZOMBIE, claiming)
    for item in items:
        assessor.add(item)
    assert intake.claim() == assessor.claim()
    for line in intake.lines:
        assert line.per_row() == assess_item(ZOMBIE, line.item, claiming)
        assert line.compensation_pence == line.per_row().compensation_pence * line.rows


def test_the_items_files_and_specs_are_item_sources_and_a_list_of_items_is_not(tmp_path):
    assert isinstance(ItemSpecs([KNIFE]), ItemSource)
    assert isinstance(ItemsFile.unchecked(stock_file(tmp_path, 3)), ItemSource)
    assert not isinstance([item_from_spec(KNIFE)], ItemSource)
    read = LogRequest(items=ItemSpecs([KNIFE, KNIFE])).items_under(ZOMBIE)
    assert list(read) == [item_from_spec(KNIFE)] * 2


def _imports(path: Path) -> set[str]:
    """Every surrender module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("surrender")}


def test_the_desk_commands_and_the_desk_session_do_not_import_each_other_both_ways():
    cli = Path(__file__).resolve().parents[2] / "surrender" / "cli"
    assert "surrender.cli.desk_session" in _imports(cli / "desk.py")
    assert not {"surrender.cli.desk", "surrender.cli.desk_session"} & _imports(cli / "desk_session.py")
