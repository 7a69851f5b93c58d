"""`samtykke sequencer`: sequence the audit log from a process of its own."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import structlog
import typer

from consent.storage.database import create_database_engine
from gateway.audit.sequencing import create_sequencer
from gateway.keys import KeyStore
from gateway.logging import configure_logging
from gateway.settings import get_settings

log = structlog.get_logger(__name__)


def sequencer(
    interval: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help="Seconds between rounds while the queue is empty "
            "(default: SAMTYKKE_AUDIT_SEQUENCER_INTERVAL_SECONDS).",
        ),
    ] = None,
) -> None:
    """Sequence and sign the audit log until SIGTERM or Ctrl-C.

    Run one next to the gateways in production (their own sequencer is off
    there); a second one is harmless: a database lock lets one work at a time
    and the other waits its turn. `samtykke audit sequence` drains once.
    """
    settings = get_settings()
    configure_logging(settings.log_level)
    engine = create_database_engine(settings.database_url, pool_size=1)
    worker = create_sequencer(
        engine, KeyStore(settings.key_dir), settings, interval_seconds=interval
    )
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("sequencer_stopping", signal=signal.Signals(signum).name)
        stop.set()

    previous = {
        signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    log.info("sequencer_started", interval_seconds=worker.interval_seconds)
    try:
        # A round in progress finishes (it is one transaction) before the loop sees `stop`.
        worker.run_until(stop, on_drained=lambda entries: log.info("sequenced", entries=entries))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        engine.dispose()
        log.info("sequencer_stopped")
