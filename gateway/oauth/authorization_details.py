"""Rich authorization requests (RFC 9396): parsing the `authorization_details` parameter.

The consent type names an accepted consent and its party, as Maskinporten's
`urn:altinn:consent` does:
`[{"type": "urn:samtykke:consent", "id": "...", "from": "urn:altinn:person:identifier-no:..."}]`;
for an enterprise's consent `from` is `urn:altinn:organization:identifier-no:<orgnr>`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from consent.consents import lifecycle
from consent.identifiers import is_valid_organisation_number
from consent.parties import (
    ORGANISATION_URN_PREFIX,
    PERSON_URN_PREFIX,
    Party,
    PartyType,
    party_of_urn,
)
from gateway.oauth.errors import InvalidAuthorizationDetailsError

CONSENT_TYPE = "urn:samtykke:consent"
__all__ = ["ORGANISATION_URN_PREFIX", "PERSON_URN_PREFIX"]


@dataclass(frozen=True)
class ConsentReference:
    consent_id: str
    party: Party  # from the `from` URN


def _is_person_number(value: str) -> bool:
    return len(value) == 11 and value.isdigit()


def _is_organisation_number(value: str) -> bool:
    return len(value) == 9 and value.isdigit()


def party_of(urn: object) -> Party | None:
    """The party a `from` URN names, when it is well formed."""
    party = party_of_urn(urn) if isinstance(urn, str) else None
    if party is None:
        return None
    well_formed = _is_organisation_number if party.is_organisation else _is_person_number
    return party if well_formed(party.id) else None


def _invalid(description: str) -> InvalidAuthorizationDetailsError:
    return InvalidAuthorizationDetailsError(description)


def parse_consent_reference(raw: str) -> ConsentReference:
    """The single consent an `authorization_details` value asks for."""
    try:
        details = json.loads(raw)
    except ValueError as error:
        raise _invalid("authorization_details must be a JSON array.") from error
    if not isinstance(details, list) or len(details) != 1 or not isinstance(details[0], dict):
        raise _invalid("authorization_details must be a JSON array with exactly one object.")
    detail = details[0]
    if detail.get("type") != CONSENT_TYPE:
        raise _invalid(f"Unknown authorization_details type; supported: {CONSENT_TYPE}.")
    unknown = set(detail) - {"type", "id", "from"}
    if unknown:
        raise _invalid(f"Unknown authorization_details fields: {', '.join(sorted(unknown))}.")
    consent_id, party_urn = detail.get("id"), detail.get("from")
    if not isinstance(consent_id, str) or not 1 <= len(consent_id) <= 64:
        raise _invalid("authorization_details needs the consent's id.")
    if not isinstance(party_urn, str) or not party_urn.startswith(
        (PERSON_URN_PREFIX, ORGANISATION_URN_PREFIX)
    ):
        raise _invalid(
            f"authorization_details needs 'from' = {PERSON_URN_PREFIX}<person> "
            f"or {ORGANISATION_URN_PREFIX}<organisation>."
        )
    party = party_of(party_urn)
    if party is None:
        raise _invalid(
            "'from' must name a person by an 11-digit identity number "
            "or an organisation by a 9-digit organisation number."
        )
    return ConsentReference(consent_id=consent_id, party=party)


CONSENT_REQUEST_TYPE = "urn:samtykke:consent-request"


def parse_consent_request(
    raw: str | None, allowed_products: list[str], now: datetime
) -> list[dict[str, object]]:
    """The consent a pushed authorization request asks the citizen for.

    `[{"type": "urn:samtykke:consent-request", "products": [...], "purpose": "...",
    "validTo": "<ISO 8601>", "metadata": {...}, "oneTime": false}]`; products must be
    among the client's. `from` (optional) names the person the bank expects, e.g. the
    loan applicant; then no one else may answer. For an enterprise's consent, `from` is
    the enterprise's organisation URN, or `"partyType": "organisation"` lets the person
    name the enterprise on the consent page; either way their authority for it is
    checked in Enhetsregisteret when they answer. `metadata` holds what the products
    need (e.g. `inntektsaar`, `fraogmed`, `tilogmed`); each product takes its own keys.
    """
    if not raw:
        raise _invalid("A pushed authorization request needs authorization_details.")
    try:
        details = json.loads(raw)
    except ValueError as error:
        raise _invalid("authorization_details must be a JSON array.") from error
    if not isinstance(details, list) or len(details) != 1 or not isinstance(details[0], dict):
        raise _invalid("authorization_details must be a JSON array with exactly one object.")
    detail = details[0]
    if detail.get("type") != CONSENT_REQUEST_TYPE:
        raise _invalid(f"Unknown authorization_details type; supported: {CONSENT_REQUEST_TYPE}.")
    known = {"type", "products", "purpose", "validTo", "metadata", "oneTime", "from", "partyType"}
    unknown = set(detail) - known
    if unknown:
        raise _invalid(f"Unknown authorization_details fields: {', '.join(sorted(unknown))}.")
    products = detail.get("products")
    if (
        not isinstance(products, list)
        or not products
        or not all(isinstance(p, str) for p in products)
    ):
        raise _invalid("'products' must list the data products asked for.")
    foreign = [p for p in products if p not in allowed_products]
    if foreign:
        raise _invalid(f"This client may not ask for: {', '.join(foreign)}.")
    purpose, valid_to = detail.get("purpose"), detail.get("validTo")
    if not isinstance(purpose, str) or not 1 <= len(purpose) <= 500:
        raise _invalid("'purpose' must say, in at most 500 characters, why the data is needed.")
    if not isinstance(valid_to, str):
        raise _invalid("'validTo' must give when the consent ends (ISO 8601).")
    party_type = _party_type_asked(detail)
    if not isinstance(detail.get("oneTime", False), bool):
        raise _invalid("'oneTime' must be true or false.")
    metadata = detail.get("metadata", {})
    if not isinstance(metadata, dict):
        raise _invalid('\'metadata\' must be an object, e.g. {"inntektsaar": "2024"}.')
    _check_consent_rules(products, metadata, valid_to, now, party_type)
    return [detail]


def _party_type_asked(detail: dict[str, object]) -> PartyType:
    """A person's consent, or an enterprise's: `from` names the enterprise, or `partyType`
    "organisation" lets the person name it on the consent page."""
    urn = detail.get("from")
    party = party_of(urn) if urn is not None else None
    if urn is not None and (
        party is None or (party.is_organisation and not is_valid_organisation_number(party.id))
    ):
        raise _invalid(
            f"'from', when sent, must be {PERSON_URN_PREFIX}<11 digits> "
            f"or {ORGANISATION_URN_PREFIX}<organisation number>."
        )
    asked = detail.get("partyType", PartyType.PERSON.value)
    if asked not in (PartyType.PERSON.value, PartyType.ORGANISATION.value):
        raise _invalid('\'partyType\', when sent, must be "person" or "organisation".')
    if party is not None and asked != party.type.value and "partyType" in detail:
        raise _invalid("'partyType' and 'from' name different kinds of party.")
    return party.type if party is not None else PartyType(asked)


def _check_consent_rules(
    products: list[str],
    metadata: dict[str, object],
    valid_to: str,
    now: datetime,
    party_type: PartyType,
) -> None:
    """Apply the consent rules at push time, so the bank hears of a request they refuse
    here rather than the citizen meeting it on the consent page."""
    rights = lifecycle.rights_asked(products, metadata)
    try:
        valid_until = datetime.fromisoformat(valid_to)
        lifecycle.validate_rights(rights, now, party_type)
        lifecycle.validate_validity(rights, valid_until, now)
    except ValueError:
        raise _invalid("'validTo' must be an ISO 8601 time with a time zone.") from None
    except lifecycle.ConsentError as error:
        raise _invalid(f"{error.message} ({error.code})") from None
