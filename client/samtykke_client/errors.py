"""Errors the client raises.

SamtykkeError                     the gateway refused (problem+json: status, code, title, detail)
├── OAuthError                    the authorization server refused (RFC 6749: error, description)
├── AuthorizationResponseError    the browser came back with a state or issuer not ours
└── PartyMismatchError            the consent was given by someone the bank did not expect
TransportError                    the gateway could not be reached or answered nonsense
"""

from __future__ import annotations

from typing import Any


class SamtykkeError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        title: str = "",
        detail: str | None = None,
        *,
        problem: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.problem = problem or {}
        self.retry_after = retry_after


class OAuthError(SamtykkeError):
    """An RFC 6749 error from the token endpoint; `code` is the `error` member."""


class TransportError(Exception):
    """The gateway did not answer, or answered with something that is not the API."""


class AuthorizationResponseError(SamtykkeError):
    """The code-flow callback does not belong to the authorization this client started.

    Its `state` or `iss` differs (a forged or mixed-up response); no code was redeemed.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(400, "invalid-authorization-response", "Not our authorization", detail)


class PartyMismatchError(SamtykkeError):
    """The token's consent names another person or organisation than the bank expected.

    The token has been revoked and the consent withdrawn (as far as the gateway allowed);
    never use it. The message names no identity number: the other party is a stranger.
    """

    def __init__(self, consent_id: str) -> None:
        super().__init__(
            403,
            "party-mismatch",
            "The consent was given by someone else",
            "The consent names another party than the one this authorization expected.",
        )
        self.consent_id = consent_id
