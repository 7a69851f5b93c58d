"""Run the Alembic migrations programmatically: the CLI, `make demo` and the tests all use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s")
    # ConfigParser interpolation would read '%' in a password as a reference.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "heads") -> None:
    """Bring the schema to `revision` (all heads by default)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def new_revision(database_url: str, revision_id: str, message: str) -> None:
    """Write a migration for the difference between the models and a migrated database."""
    command.revision(
        alembic_config(database_url), message=message, autogenerate=True, rev_id=revision_id
    )
