"""`samtykke keys ...`: the gateway's signing keys."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.keys import KeyPurpose, KeyStore
from gateway.settings import get_settings

app = typer.Typer(
    help="The gateway's signing keys (in SAMTYKKE_KEY_DIR): create or rotate them.",
    epilog="Examples: samtykke keys create; samtykke keys rotate access-token",
    no_args_is_help=True,
)


@app.command("rotate")
def rotate(
    purpose: Annotated[KeyPurpose, typer.Argument(help="Which key set.")] = KeyPurpose.ACCESS_TOKEN,
) -> None:
    """Make a new current key; the replaced keys stay published so their tokens still verify."""
    kid = KeyStore(get_settings().key_dir).rotate(purpose)
    typer.echo(f"{purpose.value}: new current key {kid}")


@app.command("create")
def create() -> None:
    """Make every key set that is missing; keep the ones there (safe to repeat).

    Run it once before starting several gateway processes on one key folder
    (docker compose's `migrate` service does): they all find the same keys.
    Processes that start together without it still agree, since a key file
    is created exclusively, but this way none of them writes the folder.
    """
    keys = KeyStore(get_settings().key_dir)
    for purpose in KeyPurpose:
        typer.echo(f"{purpose.value}: current key {keys.signing_key(purpose).kid}")
