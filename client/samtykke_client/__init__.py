"""A typed Python client for banks and agencies using the Samtykke gateway.

It authenticates with private_key_jwt, binds every token to a DPoP key
with a fresh proof per call (following server nonces), caches tokens until
shortly before they expire, and raises :class:`SamtykkeError` carrying the
problem+json ``code`` for every refusal. :class:`SamtykkeClient` blocks;
:class:`AsyncSamtykkeClient` is the same on ``httpx.AsyncClient``.
:class:`PushedEventVerifier` checks the consent events the gateway pushes to the bank;
:class:`AnswerStatementVerifier` checks the signed statements of derived answers.
"""

from samtykke_client.answers import (
    AnswerStatement,
    AnswerStatementVerifier,
    InvalidStatementError,
)
from samtykke_client.async_client import AsyncSamtykkeClient
from samtykke_client.client import SamtykkeClient
from samtykke_client.code_flow import AuthorizedConsent, PendingAuthorization
from samtykke_client.errors import (
    AuthorizationResponseError,
    OAuthError,
    PartyMismatchError,
    SamtykkeError,
    TransportError,
)
from samtykke_client.events import (
    InMemorySeenEvents,
    InvalidEventError,
    PushedConsentEvent,
    PushedEventError,
    PushedEventVerifier,
    ReplayedEventError,
)
from samtykke_client.keys import generate_private_jwk, public_jwks
from samtykke_client.proofs import DPoPKey, pkce_pair

__version__ = "0.2.0"

__all__ = [
    "AnswerStatement",
    "AnswerStatementVerifier",
    "AsyncSamtykkeClient",
    "AuthorizationResponseError",
    "AuthorizedConsent",
    "DPoPKey",
    "InMemorySeenEvents",
    "InvalidEventError",
    "InvalidStatementError",
    "OAuthError",
    "PartyMismatchError",
    "PendingAuthorization",
    "PushedConsentEvent",
    "PushedEventError",
    "PushedEventVerifier",
    "ReplayedEventError",
    "SamtykkeClient",
    "SamtykkeError",
    "TransportError",
    "__version__",
    "generate_private_jwk",
    "pkce_pair",
    "public_jwks",
]
