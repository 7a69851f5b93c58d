"""The Brønnøysund connector as the client registry's organisation lookup."""

from __future__ import annotations

from connectors.brreg import BrregClient
from connectors.errors import OrganisationNotFound, OrganisationRemoved, RegistryError
from gateway.clients.organisations import Organisation, OrganisationLookupUnavailableError


class BrregOrganisationLookup:
    def __init__(self, client: BrregClient) -> None:
        self.client = client

    def find(self, organisation_number: str) -> Organisation | None:
        try:
            enhet = self.client.enhet(organisation_number)
        except OrganisationNotFound:
            return None
        except OrganisationRemoved:
            return Organisation(organisasjonsnummer=organisation_number, navn="", slettet=True)
        except RegistryError as error:
            # Fail closed: without an answer from the register nothing is registered.
            raise OrganisationLookupUnavailableError(str(error)) from error
        return Organisation(
            organisasjonsnummer=enhet.organisasjonsnummer,
            navn=enhet.navn,
            naeringskode1=enhet.naeringskode1.kode if enhet.naeringskode1 else None,
            konkurs=enhet.konkurs,
            underAvvikling=enhet.under_avvikling,
            underTvangsavviklingEllerTvangsopplosning=(
                enhet.under_tvangsavvikling_eller_tvangsopplosning
            ),
        )
