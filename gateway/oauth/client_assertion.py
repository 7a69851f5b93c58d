"""Client authentication with private_key_jwt (RFC 7523 §2.2, as FAPI 2.0 restricts it).

The assertion is signed with ES256, PS256 or EdDSA by one of the client's
keys (chosen by kid); iss = sub = client_id; aud = the issuer; it lives at
most 120 s; iat may be up to 10 s in the future; its jti is used once,
enforced by the database across every gateway process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidClientError
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.util import urlsafe_b64decode

from gateway.oauth.clients import OAuthClient
from gateway.oauth.jti_ledger import JtiLedger

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALLOWED_ALGORITHMS = ("ES256", "PS256", "EdDSA")
MAX_LIFETIME_SECONDS = 120
FUTURE_IAT_TOLERANCE_SECONDS = 10
# A client assertion older than this is refused even when its exp is still ahead.
MAX_AGE_SECONDS = 120


def _refuse(description: str) -> InvalidClientError:
    return InvalidClientError(status_code=401, description=description)


def _json_part(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(urlsafe_b64decode(segment.encode()))
    except (ValueError, TypeError) as error:
        raise _refuse("The client assertion is not a JWT.") from error
    if not isinstance(value, dict):
        raise _refuse("The client assertion is not a JWT.")
    return value


def _claims_unverified(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = assertion.split(".")
    if len(parts) != 3:
        raise _refuse("The client assertion is not a signed JWT (JWS compact form).")
    return _json_part(parts[0]), _json_part(parts[1])


def _check_times(claims: dict[str, Any], now: int) -> int:
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise _refuse("The client assertion needs numeric iat and exp claims.")
    if exp <= now:
        raise _refuse("The client assertion has expired; sign a new one for each request.")
    if iat > now + FUTURE_IAT_TOLERANCE_SECONDS:
        raise _refuse(
            f"The client assertion's iat is more than {FUTURE_IAT_TOLERANCE_SECONDS} s in the "
            "future; check the client's clock."
        )
    if exp - iat > MAX_LIFETIME_SECONDS:
        raise _refuse(
            f"The client assertion may live at most {MAX_LIFETIME_SECONDS} s (exp - iat)."
        )
    if iat < now - MAX_AGE_SECONDS:
        raise _refuse(f"The client assertion's iat is more than {MAX_AGE_SECONDS} s in the past.")
    return exp


_BAD_SIGNATURE = (
    "The client assertion's signature does not verify with any of the client's "
    "registered keys (check kid and alg)."
)


class PrivateKeyJwtAuthentication:
    """An Authlib client-auth method: `(query_client, request) -> client`, raising on failure."""

    def __init__(
        self,
        ledger: JtiLedger,
        *,
        issuer: str,
        client_keys: Callable[[OAuthClient, bool], KeySet],
        now: Callable[[], int],
    ) -> None:
        self.ledger = ledger
        self.issuer = issuer
        self.client_keys = client_keys
        self.now = now

    def _verify(self, assertion: str, client: OAuthClient, header: dict[str, Any]) -> Any:
        algorithms = list(ALLOWED_ALGORITHMS)
        try:
            return jws.deserialize_compact(assertion, self.client_keys(client, False), algorithms)
        except (JoseError, ValueError) as error:
            known_kids = {key.kid for key in self.client_keys(client, False).keys}
            if client.record.jwks_uri is None or header.get("kid") in known_kids:
                raise _refuse(_BAD_SIGNATURE) from error
        # A kid we have not seen: the client may have rotated its published keys.
        try:
            return jws.deserialize_compact(assertion, self.client_keys(client, True), algorithms)
        except (JoseError, ValueError) as error:
            raise _refuse(_BAD_SIGNATURE) from error

    def __call__(self, query_client: Callable[[str], OAuthClient | None], request: Any) -> Any:
        form = request.form
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise _refuse(
                "Authenticate with private_key_jwt: send client_assertion_type="
                f"{ASSERTION_TYPE} and a signed client_assertion."
            )
        assertion: str = form["client_assertion"]
        header, unverified = _claims_unverified(assertion)
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise _refuse(
                f"The client assertion must be signed with one of {', '.join(ALLOWED_ALGORITHMS)}."
            )
        client_id = unverified.get("iss")
        if not isinstance(client_id, str) or not client_id:
            raise _refuse("The client assertion needs iss = your client_id.")
        if form.get("client_id") not in (None, client_id):
            raise _refuse("client_id differs from the client assertion's iss.")
        client = query_client(client_id)
        if client is None:
            raise _refuse("No active client has this client_id.")
        verified = self._verify(assertion, client, header)
        claims = json.loads(verified.payload)
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise _refuse("The client assertion needs iss and sub both equal to your client_id.")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if audiences != [self.issuer]:
            raise _refuse(f"The client assertion's aud must be the issuer, '{self.issuer}'.")
        expires = _check_times(claims, self.now())
        jti = claims.get("jti")
        if not isinstance(jti, str) or not 1 <= len(jti) <= 255:
            raise _refuse("The client assertion needs a jti (at most 255 characters).")
        # Recorded with the request's other jtis once every check has passed.
        self.ledger.claim(
            f"client-assertion:{client_id}",
            jti,
            datetime.fromtimestamp(expires, UTC),
            lambda: _refuse("The client assertion's jti was used before; use a new jti each time."),
        )
        return client
