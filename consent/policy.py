"""May this bank read this product, with this metadata, of this person, now?

The one question the authorization server (when it issues a consent-bound
token) and the data API (before every fetch) ask. The answer is either
:data:`ALLOWED` or a :class:`Refusal` with a stable reason; anything not
explicitly allowed is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consent.catalogue import find
from consent.consents.lifecycle import utc
from consent.consents.models import Consent
from consent.consents.states import ConsentStatus


class RefusalReason(StrEnum):
    NOT_ACCEPTED = "not-accepted"  # still waiting for an answer, or rejected
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"  # a one-time consent already fetched with
    DELETED = "deleted"  # withdrawn by the bank
    PARTY_MISMATCH = "party-mismatch"  # another bank or another person
    PRODUCT_NOT_COVERED = "product-not-covered"
    METADATA_NOT_COVERED = "metadata-not-covered"  # another year, a wider month range


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Allowed:
    def __bool__(self) -> bool:
        return True


ALLOWED = Allowed()

_REFUSAL_BY_STATUS = {
    ConsentStatus.CREATED: RefusalReason.NOT_ACCEPTED,
    ConsentStatus.REJECTED: RefusalReason.NOT_ACCEPTED,
    ConsentStatus.EXPIRED: RefusalReason.EXPIRED,
    ConsentStatus.REVOKED: RefusalReason.REVOKED,
    ConsentStatus.USED: RefusalReason.USED,
    ConsentStatus.DELETED: RefusalReason.DELETED,
}


def may_read(
    consent: Consent,
    *,
    bank_organisation_number: str,
    person: str,
    product_id: str,
    metadata: Mapping[str, object],
    now: datetime,
) -> Allowed | Refusal:
    if consent.bank_organisation_number != bank_organisation_number or consent.person != person:
        return Refusal(RefusalReason.PARTY_MISMATCH)
    status = ConsentStatus(consent.status)
    if status is not ConsentStatus.ACCEPTED:
        return Refusal(_REFUSAL_BY_STATUS[status])
    # Judged on the clock, not only the status, so a consent the sweeper has not reached
    # yet is already refused.
    if utc(consent.valid_to) <= now:
        return Refusal(RefusalReason.EXPIRED)
    product = find(product_id)
    right = next(
        (
            right
            for right in consent.consent_rights
            if any(resource["value"] == product_id for resource in right["resource"])
        ),
        None,
    )
    if product is None or right is None:
        return Refusal(RefusalReason.PRODUCT_NOT_COVERED)
    if not product.metadata.covers(right["metadata"], metadata):
        return Refusal(RefusalReason.METADATA_NOT_COVERED)
    return ALLOWED
