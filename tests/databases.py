"""Real databases for tests: a SQLite file or a new PostgreSQL database, migrated."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from consent.storage.migrate import upgrade_database

POSTGRES_ADMIN_URL = os.environ.get(
    "SAMTYKKE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def postgres_required() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@contextmanager
def migrated_database(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of `backend` migrated to head; drop it after."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'samtykke-{uuid.uuid4().hex[:8]}.db'}"
        upgrade_database(url)
        yield url
        return
    name = f"samtykke_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
