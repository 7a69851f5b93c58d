"""DPoP proofs (RFC 9449), at the token endpoint and on resource requests.

A proof is a JWT with typ dpop+jwt, signed with ES256, PS256 or EdDSA by the
public key it embeds (never a private one). It names the request (htm, htu),
is fresh (iat), is used once (jti, remembered in the database so every
gateway process sees it), carries the server nonce when one is demanded, and,
on resource requests, the hash of the access token (ath).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey
from sqlalchemy.orm import Session

from consent.authorization import repository as authorization_repository
from gateway.clients.jwks import has_private_members
from gateway.oauth.errors import InvalidDpopProofError, UseDpopNonceError
from gateway.oauth.jti_ledger import JtiLedger

PROOF_TYPE = "dpop+jwt"
ALLOWED_ALGORITHMS = ("ES256", "PS256", "EdDSA")
# How far a proof's iat may lie in the past and in the future.
MAX_AGE_SECONDS = 60
FUTURE_IAT_TOLERANCE_SECONDS = 10
# A server nonce is valid in the window it was made in and the next one.
NONCE_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class DpopProof:
    jkt: str  # RFC 7638 thumbprint of the proof's key, for cnf.jkt
    jti: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(access_token: str) -> str:
    return _b64(hashlib.sha256(access_token.encode()).digest())


def normalise_htu(url: str) -> str:
    """RFC 9449 §4.3: compare without query and fragment."""
    return url.split("#", 1)[0].split("?", 1)[0]


class DpopNonces:
    """Stateless server nonces: an HMAC of the time window, so every process agrees."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _nonce_for(self, window: int) -> str:
        mac = hmac.new(self._secret, str(window).encode(), hashlib.sha256).digest()
        return f"{window}.{_b64(mac[:18])}"

    def current(self, now: int) -> str:
        return self._nonce_for(now // NONCE_WINDOW_SECONDS)

    def is_valid(self, nonce: object, now: int) -> bool:
        if not isinstance(nonce, str):
            return False
        window = now // NONCE_WINDOW_SECONDS
        return any(hmac.compare_digest(nonce, self._nonce_for(w)) for w in (window, window - 1))


def _invalid(description: str) -> InvalidDpopProofError:
    return InvalidDpopProofError(description)


def _replayed_proof() -> InvalidDpopProofError:
    return _invalid("The DPoP proof was used before; make a new proof (new jti) per request.")


def single_proof(headers: Any) -> str | None:
    """The request's one DPoP header, None when there is none.

    RFC 9449 §4.3: a request with more than one DPoP header is refused. A
    proxy may have joined two headers into one with a comma, which is no
    single JWS either.
    """
    values: list[str] = (
        headers.getlist("dpop") if hasattr(headers, "getlist") else _header_values(headers)
    )
    if not values:
        return None
    if len(values) > 1 or "," in values[0]:
        raise _invalid("Send exactly one DPoP header with one proof.")
    return values[0]


def _header_values(headers: Any) -> list[str]:
    value = headers.get("dpop")
    return [] if value is None else [value]


def _decode_part(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as error:
        raise _invalid("The DPoP proof is not a JWT.") from error
    if not isinstance(value, dict):
        raise _invalid("The DPoP proof is not a JWT.")
    return value


def _public_key(jwk: Any) -> tuple[ECKey | OKPKey | RSAKey, str]:
    """The proof's public key and its RFC 7638 thumbprint."""
    if not isinstance(jwk, dict):
        raise _invalid("The DPoP proof's header needs the public key as 'jwk'.")
    if has_private_members(jwk):
        raise _invalid("The DPoP proof's jwk holds private key material; send the public key.")
    return _import_public_key(json.dumps(jwk, sort_keys=True))


# A client signs many proofs with one key: import it (and hash it) once.
@functools.lru_cache(maxsize=4096)
def _import_public_key(canonical_jwk: str) -> tuple[ECKey | OKPKey | RSAKey, str]:
    try:
        key = JWKRegistry.import_key(json.loads(canonical_jwk))
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise _invalid("The DPoP proof's jwk is not a usable public key.") from error
    if not isinstance(key, ECKey | OKPKey | RSAKey):
        raise _invalid("The DPoP proof's jwk must be an EC, RSA or OKP key.")
    return key, key.thumbprint()


class DpopVerifier:
    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], int],
        nonces: DpopNonces | None = None,
        ledger: JtiLedger | None = None,
    ) -> None:
        self.session = session
        self.ledger = ledger  # when given, the jti is recorded with the request's others
        self.now = now
        self.nonces = nonces

    def verify(
        self,
        proof: str | None,
        *,
        method: str,
        url: str,
        access_token: str | None = None,
    ) -> DpopProof:
        if not proof:
            raise _invalid("Send a DPoP proof in the DPoP header.")
        parts = proof.split(".")
        if len(parts) != 3:
            raise _invalid("The DPoP proof is not a signed JWT (JWS compact form).")
        header = _decode_part(parts[0])
        if header.get("typ") != PROOF_TYPE:
            raise _invalid(f"The DPoP proof's typ must be '{PROOF_TYPE}'.")
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise _invalid(f"Sign the DPoP proof with one of {', '.join(ALLOWED_ALGORITHMS)}.")
        key, jkt = _public_key(header.get("jwk"))
        try:
            verified = jws.deserialize_compact(proof, key, algorithms=list(ALLOWED_ALGORITHMS))
        except (JoseError, ValueError) as error:
            raise _invalid("The DPoP proof's signature does not verify with its jwk.") from error
        claims = json.loads(verified.payload)
        if not isinstance(claims, dict):
            raise _invalid("The DPoP proof's payload must be a JSON object.")
        self._check_claims(claims, method=method, url=url, access_token=access_token)
        jti = str(claims["jti"])
        iat = int(claims["iat"])
        expires = datetime.fromtimestamp(iat + MAX_AGE_SECONDS + 1, UTC)
        if self.ledger is not None:
            self.ledger.claim(f"dpop:{jkt}", jti, expires, _replayed_proof)
        elif not authorization_repository.use_jti(self.session, f"dpop:{jkt}", jti, expires):
            raise _replayed_proof()
        return DpopProof(jkt=jkt, jti=jti)

    def _check_claims(
        self, claims: dict[str, Any], *, method: str, url: str, access_token: str | None
    ) -> None:
        now = self.now()
        jti, iat = claims.get("jti"), claims.get("iat")
        if not isinstance(jti, str) or not 1 <= len(jti) <= 255:
            raise _invalid("The DPoP proof needs a jti (at most 255 characters).")
        if claims.get("htm") != method:
            raise _invalid(f"The DPoP proof's htm must be the request method, '{method}'.")
        htu = claims.get("htu")
        if not isinstance(htu, str) or normalise_htu(htu) != normalise_htu(url):
            raise _invalid(f"The DPoP proof's htu must be the request URL, '{normalise_htu(url)}'.")
        if not isinstance(iat, int):
            raise _invalid("The DPoP proof needs a numeric iat.")
        if iat > now + FUTURE_IAT_TOLERANCE_SECONDS:
            raise _invalid("The DPoP proof's iat lies in the future; check the client's clock.")
        if iat < now - MAX_AGE_SECONDS:
            raise _invalid(f"The DPoP proof is older than {MAX_AGE_SECONDS} s; make a fresh one.")
        if self.nonces is not None and not self.nonces.is_valid(claims.get("nonce"), now):
            raise UseDpopNonceError(self.nonces.current(now))
        if access_token is not None:
            if claims.get("ath") != access_token_hash(access_token):
                raise _invalid("The DPoP proof's ath must be the hash of the access token sent.")
        elif "ath" in claims:
            raise _invalid("A DPoP proof for the token endpoint carries no ath.")
