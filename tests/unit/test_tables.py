"""surrender/tables.py is generated from the models: it must be what the generator writes now,
so no hand edit and no model change can leave the light clauses behind."""

import pytest
from sqlmodel import SQLModel

import surrender.models  # noqa: F401  (fills SQLModel.metadata)
from surrender import tables, tables_gen
from surrender.coltypes import UTCDateTime


def test_tables_py_is_exactly_what_the_generator_writes_from_the_models():
    assert tables_gen.TARGET.read_text(encoding="utf-8") == tables_gen.render(), (
        "run `python -m surrender.tables_gen`")


def test_the_check_mode_fails_on_a_stale_file_and_passes_once_regenerated(tmp_path, capsys):
    stale = tmp_path / "tables.py"
    stale.write_text(tables_gen.render().replace("last_hash=STR", "last_hash=TEXT"), encoding="utf-8")
    assert tables_gen.main(["--check"], target=stale) == 1
    assert "out of date" in capsys.readouterr().err
    assert tables_gen.main([], target=stale) == 0
    assert tables_gen.main(["--check"], target=stale) == 0


def value_type(column_type) -> type:
    """The Python type of a column's values (through a TypeDecorator such as SQLModel's AutoString)."""
    return getattr(column_type, "impl_instance", column_type).python_type


@pytest.mark.parametrize("clause", tables.ALL, ids=lambda clause: clause.name)
def test_clause_matches_the_model_table(clause):
    model = SQLModel.metadata.tables[clause.name]
    assert [c.name for c in clause.columns] == [c.name for c in model.columns]
    for light in clause.columns:
        real = model.columns[light.name]
        assert value_type(light.type) is value_type(real.type), light.name
        assert isinstance(light.type, UTCDateTime) == isinstance(real.type, UTCDateTime), light.name


def test_every_model_table_has_a_clause():
    assert sorted(t.name for t in tables.ALL) == sorted(SQLModel.metadata.tables)
