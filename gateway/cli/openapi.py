"""`samtykke openapi ...`: the committed OpenAPI documents under openapi/."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from gateway.app import create_app

app = typer.Typer(help="The committed OpenAPI documents under openapi/.", no_args_is_help=True)

GATEWAY_DOCUMENT = Path("openapi/gateway.json")


def render_gateway_document() -> str:
    document = create_app().openapi()
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@app.command("write")
def write(path: Path = GATEWAY_DOCUMENT) -> None:
    """Regenerate the gateway's OpenAPI document."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_gateway_document(), encoding="utf-8")
    typer.echo(f"wrote {path}")
