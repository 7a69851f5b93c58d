"""The `samtykke` command line: one sub-command group per module of this package."""

from __future__ import annotations

import typer

from gateway.cli import audit, clients, consents, db, demo, keys, mocks, oauth, openapi, serve

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
app.add_typer(audit.app, name="audit")
app.add_typer(consents.app, name="consents")
app.add_typer(mocks.app, name="mocks")
app.add_typer(clients.app, name="clients")
app.add_typer(keys.app, name="keys")
app.add_typer(oauth.app, name="oauth")


def main() -> None:
    app()
