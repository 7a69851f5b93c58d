"""Ask Enhetsregisteret about an organisation and its roles, then ask the consent policy.

The decision itself is `consent.authority.authority` (pure). This module reads
what it needs through the Brønnøysund connector, at the moment the person
answers: the organisation (registered, bankrupt, being wound up) and its
roles from the authorised API, which names each role holder's national
identity number. Any other registry failure fails closed: no answer is
recorded and the person is asked to try again.
"""

from __future__ import annotations

from typing import Protocol

from connectors.brreg import Enhet, Roller
from connectors.errors import OrganisationNotFound, OrganisationRemoved, RegistryError
from consent.authority import Authority, AuthorityRefusal, HeldRole, Organisation, authority


class RolesRegistry(Protocol):
    """What the check needs of Enhetsregisteret; `connectors.brreg.BrregClient` is one."""

    def enhet(self, orgnr: str) -> Enhet: ...

    def roller(self, orgnr: str) -> Roller: ...


class AuthorityUnavailableError(Exception):
    """Enhetsregisteret could not say; nothing may be decided without it."""


def _organisation(registry: RolesRegistry, organisation_number: str) -> Organisation | None:
    try:
        enhet = registry.enhet(organisation_number)
    except OrganisationNotFound:
        return None
    except OrganisationRemoved:
        return Organisation(organisation_number, "", removed=True)
    return Organisation(
        organisation_number=enhet.organisasjonsnummer,
        name=enhet.navn,
        bankrupt=enhet.konkurs,
        being_wound_up=enhet.under_avvikling or enhet.under_tvangsavvikling_eller_tvangsopplosning,
    )


def _roles(registry: RolesRegistry, organisation_number: str) -> list[HeldRole]:
    return [
        HeldRole(
            code=rolle.kode,
            national_identity_number=rolle.person.fodselsnummer if rolle.person else None,
            resigned=rolle.fratraadt,
            deregistered=rolle.avregistrert,
        )
        for rolle in registry.roller(organisation_number).alle
    ]


def authority_in_registry(
    registry: RolesRegistry, person: str, organisation_number: str
) -> Authority | AuthorityRefusal:
    """The policy's verdict on the registry's current facts."""
    try:
        organisation = _organisation(registry, organisation_number)
        standing = organisation is not None and not (
            organisation.removed or organisation.bankrupt or organisation.being_wound_up
        )
        roles = _roles(registry, organisation_number) if standing else []
        return authority(person, organisation, roles)
    except RegistryError as error:
        raise AuthorityUnavailableError(str(error)) from error
