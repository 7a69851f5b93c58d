"""Errors the client raises.

SamtykkeError            the gateway refused (problem+json: status, code, title, detail)
└── OAuthError           the authorization server refused (RFC 6749: error, description)
TransportError           the gateway could not be reached or answered nonsense
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
