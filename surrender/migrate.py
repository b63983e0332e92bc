"""`db upgrade`: run the Alembic migrations shipped in the package against a URL."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from surrender.db import normalise_url

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("surrender._migrations")))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; returns the (before, after) revisions."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    from surrender.db import get_engine

    engine = get_engine(url)

    def current() -> str | None:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    before = current()
    command.upgrade(alembic_config(url), revision)
    return before, current()
