"""`samtykke oauth ...`: housekeeping of the authorization server's tables."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from consent.authorization import repository as authorization_repository
from consent.storage.database import create_database_engine, create_session_factory
from gateway.settings import get_settings

app = typer.Typer(
    help="Authorization server housekeeping (purge expired records).", no_args_is_help=True
)


@app.command("purge")
def purge() -> None:
    """Delete expired jtis, codes, pushed requests and revocations (run it from cron)."""
    engine = create_database_engine(get_settings().database_url, pool_size=1)
    try:
        with create_session_factory(engine)() as session:
            counts = authorization_repository.purge_expired(session, datetime.now(UTC))
            session.commit()
    finally:
        engine.dispose()
    typer.echo(" ".join(f"{table}={count}" for table, count in counts.items()))
