"""OAuth error responses beyond RFC 6749's: RFC 9449 (DPoP) and RFC 9396 (RAR).

They leave as `{error, error_description}` JSON like every Authlib error.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749.errors import OAuth2Error


class InvalidDpopProofError(OAuth2Error):  # type: ignore[misc]
    error = "invalid_dpop_proof"


class UseDpopNonceError(OAuth2Error):  # type: ignore[misc]
    """RFC 9449 §8: the proof must carry the nonce sent in the DPoP-Nonce header."""

    error = "use_dpop_nonce"

    def __init__(self, nonce: str) -> None:
        super().__init__("Resend the request with the server nonce from the DPoP-Nonce header.")
        self.nonce = nonce

    def get_headers(self) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = super().get_headers()
        return [*headers, ("DPoP-Nonce", self.nonce)]


class InvalidAuthorizationDetailsError(OAuth2Error):  # type: ignore[misc]
    """RFC 9396 §5: with a `consent_error` member naming the reason for programs to branch on."""

    error = "invalid_authorization_details"

    def __init__(self, description: str, consent_error: str | None = None) -> None:
        super().__init__(description)
        self.consent_error = consent_error

    def get_body(self) -> list[tuple[str, Any]]:
        body: list[tuple[str, Any]] = super().get_body()
        if self.consent_error:
            body.append(("consent_error", self.consent_error))
        return body
