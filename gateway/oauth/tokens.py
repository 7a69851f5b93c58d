"""Issuing access tokens: self-contained RFC 9068 JWTs (only revocations are stored)."""

from __future__ import annotations

from typing import Any

from gateway.keys import KeyStore
from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.security.access_tokens import issue_access_token
from gateway.security.scopes import CONSUMER_CLAIM, consumer_claim


def issue_token_response(
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
    token, _claims = issue_access_token(
        keys,
        issuer=issuer,
        client_id=client.client_id,
        scopes=scopes,
        lifetime_seconds=lifetime_seconds,
        confirmation_jkt=confirmation_jkt,
        extra_claims=extra_claims,
        now=now,
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
