"""The `samtykke` command line: one sub-command group per module of this package."""

from __future__ import annotations

import typer

from gateway.cli import db, demo, mocks, openapi, serve

app = typer.Typer(
    name="samtykke",
    help="Samtykke: consent-based data sharing between public registries and banks.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.add_typer(db.app, name="db")
app.add_typer(openapi.app, name="openapi")
app.add_typer(mocks.app, name="mocks")


def main() -> None:
    app()
