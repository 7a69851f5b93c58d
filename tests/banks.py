"""A registered bank client and its access tokens, for API tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy.orm import Session

from consent.catalogue import PRODUCTS
from consent.clients import repository
from consent.clients.models import Client, ClientKind
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import CONSENT_REQUESTS, consumer_claim

REDIRECT_URL = "https://bank.example/samtykke/return"


@dataclass(frozen=True)
class Bank:
    client_id: str
    organisation_number: str
    name: str

    def token(self, app: FastAPI, scopes: list[str] | None = None) -> str:
        token, _ = issue_access_token(
            app.state.keys,
            issuer=app.state.settings.issuer_url,
            client_id=self.client_id,
            scopes=[CONSENT_REQUESTS] if scopes is None else scopes,
            extra_claims={"consumer": consumer_claim(self.organisation_number)},
        )
        return token

    def headers(self, app: FastAPI) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(app)}"}


def register_bank(
    session: Session,
    organisation_number: str,
    *,
    name: str = "Fjordbanken ASA",
    redirect_url: str = REDIRECT_URL,
    products: list[str] | None = None,
) -> Bank:
    client_id = f"bank-{uuid.uuid4().hex[:10]}"
    repository.add(
        session,
        Client(
            client_id=client_id,
            kind=ClientKind.BANK.value,
            organisation_number=organisation_number,
            name=name,
            jwks={"keys": []},
            redirect_uris=[redirect_url],
            data_products=list(PRODUCTS) if products is None else products,
            scopes=[CONSENT_REQUESTS],
        ),
    )
    session.commit()
    return Bank(client_id, organisation_number, name)


def register_agency(
    session: Session, organisation_number: str, client_id: str | None = None
) -> str:
    """An agency client in the registry (its tokens are minted by the test); its client id."""
    client_id = client_id or f"agency-{uuid.uuid4().hex[:10]}"
    repository.add(
        session,
        Client(
            client_id=client_id,
            kind=ClientKind.AGENCY.value,
            organisation_number=organisation_number,
            name="Skatteetaten",
            jwks={"keys": []},
            scopes=["audit:read"],
        ),
    )
    session.commit()
    return client_id
