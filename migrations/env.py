"""Alembic environment: the URL comes from surrender's settings, metadata from its models."""

from alembic import context
from sqlmodel import SQLModel

import surrender.models  # noqa: F401  (registers the tables)
from surrender.db import get_engine

config = context.config
url = config.get_main_option("sqlalchemy.url")
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"), compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """SQLite's batch mode rebuilds a table by dropping it, which a table others reference may
    not do while foreign keys are enforced, and the switch works only outside a transaction: so
    it is off while migrating and every reference is checked before the commit."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _reaches_head() -> bool:
    target = context.get_revision_argument()
    heads = set(context.get_context().script.get_heads()) if context.get_context().script else set()
    wanted = set(target) if isinstance(target, (tuple, list)) else {target}
    return "head" in wanted or "heads" in wanted or bool(wanted & heads)


def run_migrations_online() -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,  # SQLite cannot ALTER most things
            compare_type=True,
        )
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            with context.begin_transaction():
                context.run_migrations()
                # Data steps a revision left for the end (they use the tool's code, written for
                # the newest schema): see 0006_custody. Only an upgrade that reaches the newest
                # schema runs them (tests build older databases by stopping part-way).
                steps = config.attributes.pop("after_upgrade", [])
                if _reaches_head():
                    for step in steps:
                        step(connection)
                if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise RuntimeError(f"migration left a broken reference: {tuple(broken)}")
            if connection.in_transaction():  # SQLite: Alembic commits each revision; the steps after are ours
                connection.commit()
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
