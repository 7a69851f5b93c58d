"""Request and response shapes of the admin client API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from consent.audit.canonical import as_utc
from consent.clients.models import Client


class ClientRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["bank", "agency"] = "bank"
    organisation_number: str = Field(pattern=r"^\d{9}$", examples=["984851006"])
    name: str = Field(min_length=1, max_length=200)
    jwks: dict[str, Any] | None = Field(
        default=None, description="The client's public keys by value (a JWK Set)."
    )
    jwks_uri: str | None = Field(
        default=None, max_length=2000, description="Where the client publishes its JWK Set."
    )
    redirect_uris: list[str] = Field(default_factory=list, max_length=10)
    data_products: list[str] = Field(default_factory=list, max_length=50)


class ClientView(BaseModel):
    client_id: str
    kind: str
    organisation_number: str
    name: str
    jwks: dict[str, Any] | None
    jwks_uri: str | None
    redirect_uris: list[str]
    data_products: list[str]
    scopes: list[str]
    status: str
    created_at: datetime

    @classmethod
    def of(cls, client: Client) -> ClientView:
        return cls(
            client_id=client.client_id,
            kind=client.kind,
            organisation_number=client.organisation_number,
            name=client.name,
            jwks=client.jwks,
            jwks_uri=client.jwks_uri,
            redirect_uris=list(client.redirect_uris),
            data_products=list(client.data_products),
            scopes=list(client.scopes),
            status=client.status,
            # SQLite hands back naive times; every stored time is UTC, and the API says so.
            created_at=as_utc(client.created_at),
        )
