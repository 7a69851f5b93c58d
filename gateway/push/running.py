"""The push worker on an interval: inside the gateway (demo, test) or as its own process.

Also the outbox's backlog as a metric, read from the database at each scrape,
so every gateway process reports it whichever process delivers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from consent.push import outbox
from gateway.push.delivery import PushWorker

log = structlog.get_logger(__name__)


def deliver_quietly(worker: PushWorker) -> None:
    """One round; a failed round (the database away, say) is logged and tried next time."""
    try:
        report = worker.deliver_due()
    except Exception:
        log.exception("push_round_failed")
        return
    if report.attempted:
        log.info(
            "push_round",
            delivered=report.delivered,
            retried=report.retried,
            failed=report.failed,
        )


def run_forever(worker: PushWorker, interval: float) -> None:
    """`samtykke push-worker`: a round every `interval` seconds until interrupted."""
    while True:
        deliver_quietly(worker)
        time.sleep(interval)


async def _push_forever(worker: PushWorker, interval: float) -> None:
    while True:
        await asyncio.to_thread(deliver_quietly, worker)
        await asyncio.sleep(interval)


@asynccontextmanager
async def pushing(worker: PushWorker | None, interval: float) -> AsyncIterator[None]:
    """Run `worker` every `interval` seconds while the context is open (never when None)."""
    if worker is None:
        yield
        return
    task = asyncio.create_task(_push_forever(worker, interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        worker.close()


class PushBacklog(Collector):
    """`samtykke_push_overdue_seconds`: how long the longest-waiting due delivery has waited.

    0 while nothing is due; absent from a scrape when the database does not answer.
    """

    NAME = "samtykke_push_overdue_seconds"
    DOCUMENTATION = "How long the most overdue pushed consent event has waited (0: none due)."

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(self.NAME, self.DOCUMENTATION)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = datetime.now(UTC)
        try:
            with Session(self.engine) as session:
                due_since = outbox.oldest_due(session, now)
        except SQLAlchemyError:
            log.warning("push_backlog_unreadable")
            return
        waited = 0.0
        if due_since is not None:
            if due_since.tzinfo is None:  # SQLite hands back naive UTC
                due_since = due_since.replace(tzinfo=UTC)
            waited = max(0.0, (now - due_since).total_seconds())
        yield GaugeMetricFamily(self.NAME, self.DOCUMENTATION, value=waited)
