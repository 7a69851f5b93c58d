"""What every grant of this server shares: private_key_jwt only, and DPoP binding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.oauth.clients import PRIVATE_KEY_JWT, OAuthClient
from gateway.oauth.dpop import DpopProof, single_proof
from gateway.oauth.tokens import issue_token_response

if TYPE_CHECKING:
    from gateway.oauth.server import AuthorizationServer


class GatewayGrantMixin:
    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]  # noqa: RUF012  (Authlib's class attribute)

    server: AuthorizationServer
    request: Any

    @property
    def gateway_client(self) -> OAuthClient:
        client: OAuthClient = self.request.client
        return client

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
    ) -> dict[str, Any]:
        server = self.server
        server.jtis.settle()  # the assertion's and the proof's jti, in one statement
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
