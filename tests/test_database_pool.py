"""The connection pool checks a connection that sat idle, and only such a one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from consent.storage.database import IDLE_CHECK_SECONDS

pytestmark = pytest.mark.postgres_only


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


def _age_pooled_connections(engine: Engine, seconds: float) -> None:
    """Make every pooled connection look idle for `seconds` (instead of waiting)."""
    for record in engine.pool._pool.queue:  # type: ignore[attr-defined]
        record.info["checked_in_at"] -= seconds


def _terminate(engine: Engine, pid: int) -> None:
    """End the server side of connection `pid`, as a restart or a proxy timeout would."""
    outsider = create_engine(engine.url, poolclass=NullPool)
    with outsider.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outsider.dispose()


def test_a_connection_dropped_while_idle_is_replaced(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the pool's idle check is configured for PostgreSQL only")
    pid = _backend_pid(engine)
    _terminate(engine, pid)
    _age_pooled_connections(engine, IDLE_CHECK_SECONDS + 1)
    assert _backend_pid(engine) != pid


def test_a_busy_connection_is_not_checked(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the pool's idle check is configured for PostgreSQL only")
    pid = _backend_pid(engine)
    _terminate(engine, pid)
    # Reused at once, the dead connection is handed out unchecked; the statement
    # fails and the pool discards it, so the next checkout is a fresh one.
    with pytest.raises(OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != pid
