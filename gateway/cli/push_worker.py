"""`samtykke push-worker`: deliver pushed consent events from a process of its own."""

from __future__ import annotations

from typing import Annotated

import typer

from consent.storage.database import create_database_engine, create_session_factory
from gateway.clock import system_clock
from gateway.keys import KeyStore
from gateway.push.delivery import PushWorker
from gateway.push.running import run_forever
from gateway.settings import get_settings


def push_worker(
    once: Annotated[
        bool, typer.Option(help="Deliver what is due now, print the tally and stop.")
    ] = False,
) -> None:
    """Push consent events to the banks' endpoints until Ctrl-C.

    Run one or more next to the gateway in production (several share the work
    safely); in demo and test mode the gateway delivers them itself.
    """
    settings = get_settings()
    engine = create_database_engine(settings.database_url, pool_size=2)
    worker = PushWorker(
        create_session_factory(engine), KeyStore(settings.key_dir), settings, clock=system_clock
    )
    try:
        if once:
            report = worker.deliver_due()
            typer.echo(
                f"delivered {report.delivered}, retried {report.retried}, failed {report.failed}"
            )
            return
        run_forever(worker, settings.push_interval_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        worker.close()
        engine.dispose()
