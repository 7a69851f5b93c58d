"""A typed Python client for banks using the Samtykke gateway.

It authenticates with private_key_jwt, binds every token to a DPoP key
with a fresh proof per call (following server nonces), caches tokens until
shortly before they expire, and raises :class:`SamtykkeError` carrying the
problem+json ``code`` for every refusal.
"""

from samtykke_client.client import SamtykkeClient
from samtykke_client.code_flow import AuthorizedConsent, PendingAuthorization
from samtykke_client.errors import (
    AuthorizationResponseError,
    OAuthError,
    PartyMismatchError,
    SamtykkeError,
    TransportError,
)
from samtykke_client.keys import generate_private_jwk, public_jwks

__all__ = [
    "AuthorizationResponseError",
    "AuthorizedConsent",
    "OAuthError",
    "PartyMismatchError",
    "PendingAuthorization",
    "SamtykkeClient",
    "SamtykkeError",
    "TransportError",
    "generate_private_jwk",
    "public_jwks",
]
