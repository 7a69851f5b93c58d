"""Derived answers' signed statements: verify one now, or years later, from the published keys.

The gateway answers a derived question (``SamtykkeClient.answer``) with the answer and
the same answer as a signed statement: a compact JWS, ``typ`` ``samtykke-answer+jwt``,
signed with a key the gateway publishes at ``/.well-known/answer-keys.json`` (replaced
keys stay published after a rotation). Keep the statement as evidence of what the
gateway answered, and check it with :meth:`AnswerStatementVerifier.verify`: signature,
``typ``, algorithm, ``iss``, ``aud`` (this client), and, when asked, the age of ``iat``.

To verify without network access, pass the JWKS you saved (``jwks=``); an async
application can fetch it with ``await AsyncSamtykkeClient.answer_keys()``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from joserfc import jws
from joserfc.errors import JoseError

from samtykke_client.calls import ANSWER_KEYS_PATH
from samtykke_client.published_keys import PublishedKeys

TOKEN_TYPE = "samtykke-answer+jwt"  # noqa: S105  (a media type, not a secret)
ALGORITHMS = ("ES256",)
CLOCK_SKEW_SECONDS = 60


class InvalidStatementError(Exception):
    """Not a genuine statement for this client: forged, altered, for another client,
    from another gateway, too old or malformed. `reason` says which check failed."""

    def __init__(self, reason: str, description: str) -> None:
        super().__init__(f"{reason}: {description}")
        self.reason = reason
        self.description = description


@dataclass(frozen=True)
class AnswerStatement:
    """What a verified statement says."""

    statement_id: str  # jti, also in the gateway's audit entry (statementId)
    issuer: str
    audience: str  # the bank's client id
    issued_at: datetime
    consent_id: str
    party_type: str  # person or organisation
    party: str  # the national identity number or the organisation number
    question: str  # the catalogue id of the derived answer
    parameters: dict[str, str]
    answer: bool | None
    reason: str | None  # why the answer is null: shielded, no-data, ...


def _string(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidStatementError("malformed", f"The statement has no '{name}'.")
    return value


class AnswerStatementVerifier:
    """Verifies the statements of derived answers one gateway gave one client. Thread-safe."""

    def __init__(
        self,
        gateway_url: str,
        *,
        client_id: str,
        issuer: str | None = None,
        keys_url: str | None = None,
        jwks: dict[str, Any] | None = None,
        http: httpx.Client | None = None,
        max_age_seconds: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        base = gateway_url.rstrip("/")
        self.issuer = issuer or base
        self.client_id = client_id
        self._keys = PublishedKeys(
            keys_url or base + ANSWER_KEYS_PATH, what="answer", http=http, jwks=jwks, clock=clock
        )
        self._max_age = max_age_seconds
        self._clock = clock

    def close(self) -> None:
        self._keys.close()

    def verify(self, statement: str) -> AnswerStatement:
        """The statement's content, or :class:`InvalidStatementError` saying why not."""
        token = statement.strip()
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeEncodeError) as error:
            raise InvalidStatementError("malformed", "Not a compact JWS.") from error
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidStatementError("wrong-type", f"The typ is not {TOKEN_TYPE}.")
        if header.get("alg") not in ALGORITHMS:
            raise InvalidStatementError("wrong-algorithm", "Not signed with an accepted algorithm.")
        keys = self._keys.for_kid(str(header.get("kid", "")))
        try:
            verified = jws.deserialize_compact(token, keys, algorithms=list(ALGORITHMS))
            claims = json.loads(verified.payload)
        except (JoseError, ValueError) as error:
            raise InvalidStatementError("bad-signature", "The signature is not valid.") from error
        if not isinstance(claims, dict):
            raise InvalidStatementError("malformed", "The payload is not a claims set.")
        return self._statement(claims)

    def _statement(self, claims: dict[str, Any]) -> AnswerStatement:
        if claims.get("iss") != self.issuer:
            raise InvalidStatementError("wrong-issuer", "The statement is not from this gateway.")
        if claims.get("aud") != self.client_id:
            raise InvalidStatementError("wrong-audience", "The statement is for another client.")
        issued_at = claims.get("iat")
        if not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise InvalidStatementError("malformed", "The statement has no 'iat'.")
        now = self._clock()
        if issued_at > now + CLOCK_SKEW_SECONDS:
            raise InvalidStatementError("not-yet-valid", "The statement is issued in the future.")
        if self._max_age is not None and issued_at < now - self._max_age:
            raise InvalidStatementError("too-old", "The statement is older than allowed.")
        party, parameters = claims.get("party"), claims.get("parameters")
        answer, reason = claims.get("answer", "missing"), claims.get("reason")
        if not isinstance(party, dict) or not isinstance(parameters, dict):
            raise InvalidStatementError("malformed", "The statement has no party or parameters.")
        if answer is not None and not isinstance(answer, bool):
            raise InvalidStatementError("malformed", "The statement's answer is not yes or no.")
        if answer is None and not isinstance(reason, str):
            raise InvalidStatementError("malformed", "A null answer must say why.")
        return AnswerStatement(
            statement_id=_string(claims, "jti"),
            issuer=self.issuer,
            audience=self.client_id,
            issued_at=datetime.fromtimestamp(issued_at, UTC),
            consent_id=_string(claims, "consentId"),
            party_type=_string(party, "type"),
            party=_string(party, "id"),
            question=_string(claims, "question"),
            parameters={str(name): str(value) for name, value in parameters.items()},
            answer=answer,
            reason=reason if isinstance(reason, str) else None,
        )
