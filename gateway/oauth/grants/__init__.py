"""The token grants, one per module; the authorization server registers them
(gateway.oauth.server.GRANTS), and they know the server only as a GrantServer."""

from gateway.oauth.grants.authorization_code import AuthorizationCodeGrant
from gateway.oauth.grants.base import GrantServer
from gateway.oauth.grants.client_credentials import ClientCredentialsGrant
from gateway.oauth.grants.consent import ConsentGrant

__all__ = ["AuthorizationCodeGrant", "ClientCredentialsGrant", "ConsentGrant", "GrantServer"]
