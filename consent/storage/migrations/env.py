"""Alembic environment: migrations run against the URL set by consent.storage.migrate."""

from __future__ import annotations

from alembic import context

from consent.storage import models  # noqa: F401  (registers every table on Base.metadata)
from consent.storage.base import Base
from consent.storage.database import create_database_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "consent.storage.migrate sets sqlalchemy.url"
    engine = create_database_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
