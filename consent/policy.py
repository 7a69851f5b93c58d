"""May this bank read this product, with this metadata, of this party, now?

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

from consent.catalogue import SOLE_PROPRIETOR_ROLE, DataProduct, Subject, find
from consent.consents.lifecycle import utc
from consent.consents.models import Consent
from consent.consents.states import ConsentStatus
from consent.parties import Party


class RefusalReason(StrEnum):
    NOT_ACCEPTED = "not-accepted"  # still waiting for an answer, or rejected
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"  # a one-time consent already fetched with
    DELETED = "deleted"  # withdrawn by the bank
    PARTY_MISMATCH = "party-mismatch"  # another bank, person or organisation
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


def _for_this_party(consent: Consent, party: Party, product: DataProduct) -> bool:
    """A product of the party's kind; an ENK owner's own data only under a consent the
    owner gave as innehaver."""
    if party.type not in product.parties:
        return False
    return product.subject is not Subject.SOLE_PROPRIETOR or (
        consent.authority_role == SOLE_PROPRIETOR_ROLE
    )


def may_read(
    consent: Consent,
    *,
    bank_organisation_number: str,
    party: Party,
    product_id: str,
    metadata: Mapping[str, object],
    now: datetime,
) -> Allowed | Refusal:
    if consent.bank_organisation_number != bank_organisation_number or consent.party != party:
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
    if product is None or right is None or not _for_this_party(consent, party, product):
        return Refusal(RefusalReason.PRODUCT_NOT_COVERED)
    if not product.metadata.covers(right["metadata"], metadata):
        return Refusal(RefusalReason.METADATA_NOT_COVERED)
    return ALLOWED


def registry_subject(consent: Consent, product_id: str) -> str:
    """The number the registry is asked with: the party's own, or, for an ENK owner's
    product, the national identity number of the innehaver who consented."""
    product = find(product_id)
    if product is not None and product.subject is Subject.SOLE_PROPRIETOR:
        return consent.person
    return consent.party.id
