"""`samtykke mocks serve`: the mock registries, run as their own process.

The gateway never imports the mocks; it starts them the way a developer
would, with ``python -m mock_registries serve``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated

import typer

app = typer.Typer(
    help="The mock registries (Skatteetaten, Brønnøysund, ID-porten, Landbruksdirektoratet, "
    "Fiskeridirektoratet) for development.",
    epilog="Example: samtykke mocks serve, then open http://127.0.0.1:8103/test-persons",
)


def serve_argv(host: str | None = None) -> list[str]:
    argv = [sys.executable, "-m", "mock_registries", "serve"]
    if host:
        argv += ["--host", host]
    return argv


@app.callback()
def mocks() -> None:
    """The mock registries (Skatteetaten, Brønnøysund, ID-porten, Landbruksdirektoratet,
    Fiskeridirektoratet) for development."""


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
) -> None:
    """Run the mock registries on ports 8101 to 8105 until Ctrl-C.

    Ports, population and fault injection are SAMTYKKE_MOCKS_* settings
    (mock_registries/README.md).
    """
    try:
        completed = subprocess.run(serve_argv(host), check=False)  # noqa: S603  (fixed argv)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
    raise typer.Exit(completed.returncode)
