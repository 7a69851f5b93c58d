"""Fiskeridirektoratet: the aquaculture register (open) and monthly biomass reports (consented).

The register is the open API ``pub-aqua`` (no token); lists come in pages
chosen by a ``range: FIRST-LAST`` header of at most 100 items, and this client
reads page after page until a short one. The biomass reports are a modelled
API (mock_registries/fiskeri.py, openapi/mock-fiskeri.json) under scope
``fiskeridirektoratet:biomasse``.

    fiskeri = FiskeriClient(base_url, token_provider)
    fiskeri.licenses(orgnr)              # list[License]: capacity, placement, grant, sites
    fiskeri.license(license_nr)          # License
    fiskeri.transfers(license_nr)        # list[Transfer]
    fiskeri.liens(license_nr)            # list[Lien]: the registered mortgagees
    fiskeri.licence_records(orgnr)       # list[LicenceRecord]: each licence with both
    fiskeri.sites(orgnr)                 # list[AquaSite]
    fiskeri.entity(orgnr)                # Entity | None: the register's view of the holder
    fiskeri.biomasse(orgnr, date(2025, 1, 1), date(2025, 12, 1))  # Biomasse, by month

Errors: RequestRejected (a 400 or 404 of the register, e.g. an unknown licence;
BIO-003/006), OrganisationNotFound (BIO-007: the enterprise runs no site),
NoDataForPeriod (BIO-008), CredentialsRejected (BIO-004/005), and the shared
upstream failures. An enterprise without licences has an empty list.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

import httpx
from pydantic import Field, TypeAdapter, ValidationError

from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    NoDataForPeriod,
    OrganisationNotFound,
    RegistryError,
    RequestRejected,
)
from connectors.http import ErrorCodes, RegistryClient, json_body
from connectors.models import ModelT, RegistryModel, parse_model
from consent.identifiers import is_valid_organisation_number

REGISTRY: Final = "fiskeridirektoratet"
# The audience the biomass API expects in our tokens: an identifier, not an address.
AUDIENCE: Final = "https://api.fiskeridir.no"
SCOPE_BIOMASSE: Final = "fiskeridirektoratet:biomasse"
PUB_AQUA: Final = "/pub-aqua/api/v1"
BIOMASSE_PREFIX: Final = "/akvakultur/api/v1"
PAGE_SIZE: Final = 100  # the register refuses a wider range
MAX_PAGES: Final = 50  # a register that never ends its list is a broken one

_BIOMASS_ERROR_CODES = ErrorCodes(
    REGISTRY,
    credentials=frozenset({"BIO-004", "BIO-005"}),
    rejected=frozenset({"BIO-003", "BIO-006"}),
    absent={
        "BIO-007": (OrganisationNotFound, "the enterprise runs no aquaculture site"),
        "BIO-008": (NoDataForPeriod, "no biomass reports for {what}"),
    },
)


class LicenseType(RegistryModel):
    tag: str | None = None
    intention_value: str | None = None
    production_stage_value: str | None = None


class Capacity(RegistryModel):
    current: float
    unit: str
    type: str | None = None


class LicensePlacement(RegistryModel):
    prod_area_code: int | None = None
    prod_area_name: str | None = None
    municipality_code: str | None = None


class GrantInformation(RegistryModel):
    open_legal_entity_nr: str | None = None
    legal_entity_name: str | None = None
    granted_time: datetime | None = None


class Connection(RegistryModel):
    site_nr: int
    active: bool = True
    valid_until: date | None = None


class License(RegistryModel):
    license_nr: str
    open_legal_entity_nr: str | None = None
    legal_entity_name: str | None = None
    type: LicenseType | None = None
    capacity: Capacity | None = None
    placement: LicensePlacement | None = None
    grant_information: GrantInformation | None = None
    connections: list[Connection] = Field(default_factory=list)


class Transfer(RegistryModel):
    identity_nr: str | None = None
    journal_date: date | None = None
    journal_nr: str | None = None
    official_name: str | None = None


class Lien(RegistryModel):
    identity_nr: str | None = None
    official_name: str | None = None
    journal_date: date | None = None
    journal_nr: str | None = None


class SitePlacement(RegistryModel):
    municipality_code: str | None = None
    municipality_name: str | None = None
    prod_area_code: int | None = None
    prod_area_name: str | None = None


class SiteConnection(RegistryModel):
    license_nr: str
    active: bool = True
    valid_until: date | None = None


class AquaSite(RegistryModel):
    site_nr: int
    name: str | None = None
    placement: SitePlacement | None = None
    capacity: Capacity | None = None
    latitude: float | None = None
    longitude: float | None = None
    water_environment: str | None = None
    connections: list[SiteConnection] = Field(default_factory=list)


class Entity(RegistryModel):
    open_legal_entity_nr: str = Field(description="Empty for a natural person.")
    name: str | None = None
    type_value: str | None = None  # LimitedLiabilityCompany, SoleProprietorship, Person, ...


class LicenceRecord(RegistryModel):
    """A licence with its transfers and registered mortgagees, as a bank reads it."""

    license: License
    transfers: list[Transfer]
    liens: list[Lien]


class Maanedsrapport(RegistryModel):
    maaned: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    beholdning_antall: int
    beholdning_kg: int
    utsatt_antall: int
    slaktet_antall: int
    slaktet_kg: int
    dodfisk_antall: int


class LokalitetRapporter(RegistryModel):
    lokalitetsnummer: int
    lokalitetsnavn: str | None = None
    maaneder: list[Maanedsrapport]


class Biomasse(RegistryModel):
    organisasjonsnummer: str
    foretaksnavn: str | None = None
    fra_og_med: str
    til_og_med: str
    lokaliteter: list[LokalitetRapporter]
    korrelasjonsid: str | None = None

    def beholdning_kg(self, maaned: str) -> int:
        """The biomass in stock at the end of a month (YYYY-MM), over every site."""
        return sum(
            rapport.beholdning_kg
            for lokalitet in self.lokaliteter
            for rapport in lokalitet.maaneder
            if rapport.maaned == maaned
        )


def _month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


class FiskeriClient(RegistryClient):
    REGISTRY = REGISTRY

    def licenses(self, orgnr: str) -> list[License]:
        """Every licence the legal entity holds (every page)."""
        _check_orgnr(orgnr)
        return self._all_pages(f"{PUB_AQUA}/licenses", License, {"legal-entity-nr": orgnr})

    def license(self, license_nr: str) -> License:
        response = self.http.get(f"{PUB_AQUA}/licenses/{_segment(license_nr)}")
        if response.status_code == 200:
            return parse_model(REGISTRY, response, License)
        raise _register_error(response)

    def transfers(self, license_nr: str) -> list[Transfer]:
        return self._all_pages(f"{PUB_AQUA}/licenses/{_segment(license_nr)}/transfers", Transfer)

    def liens(self, license_nr: str) -> list[Lien]:
        return self._all_pages(f"{PUB_AQUA}/licenses/{_segment(license_nr)}/liens", Lien)

    def licence_records(self, orgnr: str) -> list[LicenceRecord]:
        """Each licence of the entity with its transfers and liens."""
        return [
            LicenceRecord(
                license=licence,
                transfers=self.transfers(licence.license_nr),
                liens=self.liens(licence.license_nr),
            )
            for licence in self.licenses(orgnr)
        ]

    def entity(self, orgnr: str) -> Entity | None:
        """The legal entity as the register knows it, or None when it holds no licence."""
        _check_orgnr(orgnr)
        found = self._all_pages(f"{PUB_AQUA}/entities", Entity, {"entity-nr": orgnr})
        return next((e for e in found if e.open_legal_entity_nr == orgnr), None)

    def sites(self, orgnr: str) -> list[AquaSite]:
        """The sites the entity's licences are connected to."""
        _check_orgnr(orgnr)
        return self._all_pages(f"{PUB_AQUA}/entities/sites-by-entity-nr/{orgnr}", AquaSite)

    def site(self, site_nr: int) -> AquaSite:
        response = self.http.get(f"{PUB_AQUA}/sites/{int(site_nr)}")
        if response.status_code == 200:
            return parse_model(REGISTRY, response, AquaSite)
        raise _register_error(response)

    def biomasse(self, orgnr: str, fra_og_med: date, til_og_med: date) -> Biomasse:
        """The monthly reports of every site of the enterprise, months fra_og_med..til_og_med."""
        _check_orgnr(orgnr)
        response = self.http.get(
            f"{BIOMASSE_PREFIX}/foretak/{orgnr}/biomasse",
            scope=SCOPE_BIOMASSE,
            params={"fraOgMed": _month(fra_og_med), "tilOgMed": _month(til_og_med)},
        )
        if response.status_code == 200:
            return parse_model(REGISTRY, response, Biomasse)
        raise _BIOMASS_ERROR_CODES.error_of(
            response, what=f"{_month(fra_og_med)} to {_month(til_og_med)}"
        )

    def _all_pages(
        self, path: str, model: type[ModelT], params: dict[str, str] | None = None
    ) -> list[ModelT]:
        adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
        items: list[ModelT] = []
        for page in range(MAX_PAGES):
            first = page * PAGE_SIZE
            response = self.http.get(
                path, params=params, headers={"range": f"{first}-{first + PAGE_SIZE - 1}"}
            )
            if response.status_code != 200:
                raise _register_error(response)
            try:
                found: list[ModelT] = adapter.validate_python(json_body(REGISTRY, response))
            except ValidationError:
                raise MalformedResponse(
                    REGISTRY, f"the answer is not a list of {model.__name__}"
                ) from None
            items.extend(found)
            if len(found) < PAGE_SIZE:
                return items
        raise MalformedResponse(REGISTRY, f"the list did not end within {MAX_PAGES} pages")


def _check_orgnr(orgnr: str) -> None:
    if not is_valid_organisation_number(orgnr):
        raise RequestRejected(REGISTRY, "not a valid organisation number")


def _segment(value: str) -> str:
    """A licence number as one path segment: the register's numbers are letters, digits, -."""
    if not value or not all(c.isalnum() or c == "-" for c in value):
        raise RequestRejected(REGISTRY, "not a licence number")
    return value


def _register_error(response: httpx.Response) -> RegistryError:
    """The open register answers Spring-style bodies without codes of its own."""
    status = response.status_code
    if status in (400, 404):
        return RequestRejected(
            REGISTRY, f"the register refused the request ({status})", status=status
        )
    if status in (401, 403):
        return CredentialsRejected(REGISTRY, f"the register refused us ({status})", status=status)
    return MalformedResponse(REGISTRY, f"unexpected answer {status}", status=status)
