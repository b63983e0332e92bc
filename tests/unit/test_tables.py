"""The light table clauses (surrender/tables.py) must say what models.py says: same tables,
same columns, values of the same Python types, UTC columns through the same UTCDateTime."""

import pytest
from sqlmodel import SQLModel

import surrender.models  # noqa: F401  (fills SQLModel.metadata)
from surrender import tables
from surrender.coltypes import UTCDateTime


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
