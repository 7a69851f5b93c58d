"""The consent states and the transitions between them, as data.

    created ──► accepted ──► revoked | expired | used | deleted
       │
       └──► rejected | expired | deleted

`created` is the request waiting for the citizen's answer; it expires when
not answered in time. `accepted` expires when its `validTo` passes, is
`used` by the first successful fetch of a one-time consent, `revoked` by
the citizen and `deleted` (withdrawn) by the bank. Every other state is
final.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ConsentStatus(StrEnum):
    CREATED = "created"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"
    USED = "used"
    DELETED = "deleted"


TRANSITIONS: Mapping[ConsentStatus, frozenset[ConsentStatus]] = {
    ConsentStatus.CREATED: frozenset(
        {
            ConsentStatus.ACCEPTED,
            ConsentStatus.REJECTED,
            ConsentStatus.EXPIRED,
            ConsentStatus.DELETED,
        }
    ),
    ConsentStatus.ACCEPTED: frozenset(
        {
            ConsentStatus.REVOKED,
            ConsentStatus.EXPIRED,
            ConsentStatus.USED,
            ConsentStatus.DELETED,
        }
    ),
    ConsentStatus.REJECTED: frozenset(),
    ConsentStatus.REVOKED: frozenset(),
    ConsentStatus.EXPIRED: frozenset(),
    ConsentStatus.USED: frozenset(),
    ConsentStatus.DELETED: frozenset(),
}

FINAL_STATES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)

# The stable error code when a transition into the key is not allowed.
REFUSAL_CODES: Mapping[ConsentStatus, str] = {
    ConsentStatus.ACCEPTED: "cannot-accept",
    ConsentStatus.REJECTED: "cannot-reject",
    ConsentStatus.REVOKED: "cannot-revoke",
    ConsentStatus.EXPIRED: "cannot-expire",
    ConsentStatus.USED: "not-accepted",
    ConsentStatus.DELETED: "cannot-delete",
}


def may_transition(current: ConsentStatus, target: ConsentStatus) -> bool:
    return target in TRANSITIONS[current]
