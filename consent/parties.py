"""The party a consent is about: a person, or an organisation a person acts for.

A person consents for themselves; the party is their national identity
number. A person may also consent on behalf of an organisation (an ENK, an
AS) in which Brønnøysund lists them in a role that gives authority: the
party is then the organisation, and the consent also records the person
who gave it and the role. Altinn names both kinds of party as URNs, and so
does the bank API.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"


class PartyType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Party:
    type: PartyType
    id: str  # national identity number or organisation number

    @classmethod
    def person(cls, national_identity_number: str) -> Party:
        return cls(PartyType.PERSON, national_identity_number)

    @classmethod
    def organisation(cls, organisation_number: str) -> Party:
        return cls(PartyType.ORGANISATION, organisation_number)

    @property
    def is_organisation(self) -> bool:
        return self.type is PartyType.ORGANISATION

    @property
    def urn(self) -> str:
        prefix = ORGANISATION_URN_PREFIX if self.is_organisation else PERSON_URN_PREFIX
        return prefix + self.id


def party_of_urn(urn: str) -> Party | None:
    """The party an Altinn URN names, or None for anything else (the number is not checked)."""
    if urn.startswith(PERSON_URN_PREFIX):
        return Party.person(urn.removeprefix(PERSON_URN_PREFIX))
    if urn.startswith(ORGANISATION_URN_PREFIX):
        return Party.organisation(urn.removeprefix(ORGANISATION_URN_PREFIX))
    return None
