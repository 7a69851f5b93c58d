"""The FAPI 2.0 code flow's pieces on the bank's side: PKCE, the expected party, the check.

A pushed request may be answered by whoever logs in at the gateway unless the
bank names the person it expects. The client therefore always takes the
expected party, sends it (as `from`) when it is a person, and checks the
consent the token names before anyone may use it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"
CONSENT_DETAILS_TYPE = "urn:samtykke:consent"
CONSENT_REQUEST_TYPE = "urn:samtykke:consent-request"


def expected_party(person: str | None, organisation: str | None) -> str:
    """The URN of the one party the bank expects to consent."""
    if (person is None) == (organisation is None):
        raise ValueError(
            "name exactly one expected party: expected_person or expected_organisation"
        )
    if person is not None:
        if not (len(person) == 11 and person.isdigit()):
            raise ValueError("expected_person must be an 11-digit national identity number")
        return PERSON_URN_PREFIX + person
    assert organisation is not None
    if not (len(organisation) == 9 and organisation.isdigit()):
        raise ValueError("expected_organisation must be a 9-digit organisation number")
    return ORGANISATION_URN_PREFIX + organisation


def code_verifier() -> str:
    return secrets.token_urlsafe(48)  # 64 characters, within PKCE's 43-128


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class PendingAuthorization:
    """What the bank keeps (in its own session) between sending the browser and its return."""

    authorization_url: str  # send the browser here; it names no person
    state: str
    code_verifier: str
    redirect_uri: str
    expected_party: str  # a person or organisation URN


@dataclass(frozen=True)
class AuthorizedConsent:
    """The consent the citizen gave, checked to be the expected party's."""

    consent_id: str
    party: str  # the URN, equal to the expected one
    access_token: str
    expires_in: float
    authorization_details: list[dict[str, Any]]

    @property
    def person(self) -> str | None:
        if self.party.startswith(PERSON_URN_PREFIX):
            return self.party.removeprefix(PERSON_URN_PREFIX)
        return None


def consent_of(token_response: dict[str, Any]) -> tuple[str, str] | None:
    """The consent id and party (`from`) the token response names, if it names exactly one."""
    details = token_response.get("authorization_details")
    if not isinstance(details, list):
        return None
    consents = [d for d in details if isinstance(d, dict) and d.get("type") == CONSENT_DETAILS_TYPE]
    if len(consents) != 1:
        return None
    consent_id, party = consents[0].get("id"), consents[0].get("from")
    if not isinstance(consent_id, str) or not isinstance(party, str):
        return None
    return consent_id, party
