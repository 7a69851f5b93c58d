"""`samtykke keys ...`: the gateway's signing keys."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import get_settings

app = typer.Typer(
    help="The gateway's signing keys (in SAMTYKKE_KEY_DIR): rotate them.",
    epilog="Example: samtykke keys rotate access-token",
    no_args_is_help=True,
)


@app.command("rotate")
def rotate(
    purpose: Annotated[KeyPurpose, typer.Argument(help="Which key set.")] = KeyPurpose.ACCESS_TOKEN,
) -> None:
    """Make a new current key; the replaced keys stay published so their tokens still verify."""
    kid = KeyStore(get_settings().key_dir).rotate(purpose)
    typer.echo(f"{purpose.value}: new current key {kid}")
