"""Engine and session factory for SQLite and PostgreSQL.

Engines are created by the application that owns them (the gateway's
lifespan, a CLI command, a test fixture), never at import time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes writers wait
    # for each other instead of failing at once; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# A pooled connection idle for longer than this is checked before it is handed
# out; a busy pool reuses connections within milliseconds and skips the check.
IDLE_CHECK_SECONDS = 10.0
# Connections are replaced after this long, before a server or proxy drops them.
RECYCLE_SECONDS = 1800


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _check_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle; a dead one is replaced by the pool, not handed out.

    This replaces pool_pre_ping, whose round trip on every checkout was a
    tenth of a token request. Raising DisconnectionError makes the pool
    discard the connection and retry with a fresh one.
    """
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_CHECK_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:
        raise exc.DisconnectionError("idle pooled connection is gone") from error


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_database_engine(url: str, *, pool_size: int = 10) -> Engine:
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=RECYCLE_SECONDS,
        pool_timeout=5,
        connect_args={"connect_timeout": 5},
    )
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _check_if_idle)
    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after the request's commit.
    return sessionmaker(bind=engine, expire_on_commit=False)


def create_statement_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for paths whose every write is one statement that must stand on its own.

    On PostgreSQL each statement commits by itself (autocommit): no BEGIN and
    no COMMIT round trip around a path that reads in one statement and writes
    in another. Callers still call `commit()` at the end, which SQLite (an
    ordinary transaction there) needs and PostgreSQL ignores. Use them only
    where no two statements have to succeed or fail together.
    """
    if engine.dialect.name != "postgresql":
        return create_session_factory(engine)
    return create_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
