"""Landbruksdirektoratet: production subsidies (produksjonstilskudd) of an enterprise.

The registry publishes no API specification; this client speaks the modelled
API of mock_registries/landbruk.py (openapi/mock-landbruk.json): Norwegian
field names, one application per enterprise and round, counting dates 1 March
and 1 October. Token scope ``landbruksdirektoratet:produksjonstilskudd``.

    landbruk = LandbrukClient(base_url, token_provider)
    landbruk.soknader(orgnr)                   # Soknader: the rounds, newest first
    soknad = landbruk.soknad(orgnr, date(2025, 10, 1))   # Soknad for one round
    soknad.dekar_totalt, soknad.dyr, soknad.vedtak.utbetalt_belop
    landbruk.siste_soknader(orgnr, 2)          # the two newest rounds, as Soknad

Errors: OrganisationNotFound (PT-007: the enterprise never applied),
NoDataForPeriod (PT-008: no application for that round), RequestRejected
(PT-003/006, or a date that is not a counting date), CredentialsRejected
(PT-004/005), and the shared upstream failures.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from pydantic import Field

from connectors.errors import (
    NoDataForPeriod,
    OrganisationNotFound,
    RequestRejected,
)
from connectors.http import ErrorCodes, RegistryClient
from connectors.models import RegistryModel, parse_model
from consent.identifiers import is_valid_organisation_number

REGISTRY: Final = "landbruksdirektoratet"
# The audience the registry expects in our tokens: an identifier, not an address.
AUDIENCE: Final = "https://api.landbruksdirektoratet.no"
SCOPE_PRODUKSJONSTILSKUDD: Final = "landbruksdirektoratet:produksjonstilskudd"
PREFIX: Final = "/produksjonstilskudd/api/v1"
# The two counting dates of a year, as (month, day).
COUNTING_DATES: Final = ((3, 1), (10, 1))

_ERROR_CODES = ErrorCodes(
    REGISTRY,
    credentials=frozenset({"PT-004", "PT-005"}),
    rejected=frozenset({"PT-003", "PT-006"}),
    absent={
        "PT-007": (OrganisationNotFound, "the enterprise has not applied for subsidies"),
        "PT-008": (NoDataForPeriod, "the enterprise has no application for {what}"),
    },
)


def counting_dates(first: date, last: date) -> list[date]:
    """The counting dates from `first` to `last`, both included, oldest first."""
    return [
        counted
        for year in range(first.year, last.year + 1)
        for month, day in COUNTING_DATES
        if first <= (counted := date(year, month, day)) <= last
    ]


class Soknadsomgang(RegistryModel):
    soknadsaar: int
    telledato: date
    soknadsfrist: date | None = None
    status: str


class Soknader(RegistryModel):
    organisasjonsnummer: str
    foretaksnavn: str | None = None
    soknader: list[Soknadsomgang] = Field(default_factory=list)
    korrelasjonsid: str | None = None


class Areal(RegistryModel):
    vekstkode: str
    vekst: str | None = None
    dekar: int


class Dyretall(RegistryModel):
    dyrekode: str
    dyreslag: str | None = None
    antall: int


class Vedtak(RegistryModel):
    vedtaksdato: date
    innvilget_belop: int
    avkorting_belop: int = 0
    utbetalt_belop: int
    utbetalingsdato: date | None = None
    valuta: str = "NOK"


class Soknad(RegistryModel):
    organisasjonsnummer: str
    foretaksnavn: str | None = None
    soknadsaar: int
    telledato: date
    soknadsfrist: date | None = None
    innsendt: datetime | None = None
    status: str
    arealer: list[Areal] = Field(default_factory=list)
    dyr: list[Dyretall] = Field(default_factory=list)
    vedtak: Vedtak | None = None
    korrelasjonsid: str | None = None

    @property
    def dekar_totalt(self) -> int:
        return sum(areal.dekar for areal in self.arealer)

    @property
    def decided(self) -> bool:
        return self.vedtak is not None


class LandbrukClient(RegistryClient):
    REGISTRY = REGISTRY

    def soknader(self, orgnr: str) -> Soknader:
        """The enterprise's application rounds, newest first."""
        _check_orgnr(orgnr)
        response = self.http.get(
            f"{PREFIX}/foretak/{orgnr}/soknader", scope=SCOPE_PRODUKSJONSTILSKUDD
        )
        if response.status_code == 200:
            return parse_model(REGISTRY, response, Soknader)
        raise _ERROR_CODES.error_of(response, what="any round")

    def soknad(self, orgnr: str, telledato: date) -> Soknad:
        """One round's application: areas, animals and the decision (None until decided)."""
        _check_orgnr(orgnr)
        if (telledato.month, telledato.day) not in COUNTING_DATES:
            raise RequestRejected(REGISTRY, "a round's counting date is 1 March or 1 October")
        response = self.http.get(
            f"{PREFIX}/foretak/{orgnr}/soknader/{telledato.isoformat()}",
            scope=SCOPE_PRODUKSJONSTILSKUDD,
        )
        if response.status_code == 200:
            return parse_model(REGISTRY, response, Soknad)
        raise _ERROR_CODES.error_of(response, what=f"the round of {telledato.isoformat()}")

    def siste_soknader(self, orgnr: str, antall: int) -> list[Soknad]:
        """The `antall` newest rounds the enterprise applied in, newest first."""
        rounds = self.soknader(orgnr).soknader
        newest = sorted(rounds, key=lambda r: r.telledato, reverse=True)[:antall]
        return [self.soknad(orgnr, r.telledato) for r in newest]


def _check_orgnr(orgnr: str) -> None:
    if not is_valid_organisation_number(orgnr):
        raise RequestRejected(REGISTRY, "not a valid organisation number")
