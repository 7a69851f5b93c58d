"""`samtykke db ...`: schema migrations."""

from __future__ import annotations

import typer

from consent.storage.migrate import upgrade_database
from gateway.settings import get_settings

app = typer.Typer(
    help="The database schema: apply the Alembic migrations.",
    epilog="Example: SAMTYKKE_DATABASE_URL=sqlite:///var/samtykke.db samtykke db upgrade",
    no_args_is_help=True,
)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("heads", help="Target revision.")) -> None:
    """Apply every migration up to REVISION on SAMTYKKE_DATABASE_URL (safe to repeat).

    Run it before `samtykke serve` and after every upgrade of Samtykke.
    """
    upgrade_database(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")
