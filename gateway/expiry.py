"""Expiring consents whose time has passed: on an interval in the app, or once from the CLI.

Reads already judge expiry on the clock, so the sweep only makes the state
(and its event, audit record and the bank's feed) catch up with time. The
same rounds delete ended citizen sessions (each is refused when used anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy.orm import Session, sessionmaker

from consent.citizen_sessions import repository as citizen_sessions
from consent.consents import lifecycle
from gateway.clock import Clock

log = structlog.get_logger(__name__)


def sweep_once(factory: sessionmaker[Session], clock: Clock) -> int:
    """Expire what is due, in batches, each committed with its audit records."""
    total = 0
    while True:
        with factory() as session:
            expired = lifecycle.sweep_expired(session, clock(), limit=lifecycle.SWEEP_BATCH)
            session.commit()
        total += expired
        if expired < lifecycle.SWEEP_BATCH:
            return total


@dataclass(frozen=True)
class SessionLimits:
    lifetime: timedelta
    idle: timedelta


def purge_sessions(factory: sessionmaker[Session], clock: Clock, limits: SessionLimits) -> int:
    with factory() as session:
        purged = citizen_sessions.purge_ended(
            session, now=clock(), lifetime=limits.lifetime, idle=limits.idle
        )
        session.commit()
    return purged


async def _sweep_forever(
    factory: sessionmaker[Session], clock: Clock, interval: float, limits: SessionLimits | None
) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            expired = await asyncio.to_thread(sweep_once, factory, clock)
            if limits is not None:
                await asyncio.to_thread(purge_sessions, factory, clock, limits)
        except Exception:  # a failed sweep is retried on the next interval
            log.exception("expiry_sweep_failed")
            continue
        if expired:
            log.info("consents_expired", count=expired)


@asynccontextmanager
async def sweeping(
    factory: sessionmaker[Session],
    clock: Clock,
    interval: float,
    session_limits: SessionLimits | None = None,
) -> AsyncIterator[None]:
    """Run the sweep every `interval` seconds while the context is open (never when 0)."""
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(_sweep_forever(factory, clock, interval, session_limits))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
