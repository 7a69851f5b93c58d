"""Client credentials (RFC 6749 §4.4) for the scopes that need no consent.

Banks get `samtykke:consentrequests`, agencies `audit:read`. Data needs a
consent, so `samtykke:data` is only issued by the consent grant. A DPoP
proof, when sent, binds the token to its key.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import grants

from gateway.oauth.grants.base import GatewayGrantMixin
from gateway.security.scopes import DATA_READ


class ClientCredentialsGrant(GatewayGrantMixin, grants.ClientCredentialsGrant):  # type: ignore[misc]
    def validate_token_request(self) -> None:
        super().validate_token_request()
        requested = (self.request.payload.scope or "").split()
        if not requested:
            raise self.refuse_scope("Ask for a scope, e.g. scope=samtykke:consentrequests.")
        if DATA_READ in requested:
            raise self.refuse_scope(
                f"'{DATA_READ}' is issued only for a consent: send authorization_details."
            )
        allowed = set(self.gateway_client.record.scopes)
        refused = [scope for scope in requested if scope not in allowed]
        if refused:
            raise self.refuse_scope(f"This client may not ask for: {' '.join(refused)}.")
        self.proof = self.dpop_proof(required=False)

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        scopes = list(dict.fromkeys(self.request.payload.scope.split()))
        body = self.issue(scopes, self.proof)
        return 200, body, self.TOKEN_RESPONSE_HEADER
