"""The `samtykke` command line: one sub-command group per module of this package."""

from __future__ import annotations

import typer

from gateway.cli import (
    audit,
    clients,
    config,
    consents,
    db,
    demo,
    keys,
    mocks,
    oauth,
    openapi,
    push_worker,
    sequencer,
    serve,
)

app = typer.Typer(
    name="samtykke",
    help=(
        "Samtykke: consent-based data sharing between public registries and banks.\n\n"
        "Settings come from SAMTYKKE_* environment variables or a .env file "
        "(`samtykke config table` lists them)."
    ),
    epilog=(
        "First time? Run `samtykke demo` (mock registries + gateway on SQLite) and open the "
        "URLs it prints. For a real deployment: `samtykke db upgrade`, then `samtykke serve`. "
        "Every command takes --help."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("demo")(demo.demo)
app.command("push-worker")(push_worker.push_worker)
app.command("sequencer")(sequencer.sequencer)
app.add_typer(db.app, name="db")
app.add_typer(openapi.app, name="openapi")
app.add_typer(audit.app, name="audit")
app.add_typer(consents.app, name="consents")
app.add_typer(mocks.app, name="mocks")
app.add_typer(clients.app, name="clients")
app.add_typer(keys.app, name="keys")
app.add_typer(oauth.app, name="oauth")
app.add_typer(config.app, name="config")


def main() -> None:
    app()
