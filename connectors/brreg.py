"""The Brønnøysund Register Centre: Enhetsregisteret (organisations) and Løsøreregisteret (liens).

Enhetsregisteret is open data and takes no token, like the real one.
Løsøreregisteret needs a token with scope ``brreg:losore``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal

import httpx
from pydantic import Field

from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    OrganisationNotFound,
    OrganisationRemoved,
    RegistryError,
    RequestRejected,
)
from connectors.http import RegistryClient, json_body
from connectors.models import RegistryModel, parse_model
from consent.identifiers import is_valid_organisation_number

REGISTRY: Final = "brreg"
# The audience Løsøreregisteret expects in our tokens: an identifier, not an address.
AUDIENCE: Final = "https://data.brreg.no"
SCOPE_LOSORE: Final = "brreg:losore"
# NACE 64.1: monetary intermediation, the banks.
BANK_NACE_PREFIX: Final = "64.1"


class Kode(RegistryModel):
    kode: str
    beskrivelse: str | None = None


class Enhet(RegistryModel):
    organisasjonsnummer: str
    navn: str
    organisasjonsform: Kode
    registreringsdato_enhetsregisteret: date | None = None
    registrert_i_mvaregisteret: bool = False
    naeringskode1: Kode | None = None
    antall_ansatte: int | None = None
    stiftelsesdato: date | None = None
    institusjonell_sektorkode: Kode | None = None
    registrert_i_foretaksregisteret: bool = False
    konkurs: bool = False
    under_avvikling: bool = False
    under_tvangsavvikling_eller_tvangsopplosning: bool = False
    maalform: str | None = None

    @property
    def is_bank(self) -> bool:
        return self.naeringskode1 is not None and self.naeringskode1.kode.startswith(
            BANK_NACE_PREFIX
        )

    @property
    def in_good_standing(self) -> bool:
        """Not bankrupt and not being wound up, voluntarily or by force."""
        return not (
            self.konkurs
            or self.under_avvikling
            or self.under_tvangsavvikling_eller_tvangsopplosning
        )


class SlettetEnhet(RegistryModel):
    organisasjonsnummer: str
    slettedato: date | None = None


class Rolle(RegistryModel):
    rolleinnehaver_type: Literal["BRPERSON", "VIRKSOMHET", "ANNEN_AKTOR"]
    navn: str | None = None
    identifikator: str | None = Field(default=None, repr=False)


class Belop(RegistryModel):
    belop: Decimal
    valuta: str


class Krav(RegistryModel):
    belop: list[Belop] = Field(default_factory=list)


class Gjeldsordning(RegistryModel):
    type: str
    meldefrist_krav: date | None = None
    gjeldsordningsperiode_fra_dato: date | None = None
    gjeldsordningsperiode_til_dato: date | None = None


class Rettsstiftelse(RegistryModel):
    dokumentnummer: str
    type: str
    status: str
    innkomsttidspunkt: datetime | None = None
    beslutningstidspunkt: datetime | None = None
    utlop_rettsvernstid: date | None = None
    slettet_dato: date | None = None
    roller: list[Rolle] = Field(default_factory=list)
    formuesgoder: list[dict[str, object]] = Field(default_factory=list)
    krav: Krav | None = None
    gjeldsordning: Gjeldsordning | None = None


class Rettsstiftelser(RegistryModel):
    sokeparameter: str = Field(repr=False)
    oppslagstidspunkt: datetime
    antall_rettsstiftelser: int
    rettsstiftelser: list[Rettsstiftelse]
    korrelasjonsid: str | None = None

    @property
    def has_debt_settlement(self) -> bool:
        return any(
            r.gjeldsordning is not None and r.slettet_dato is None for r in self.rettsstiftelser
        )


class BrregClient(RegistryClient):
    REGISTRY = REGISTRY

    def enhet(self, orgnr: str) -> Enhet:
        """One organisation from Enhetsregisteret."""
        if not is_valid_organisation_number(orgnr):
            raise RequestRejected(REGISTRY, "not a valid organisation number")
        return self.http.fetch(f"/enhetsregisteret/api/enheter/{orgnr}", _read_enhet(orgnr))

    def rettsstiftelser(self, fnr: str) -> Rettsstiftelser:
        """Registered liens, charges and debt settlements on a person in Løsøreregisteret."""
        return self.http.fetch(
            f"/registerinfo/api/v1/rettsstiftelse/fnr/{fnr}",
            _read_rettsstiftelser,
            scope=SCOPE_LOSORE,
        )


def _read_enhet(orgnr: str) -> Callable[[httpx.Response], Enhet]:
    def read(response: httpx.Response) -> Enhet:
        if response.status_code == 200:
            return parse_model(REGISTRY, response, Enhet)
        if response.status_code == 404:
            raise OrganisationNotFound(
                REGISTRY, f"no organisation {orgnr} in Enhetsregisteret", status=404
            )
        if response.status_code == 410:
            removed = parse_model(REGISTRY, response, SlettetEnhet)
            raise OrganisationRemoved(
                REGISTRY,
                f"organisation {orgnr} was removed from Enhetsregisteret",
                removed_on=removed.slettedato,
            )
        raise _error_from(response)

    return read


def _read_rettsstiftelser(response: httpx.Response) -> Rettsstiftelser:
    if response.status_code == 200:
        return parse_model(REGISTRY, response, Rettsstiftelser)
    raise _error_from(response)


def _error_from(response: httpx.Response) -> RegistryError:
    status = response.status_code
    correlation_id: str | None = None
    code: str | None = None
    try:
        body = json_body(REGISTRY, response)
    except MalformedResponse:
        body = None
    if isinstance(body, dict):
        correlation_id = str(body["korrelasjonsid"]) if "korrelasjonsid" in body else None
        code = str(body["error"]) if "error" in body else None

    def error(kind: type[RegistryError], message: str) -> RegistryError:
        return kind(REGISTRY, message, code=code, status=status, correlation_id=correlation_id)

    if status in (401, 403):
        return error(CredentialsRejected, f"the registry refused our token ({status})")
    if status == 400:
        return error(RequestRejected, "the registry refused the request")
    return error(MalformedResponse, f"unexpected answer {status}")
