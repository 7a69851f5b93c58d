"""The schema comes from the migrations, and they run both ways on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from consent.storage.base import Base
from consent.storage.database import create_database_engine
from consent.storage.migrate import downgrade_database, upgrade_database


def test_migrations_create_every_model_table(fresh_database_url: str) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_downgrade_and_upgrade_again(fresh_database_url: str) -> None:
    downgrade_database(fresh_database_url, "base")
    engine = create_database_engine(fresh_database_url, pool_size=1)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(fresh_database_url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_match_the_models(fresh_database_url: str) -> None:
    engine = create_database_engine(fresh_database_url, pool_size=1)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "write a migration: consent.storage.migrate.new_revision"
