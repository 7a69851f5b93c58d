"""`samtykke serve`: run the gateway with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from gateway.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the gateway on SAMTYKKE_HOST:SAMTYKKE_PORT until Ctrl-C.

    Migrate first with `samtykke db upgrade`. /healthz answers when the process is up,
    /readyz when its database answers too.
    """
    settings = get_settings()
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        access_log=False,
    )
