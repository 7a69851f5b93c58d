"""Consent events the gateway pushes to the bank: verify them, then read them.

The gateway POSTs each consent event to the bank's push endpoint as a
Security Event Token (RFC 8417) with media type `application/secevent+jwt`
(RFC 8935). The receiver hands the body to :meth:`PushedEventVerifier.verify`
and answers

- 202 with the returned :class:`PushedConsentEvent` processed (or queued);
- 202 on :class:`ReplayedEventError` too: the event was received before;
- 400 with ``error.response_body()`` on any other :class:`PushedEventError`
  (the gateway records it as a permanent failure);
- 503 on :class:`~samtykke_client.errors.TransportError` (the gateway's keys
  could not be fetched): the gateway tries again later.

The verifier checks the signature with the gateway's published event keys
(fetched again when an unknown key id appears, at most once a minute), the
`typ` header, `iss`, `aud` (this client), the age of `iat`, the shape of the
event, and last that the `jti` has not been seen before, through a store
the caller supplies (:class:`SeenEvents`), shared by all of the bank's
receiving processes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from joserfc import jws
from joserfc.errors import JoseError

from samtykke_client.published_keys import PublishedKeys

MEDIA_TYPE = "application/secevent+jwt"
EVENT_TYPE = "urn:samtykke:secevent:consentrequest"
KEYS_PATH = "/.well-known/security-event-keys.json"
ALGORITHMS = ("ES256",)
MAX_AGE_SECONDS = 300
CLOCK_SKEW_SECONDS = 60


class PushedEventError(Exception):
    """A pushed event refused; `err` is the RFC 8935 error code to answer with."""

    def __init__(self, err: str, description: str) -> None:
        super().__init__(f"{err}: {description}")
        self.err = err
        self.description = description

    def response_body(self) -> dict[str, str]:
        """The body of the 400 answer, as RFC 8935 section 2.3 shapes it."""
        return {"err": self.err, "description": self.description}


class InvalidEventError(PushedEventError):
    """Not a genuine event for this client: forged, altered, for another client or malformed."""


class ReplayedEventError(PushedEventError):
    """A genuine event whose `jti` was seen before: already received, do not process again."""


class SeenEvents(Protocol):
    def first_sighting(self, jti: str) -> bool:
        """Record `jti`; True when it was not recorded before. Must be atomic."""
        ...


class InMemorySeenEvents:
    """A :class:`SeenEvents` for one process (tests, demos); use a shared store in production."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def first_sighting(self, jti: str) -> bool:
        with self._lock:
            if jti in self._seen:
                return False
            self._seen.add(jti)
            return True


@dataclass(frozen=True)
class PushedConsentEvent:
    """One consent event, with the members the event feed gives it."""

    event_id: str  # the feed's consentEventID, the token's jti
    consent_request_id: str
    event_type: str  # created, accepted, rejected, revoked, expired, used, deleted
    created: datetime
    performed_by: str  # citizen, bank or system
    to: str  # the bank, urn:altinn:organization:identifier-no:<organisation number>
    continuation_token: str  # read the feed on from this event
    issued_at: datetime


def _invalid(err: str, description: str) -> InvalidEventError:
    return InvalidEventError(err, description)


def _member(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise _invalid("invalid_request", f"The event has no '{name}'.")
    return value


def _created(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise _invalid("invalid_request", "The event's 'created' is not a time.") from error


class PushedEventVerifier:
    """Verifies the consent events a gateway pushes to one client. Thread-safe."""

    def __init__(
        self,
        gateway_url: str,
        *,
        client_id: str,
        seen: SeenEvents,
        issuer: str | None = None,
        keys_url: str | None = None,
        http: httpx.Client | None = None,
        max_age_seconds: int = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        base = gateway_url.rstrip("/")
        self.issuer = issuer or base
        self.client_id = client_id
        self._seen = seen
        self._keys = PublishedKeys(
            keys_url or base + KEYS_PATH, what="event", http=http, clock=clock
        )
        self._max_age = max_age_seconds
        self._clock = clock

    def close(self) -> None:
        self._keys.close()

    # -- the checks ------------------------------------------------------------
    def verify(self, body: bytes | str, *, content_type: str | None = None) -> PushedConsentEvent:
        """The event in `body`, or a :class:`PushedEventError` saying why it is refused."""
        if content_type is not None and content_type.split(";")[0].strip().lower() != MEDIA_TYPE:
            raise _invalid("invalid_request", f"The media type must be {MEDIA_TYPE}.")
        token = body.decode("ascii", "replace") if isinstance(body, bytes) else body
        claims = self._verified_claims(token.strip())
        event = self._event(claims)
        if not self._seen.first_sighting(event.event_id):
            raise ReplayedEventError("invalid_request", "This event was received before.")
        return event

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError, UnicodeEncodeError) as error:
            raise _invalid("invalid_request", "The body is not a compact JWS.") from error
        if str(header.get("typ", "")).lower() not in {"secevent+jwt", MEDIA_TYPE}:
            raise _invalid("invalid_request", "The token's typ is not secevent+jwt.")
        if header.get("alg") not in ALGORITHMS:
            raise _invalid("invalid_key", "The token is not signed with an accepted algorithm.")
        keys = self._keys.for_kid(str(header.get("kid", "")))
        try:
            verified = jws.deserialize_compact(token, keys, algorithms=list(ALGORITHMS))
            claims = json.loads(verified.payload)
        except (JoseError, ValueError) as error:
            raise _invalid("invalid_key", "The signature does not verify.") from error
        if not isinstance(claims, dict):
            raise _invalid("invalid_request", "The token's payload is not a claims set.")
        return claims

    def _event(self, claims: dict[str, Any]) -> PushedConsentEvent:
        if claims.get("iss") != self.issuer:
            raise _invalid("invalid_issuer", "The token is not from this gateway.")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.client_id not in audiences:
            raise _invalid("invalid_audience", "The token is not for this client.")
        issued_at = claims.get("iat")
        now = self._clock()
        if not isinstance(issued_at, int) or isinstance(issued_at, bool):
            raise _invalid("invalid_request", "The token has no 'iat'.")
        if issued_at > now + CLOCK_SKEW_SECONDS or issued_at < now - self._max_age:
            raise _invalid("invalid_request", "The token was not issued just now.")
        events = claims.get("events")
        payload = events.get(EVENT_TYPE) if isinstance(events, dict) else None
        if not isinstance(payload, dict):
            raise _invalid("invalid_request", f"The token carries no {EVENT_TYPE} event.")
        performed_by = payload.get("performedBy")
        if not isinstance(performed_by, dict):
            raise _invalid("invalid_request", "The event has no 'performedBy'.")
        return PushedConsentEvent(
            event_id=_member(claims, "jti"),
            consent_request_id=_member(payload, "consentRequestID"),
            event_type=_member(payload, "eventType"),
            created=_created(_member(payload, "created")),
            performed_by=_member(performed_by, "type"),
            to=_member(payload, "to"),
            continuation_token=_member(payload, "continuationToken"),
            issued_at=datetime.fromtimestamp(issued_at, UTC),
        )
