"""The admin client API: register, list and disable bank and agency clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gateway.clients import service
from gateway.clients.organisations import OrganisationLookup
from gateway.clients.schemas import ClientRegistration, ClientView
from gateway.database import DbSession
from gateway.problems import ProblemError, problem_responses
from gateway.security.admin import require_admin
from gateway.settings import Settings

router = APIRouter(prefix="/admin/v1/clients", tags=["admin"])
Admin = Annotated[str, Depends(require_admin)]


def organisation_lookup(request: Request) -> OrganisationLookup:
    lookup: OrganisationLookup | None = getattr(request.app.state, "organisation_lookup", None)
    if lookup is None:
        # Fail closed: no client is registered unchecked.
        raise ProblemError(
            503, "organisation-register-unavailable", "No organisation register is configured"
        )
    return lookup


@router.post(
    "",
    status_code=201,
    response_model=ClientView,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def register_client(
    registration: ClientRegistration,
    session: DbSession,
    admin: Admin,
    lookup: Annotated[OrganisationLookup, Depends(organisation_lookup)],
    request: Request,
) -> ClientView:
    settings: Settings = request.app.state.settings
    client = service.register(
        session,
        lookup,
        registration,
        registered_by=admin,
        allow_loopback_http=settings.accepts_synthetic_identities,
    )
    return ClientView.of(client)


@router.get("", response_model=list[ClientView], responses=problem_responses(401, 403, 503))
def list_clients(session: DbSession, _admin: Admin) -> list[ClientView]:
    return [ClientView.of(client) for client in service.list_clients(session)]


@router.post(
    "/{client_id}/disable",
    response_model=ClientView,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def disable_client(client_id: str, session: DbSession, admin: Admin) -> ClientView:
    return ClientView.of(service.disable(session, client_id, disabled_by=admin))
