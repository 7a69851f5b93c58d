"""`samtykke consents ...`: consent housekeeping."""

from __future__ import annotations

import typer

from consent.storage.database import create_database_engine, create_session_factory
from gateway.clock import system_clock
from gateway.expiry import sweep_once
from gateway.settings import get_settings

app = typer.Typer(
    help="Consent housekeeping (the gateway also does it on its own).", no_args_is_help=True
)


@app.command("expire")
def expire() -> None:
    """Expire every consent request and consent whose time has passed, once.

    The gateway does this every SAMTYKKE_EXPIRY_SWEEP_SECONDS; run it from cron when
    that is 0.
    """
    engine = create_database_engine(get_settings().database_url, pool_size=1)
    try:
        expired = sweep_once(create_session_factory(engine), system_clock)
    finally:
        engine.dispose()
    typer.echo(f"{expired} expired")
