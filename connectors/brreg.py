"""The Brønnøysund Register Centre: Enhetsregisteret (organisations) and Løsøreregisteret (liens).

Enhetsregisteret is open data and takes no token, like the real one; an
organisation's roles are read from its authorised API (scope
``brreg:enhetsregisteret.roller``), the only one that names each person's
national identity number, needed to match the person who is logged in.
Løsøreregisteret needs a token with scope ``brreg:losore``.

    brreg.enhet(orgnr)                      # Enhet; .in_good_standing, .konkurs, ...
    roller = brreg.roller(orgnr)            # Roller, or OrganisationNotFound / ...Removed
    roller.roles_of(fnr)                    # every role the person holds, ended ones too
    roller.authority_of(fnr)                # Enhetsrolle giving authority, or None
    rolle.kode, rolle.beskrivelse           # "DAGL", "Daglig leder/ adm.direktør"
    brreg.rettsstiftelser_orgnr(orgnr)      # Rettsstiftelser: charges on an organisation
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal, TypeVar

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
SCOPE_ROLLER: Final = "brreg:enhetsregisteret.roller"
# The roles Altinn grants the agriculture and aquaculture access packages
# (urn:altinn:accesspackage:jordbruk, ...:akvakultur): who may act for the enterprise.
AUTHORITY_ROLE_CODES: Final = (
    "INNH", "DAGL", "LEDE", "DTPR", "DTSO", "KOMP", "BEST", "REPR", "BOBE",
)  # fmt: skip
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


class Personnavn(RegistryModel):
    fornavn: str | None = None
    mellomnavn: str | None = None
    etternavn: str | None = None

    @property
    def fullt_navn(self) -> str:
        return " ".join(part for part in (self.fornavn, self.mellomnavn, self.etternavn) if part)


class RollePerson(RegistryModel):
    fodselsnummer: str | None = Field(default=None, repr=False)
    fodselsdato: date | None = Field(default=None, repr=False)
    navn: Personnavn
    er_doed: bool = False


class RolleEnhet(RegistryModel):
    """An organisation in a role (an auditor, an accountant, a corporate board member)."""

    organisasjonsnummer: str
    navn: list[str] | str | None = None


class Enhetsrolle(RegistryModel):
    """One role: its code (``type.kode``), and the person or organisation holding it."""

    type: Kode
    person: RollePerson | None = None
    enhet: RolleEnhet | None = None
    fratraadt: bool = False
    avregistrert: bool = False
    rekkefolge: int | None = None

    @property
    def kode(self) -> str:
        return self.type.kode

    @property
    def beskrivelse(self) -> str:
        return self.type.beskrivelse or self.type.kode

    @property
    def active(self) -> bool:
        """Neither left (``fratraadt``) nor struck out of the register (``avregistrert``)."""
        return not (self.fratraadt or self.avregistrert)

    @property
    def gives_authority(self) -> bool:
        return self.active and self.kode in AUTHORITY_ROLE_CODES

    def held_by(self, fnr: str) -> bool:
        return self.person is not None and self.person.fodselsnummer == fnr


class Rollegruppe(RegistryModel):
    type: Kode
    sist_endret: date | None = None
    roller: list[Enhetsrolle] = Field(default_factory=list)


class Roller(RegistryModel):
    """An organisation's roles as the authorised API groups them."""

    rollegrupper: list[Rollegruppe] = Field(default_factory=list)

    @property
    def alle(self) -> list[Enhetsrolle]:
        return [rolle for gruppe in self.rollegrupper for rolle in gruppe.roller]

    def roles_of(self, fnr: str) -> list[Enhetsrolle]:
        """Every role the person is listed in, ended ones included."""
        return [rolle for rolle in self.alle if rolle.held_by(fnr)]

    def authority_of(self, fnr: str) -> Enhetsrolle | None:
        """The person's role that lets them act for the organisation, if any: the first
        active one in the order of AUTHORITY_ROLE_CODES (an owner before a manager)."""
        granting = [rolle for rolle in self.roles_of(fnr) if rolle.gives_authority]
        granting.sort(key=lambda rolle: AUTHORITY_ROLE_CODES.index(rolle.kode))
        return granting[0] if granting else None


OrganisationAnswerT = TypeVar("OrganisationAnswerT", Enhet, Roller)


class BrregClient(RegistryClient):
    REGISTRY = REGISTRY

    def enhet(self, orgnr: str) -> Enhet:
        """One organisation from Enhetsregisteret."""
        if not is_valid_organisation_number(orgnr):
            raise RequestRejected(REGISTRY, "not a valid organisation number")
        return self.http.fetch(
            f"/enhetsregisteret/api/enheter/{orgnr}", _read_organisation(orgnr, Enhet)
        )

    def roller(self, orgnr: str) -> Roller:
        """An organisation's roles from the authorised API, with each person's number.

        OrganisationNotFound (404) and OrganisationRemoved (410) as for `enhet`; an
        organisation with no roles gives an empty `Roller`.
        """
        if not is_valid_organisation_number(orgnr):
            raise RequestRejected(REGISTRY, "not a valid organisation number")
        return self.http.fetch(
            f"/enhetsregisteret/autorisert-api/enheter/{orgnr}/roller",
            _read_organisation(orgnr, Roller),
            scope=SCOPE_ROLLER,
        )

    def rettsstiftelser(self, fnr: str) -> Rettsstiftelser:
        """Registered liens, charges and debt settlements on a person in Løsøreregisteret."""
        return self.http.fetch(
            f"/registerinfo/api/v1/rettsstiftelse/fnr/{fnr}",
            _read_rettsstiftelser,
            scope=SCOPE_LOSORE,
        )

    def rettsstiftelser_orgnr(self, orgnr: str) -> Rettsstiftelser:
        """Registered charges and liens on an organisation's assets in Løsøreregisteret
        (equipment, stock, claims); an organisation with none has an empty list."""
        if not is_valid_organisation_number(orgnr):
            raise RequestRejected(REGISTRY, "not a valid organisation number")
        return self.http.fetch(
            f"/registerinfo/api/v1/rettsstiftelse/orgnr/{orgnr}",
            _read_rettsstiftelser,
            scope=SCOPE_LOSORE,
        )


def _read_organisation(
    orgnr: str, model: type[OrganisationAnswerT]
) -> Callable[[httpx.Response], OrganisationAnswerT]:
    """Read an answer about one organisation: the model, or why there is none."""

    def read(response: httpx.Response) -> OrganisationAnswerT:
        if response.status_code == 200:
            return parse_model(REGISTRY, response, model)
        raise _organisation_error(orgnr, response)

    return read


def _read_rettsstiftelser(response: httpx.Response) -> Rettsstiftelser:
    if response.status_code == 200:
        return parse_model(REGISTRY, response, Rettsstiftelser)
    raise _error_from(response)


def _organisation_error(orgnr: str, response: httpx.Response) -> RegistryError:
    if response.status_code == 404:
        return OrganisationNotFound(
            REGISTRY, f"no organisation {orgnr} in Enhetsregisteret", status=404
        )
    if response.status_code == 410:
        removed = parse_model(REGISTRY, response, SlettetEnhet)
        return OrganisationRemoved(
            REGISTRY,
            f"organisation {orgnr} was removed from Enhetsregisteret",
            removed_on=removed.slettedato,
        )
    return _error_from(response)


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
