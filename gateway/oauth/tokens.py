"""Issuing access tokens: an RFC 9068 JWT plus its row for introspection and revocation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from gateway.keys import KeyStore
from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import CONSUMER_CLAIM, consumer_claim


def issue_token_response(
    session: Session,
    keys: KeyStore,
    *,
    issuer: str,
    client: OAuthClient,
    scopes: list[str],
    lifetime_seconds: int,
    now: int,
    confirmation_jkt: str | None,
    authorization_details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Sign a token for `client`, remember it, and return the RFC 6749 §5.1 response body."""
    extra_claims: dict[str, Any] = {
        CONSUMER_CLAIM: consumer_claim(client.organisation_number),
        "client_amr": PRIVATE_KEY_JWT,
    }
    if authorization_details:
        extra_claims["authorization_details"] = authorization_details
    token, claims = issue_access_token(
        keys,
        issuer=issuer,
        client_id=client.client_id,
        scopes=scopes,
        lifetime_seconds=lifetime_seconds,
        confirmation_jkt=confirmation_jkt,
        extra_claims=extra_claims,
        now=now,
    )
    authorization_repository.record_issued_token(
        session,
        str(claims["jti"]),
        client.client_id,
        datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
    body: dict[str, Any] = {
        "access_token": token,
        "token_type": "DPoP" if confirmation_jkt else "Bearer",
        "expires_in": lifetime_seconds,
        "scope": " ".join(scopes),
    }
    if authorization_details:
        body["authorization_details"] = authorization_details
    return body
