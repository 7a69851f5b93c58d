"""`samtykke clients ...`: register, list and disable bank and agency clients."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from connectors import brreg
from connectors.brreg import BrregClient
from consent.storage.database import create_database_engine, create_session_factory
from gateway.clients import service
from gateway.clients.brreg_lookup import BrregOrganisationLookup
from gateway.clients.organisations import OrganisationLookup
from gateway.clients.schemas import ClientRegistration, ClientView
from gateway.keys import KeyStore
from gateway.problems import ProblemError
from gateway.push import service as push
from gateway.push.schemas import FailedDelivery, PushEndpointView, PushReplayOut
from gateway.registries import RegistryTokenSigner
from gateway.settings import Settings, get_settings

app = typer.Typer(
    help=(
        "Bank and agency API clients: register (after a Brønnøysund check), list, disable, "
        "and where their consent events are pushed."
    ),
    epilog=(
        "Example: samtykke clients register --organisation-number 910000004 "
        '--name "Fjordkyst Sparebank" --jwks-file bank-public.jwks.json '
        "--data-product ske-samtykke-sbl-summert-skattegrunnlag"
    ),
    no_args_is_help=True,
)
CLI_ACTOR = "cli"


def organisation_lookup(settings: Settings) -> OrganisationLookup:
    """The Central Coordinating Register as the CLI reaches it (the Brønnøysund connector)."""
    signer = RegistryTokenSigner(
        KeyStore(settings.key_dir), issuer=settings.issuer_url, audience=brreg.AUDIENCE
    )
    return BrregOrganisationLookup(BrregClient(settings.brreg_base_url, signer))


def _run(action: Any) -> Any:
    settings = get_settings()
    engine = create_database_engine(settings.database_url, pool_size=1)
    try:
        with create_session_factory(engine)() as session:
            result = action(session, settings)
            session.commit()
            return result
    except ProblemError as problem:
        typer.echo(f"refused ({problem.code}): {problem.detail or problem.title}", err=True)
        raise typer.Exit(code=1) from problem
    finally:
        engine.dispose()


@app.command("register")
def register(
    *,
    organisation_number: Annotated[str, typer.Option(help="The organisation's 9-digit number.")],
    name: Annotated[str, typer.Option(help="The client's display name.")],
    jwks_file: Annotated[
        Path | None, typer.Option(help="A file with the client's public JWK Set.")
    ] = None,
    jwks_uri: Annotated[
        str | None, typer.Option(help="Where the client publishes its keys.")
    ] = None,
    redirect_uri: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    data_product: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    agency: Annotated[bool, typer.Option(help="An agency client (scope audit:read).")] = False,
) -> None:
    """Register a client after checking its organisation; prints the client as JSON."""
    try:
        registration = ClientRegistration(
            kind="agency" if agency else "bank",
            organisation_number=organisation_number,
            name=name,
            jwks=json.loads(jwks_file.read_text()) if jwks_file else None,
            jwks_uri=jwks_uri,
            redirect_uris=redirect_uri or [],
            data_products=data_product or [],
        )
    except (ValidationError, ValueError) as error:
        typer.echo(f"refused (invalid-request): {error}", err=True)
        raise typer.Exit(code=2) from error

    def action(session: Any, settings: Settings) -> ClientView:
        client = service.register(
            session,
            organisation_lookup(settings),
            registration,
            registered_by=CLI_ACTOR,
            allow_loopback_http=settings.accepts_synthetic_identities,
        )
        return ClientView.of(client)

    typer.echo(_run(action).model_dump_json(indent=2))


@app.command("list")
def list_clients() -> None:
    """Every registered client, one JSON object per line."""

    def action(session: Any, settings: Settings) -> list[ClientView]:
        return [ClientView.of(client) for client in service.list_clients(session)]

    for view in _run(action):
        typer.echo(view.model_dump_json())


@app.command("disable")
def disable(client_id: str) -> None:
    """Disable a client: its assertions are refused from now on."""

    def action(session: Any, settings: Settings) -> ClientView:
        return ClientView.of(service.disable(session, client_id, disabled_by=CLI_ACTOR))

    typer.echo(f"disabled {_run(action).client_id}")


@app.command("set-push-endpoint")
def set_push_endpoint(
    client_id: str,
    url: Annotated[str, typer.Argument(help="https URL the consent events are POSTed to.")],
) -> None:
    """Push the client's consent events to URL from now on (earlier ones: replay-push)."""

    def action(session: Any, settings: Settings) -> PushEndpointView:
        return push.set_endpoint(
            session,
            client_id,
            url,
            set_by=CLI_ACTOR,
            allow_loopback_http=settings.accepts_synthetic_identities,
            now=datetime.now(UTC),
        )

    typer.echo(_run(action).model_dump_json(indent=2))


@app.command("remove-push-endpoint")
def remove_push_endpoint(client_id: str) -> None:
    """Stop pushing the client's consent events; what was still owed is dropped."""

    def action(session: Any, settings: Settings) -> None:
        push.remove_endpoint(session, client_id, removed_by=CLI_ACTOR)

    _run(action)
    typer.echo(f"push endpoint of {client_id} removed")


@app.command("push-failures")
def push_failures(client_id: str) -> None:
    """The client's pushed events the gateway gave up on, one JSON object per line."""

    def action(session: Any, settings: Settings) -> list[FailedDelivery]:
        return list(push.failures(session, client_id))

    for failure in _run(action):
        typer.echo(failure.model_dump_json(by_alias=True))


@app.command("replay-push")
def replay_push(
    client_id: str,
    after: Annotated[
        str | None, typer.Option(help="A continuation token of the event feed; none: all.")
    ] = None,
) -> None:
    """Push the client's consent events after a feed position again."""

    def action(session: Any, settings: Settings) -> PushReplayOut:
        return push.replay(session, client_id, after, now=datetime.now(UTC))

    typer.echo(_run(action).model_dump_json(by_alias=True))
