"""The authorization code grant (RFC 6749 §4.1) as FAPI 2.0 wants it.

The code works once and for 60 s, only for the client it was made for and
with the exact redirect URI; PKCE S256 (RFC 7636) proves the same client
started the flow; the token is DPoP-bound, to the key named at PAR if one was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError

from consent.audit import log as audit_log
from consent.audit.events import ActorType, AuditEvent, event_type
from consent.authorization import repository as authorization_repository
from consent.authorization.models import AuthorizationCode
from consent.parties import party_of_urn
from gateway.oauth.grants.base import GatewayGrantMixin
from gateway.oauth.interaction import hash_code
from gateway.security.scopes import consumer_claim


def _subject(record: AuthorizationCode) -> str:
    """The party the token is for: the person, or the enterprise they consented for."""
    for detail in record.authorization_details:
        party = party_of_urn(detail.get("from", "")) if isinstance(detail, dict) else None
        if party is not None:
            return party.id
    return record.person


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class AuthorizationCodeGrant(GatewayGrantMixin, grants.BaseGrant, grants.TokenEndpointMixin):  # type: ignore[misc]
    GRANT_TYPE = "authorization_code"

    def validate_token_request(self) -> None:
        self.request.client = self.authenticate_token_endpoint_client()
        form = self.request.form
        code, verifier = form.get("code"), form.get("code_verifier")
        if not code:
            raise InvalidRequestError("Send the authorization code in 'code'.")
        if not verifier or not 43 <= len(verifier) <= 128:
            raise InvalidGrantError("PKCE is required: send the code_verifier (43-128 characters).")
        proof = self.dpop_proof(required=True)
        now = self.server.now()
        record = authorization_repository.use_authorization_code(
            self.server.session, hash_code(code), datetime.fromtimestamp(now, UTC)
        )
        if record is None:
            raise InvalidGrantError("The code is unknown or was used before.")
        if record.client_id != self.gateway_client.client_id:
            raise InvalidGrantError("The code was issued to another client.")
        expires_at = record.expires_at
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        if expires_at.timestamp() <= now:
            raise InvalidGrantError("The code has expired (codes live 60 s).")
        if form.get("redirect_uri") != record.redirect_uri:
            raise InvalidGrantError("redirect_uri differs from the authorization request's.")
        if not hmac.compare_digest(s256(verifier), record.code_challenge):
            raise InvalidGrantError("The code_verifier does not match the code_challenge.")
        if record.dpop_jkt is not None and proof is not None and proof.jkt != record.dpop_jkt:
            raise InvalidGrantError("The DPoP proof's key differs from the one bound at PAR.")
        self.proof = proof
        self.code = record

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        record: AuthorizationCode = self.code
        details = [
            {**detail, "to": consumer_claim(self.gateway_client.organisation_number)}
            for detail in record.authorization_details
        ]
        body = self.issue(record.scope.split(), self.proof, details)
        audit_log.append(
            self.server.session,
            AuditEvent(
                event_type=event_type("token", "consent", "issued"),
                actor_type=ActorType.BANK,
                actor_id=self.gateway_client.organisation_number,
                subject=_subject(record),
                consent_id=next((d.get("id") for d in details if d.get("id")), None),
                details={"clientId": self.gateway_client.client_id, "grant": self.GRANT_TYPE},
            ),
        )
        return 200, body, self.TOKEN_RESPONSE_HEADER
