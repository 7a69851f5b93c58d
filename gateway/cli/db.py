"""`samtykke db ...`: schema migrations."""

from __future__ import annotations

import typer

from consent.storage.migrate import upgrade_database
from gateway.settings import get_settings

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("heads", help="Target revision.")) -> None:
    """Apply every migration up to REVISION on SAMTYKKE_DATABASE_URL."""
    upgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")
