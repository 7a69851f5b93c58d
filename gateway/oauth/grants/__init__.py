"""The token grants, one per module. Order matters: the consent grant claims
client-credentials requests that carry authorization_details before the
plain client-credentials grant sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.oauth.grants.authorization_code import AuthorizationCodeGrant
from gateway.oauth.grants.client_credentials import ClientCredentialsGrant
from gateway.oauth.grants.consent import ConsentGrant

if TYPE_CHECKING:
    from gateway.oauth.server import AuthorizationServer

__all__ = [
    "AuthorizationCodeGrant",
    "ClientCredentialsGrant",
    "ConsentGrant",
    "register_grants",
]


def register_grants(server: AuthorizationServer) -> None:
    server.register_grant(ConsentGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(AuthorizationCodeGrant)
