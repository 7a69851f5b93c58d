"""A typed Python client for banks using the Samtykke gateway.

It authenticates with private_key_jwt, binds every token to a DPoP key
with a fresh proof per call (following server nonces), caches tokens until
shortly before they expire, and raises :class:`SamtykkeError` carrying the
problem+json ``code`` for every refusal. :class:`PushedEventVerifier` checks
the consent events the gateway pushes to the bank.
"""

from samtykke_client.client import SamtykkeClient
from samtykke_client.errors import OAuthError, SamtykkeError, TransportError
from samtykke_client.events import (
    InMemorySeenEvents,
    InvalidEventError,
    PushedConsentEvent,
    PushedEventError,
    PushedEventVerifier,
    ReplayedEventError,
)
from samtykke_client.keys import generate_private_jwk, public_jwks

__all__ = [
    "InMemorySeenEvents",
    "InvalidEventError",
    "OAuthError",
    "PushedConsentEvent",
    "PushedEventError",
    "PushedEventVerifier",
    "ReplayedEventError",
    "SamtykkeClient",
    "SamtykkeError",
    "TransportError",
    "generate_private_jwk",
    "public_jwks",
]
