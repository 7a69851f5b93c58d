"""The push worker on an interval: inside the gateway (demo, test) or as its own process."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

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
