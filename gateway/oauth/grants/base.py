"""What every grant of this server shares: private_key_jwt only, and DPoP binding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from authlib.oauth2.rfc6749.errors import InvalidScopeError
from sqlalchemy.orm import Session

from consent.audit import log
from consent.audit.events import ActorType, AuditEvent, Outcome, event_type
from gateway.keys import KeyStore
from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.oauth.consents import ConsentLookup, ConsentView
from gateway.oauth.dpop import DpopProof, DpopVerifier, single_proof
from gateway.oauth.jti_ledger import JtiLedger
from gateway.oauth.tokens import issue_token_response
from gateway.settings import Settings


class GrantServer(Protocol):
    """What the grants need of the authorization server that registers them.

    The server imports the grants; the grants know the server only by this shape,
    so the two modules do not import each other.
    """

    session: Session
    settings: Settings
    issuer: str
    keys: KeyStore
    consent_lookup: ConsentLookup | None
    jtis: JtiLedger
    dpop: DpopVerifier
    now: Callable[[], int]

    @property
    def token_endpoint(self) -> str: ...

    def find_consent(self, lookup: ConsentLookup, consent_id: str) -> ConsentView | None: ...


# How much of a refused scope parameter the audit record keeps.
SCOPE_RECORD_LENGTH = 256


class GatewayGrantMixin:
    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]  # noqa: RUF012  (Authlib's class attribute)

    server: GrantServer
    request: Any

    @property
    def gateway_client(self) -> OAuthClient:
        client: OAuthClient = self.request.client
        return client

    def refuse_scope(self, description: str) -> InvalidScopeError:
        """`invalid_scope`, once the authenticated client's attempt is on the audit record.

        The token endpoint answers its refusals as responses, so the request's
        transaction commits and keeps the record.
        """
        client = self.gateway_client
        requested = self.request.payload.scope or ""
        log.append(
            self.server.session,
            AuditEvent(
                event_type=event_type("token", "client", "refused"),
                actor_type=ActorType.BANK if client.is_bank else ActorType.AGENCY,
                actor_id=client.organisation_number,
                outcome=Outcome.DENIED,
                details={
                    "reason": "invalid_scope",
                    "clientId": client.client_id,
                    "scope": requested[:SCOPE_RECORD_LENGTH],
                },
            ),
        )
        return InvalidScopeError(description)

    def dpop_proof(self, *, required: bool) -> DpopProof | None:
        """Verify the request's DPoP proof; None when there is none and none is required."""
        proof = single_proof(self.request.headers)
        if proof is None and not required:
            return None
        return self.server.dpop.verify(proof, method="POST", url=self.server.token_endpoint)

    def issue(
        self,
        scopes: list[str],
        proof: DpopProof | None,
        authorization_details: list[dict[str, Any]] | None = None,
        audit: AuditEvent | None = None,
    ) -> dict[str, Any]:
        """Record the request's jtis (and `audit`, in the same statement), then sign the token."""
        server = self.server
        server.jtis.settle(then_append=audit)  # the assertion's and the proof's jti
        return issue_token_response(
            server.keys,
            issuer=server.issuer,
            client=self.gateway_client,
            scopes=scopes,
            lifetime_seconds=server.settings.access_token_lifetime_seconds,
            now=server.now(),
            confirmation_jkt=proof.jkt if proof else None,
            authorization_details=authorization_details,
        )
