"""A consent event as a Security Event Token (RFC 8417), signed with the gateway's event key.

The token says what the bank's event feed says about the event, no more:
`jti` is the feed's `consentEventID`, and the event's members are the
feed's, plus the feed position to read on from. The person is not named.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from joserfc import jws

from consent.consents.lifecycle import utc
from consent.consents.models import ConsentEvent
from gateway.consent_requests.schemas import ORGANISATION_URN_PREFIX
from gateway.consent_requests.service import encode_position
from gateway.keys import KeyPurpose, KeyStore

MEDIA_TYPE = "application/secevent+jwt"
TOKEN_TYPE = "secevent+jwt"  # noqa: S105  (a media type, not a secret)
EVENT_TYPE = "urn:samtykke:secevent:consentrequest"
KEYS_PATH = "/.well-known/security-event-keys.json"


def _iso(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")


def claims_of(
    event: ConsentEvent, *, issuer: str, audience: str, issued_at: datetime
) -> dict[str, Any]:
    return {
        "iss": issuer,
        "aud": audience,
        "iat": int(issued_at.timestamp()),
        "jti": event.event_id,
        "toe": int(utc(event.occurred_at).timestamp()),
        "events": {
            EVENT_TYPE: {
                "consentRequestID": event.consent_id,
                "eventType": event.event_type,
                "created": _iso(event.occurred_at),
                "performedBy": {"type": event.actor_type},
                "to": ORGANISATION_URN_PREFIX + event.bank_organisation_number,
                "continuationToken": encode_position(event.id),
            }
        },
    }


def sign(keys: KeyStore, claims: dict[str, Any]) -> str:
    key = keys.signing_key(KeyPurpose.SECURITY_EVENT)
    header = {
        "alg": keys.algorithm(KeyPurpose.SECURITY_EVENT),
        "kid": str(key.kid),
        "typ": TOKEN_TYPE,
    }
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":"))
    return jws.serialize_compact(header, payload, key)


def security_event_token(
    keys: KeyStore, event: ConsentEvent, *, issuer: str, audience: str, issued_at: datetime
) -> str:
    return sign(keys, claims_of(event, issuer=issuer, audience=audience, issued_at=issued_at))
