"""The Brønnøysund Register Centre: Enhetsregisteret (open data) and Løsøreregisteret.

Enhetsregisteret answers 200, 404 (never existed) or 410 (removed, with
``slettedato``) and needs no token. An organisation's roles come open
(names and birth dates) or, with a token of scope
``brreg:enhetsregisteret.roller``, from the authorised API, which adds each
person's ``fodselsnummer``. Løsøreregisteret needs the gateway's
token with scope ``brreg:losore`` and answers every valid number: a person
with nothing registered has ``antallRettsstiftelser`` 0.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_registries.auth import GatewayTokenVerifier, TokenRejected
from mock_registries.common import WireModel, add_health_and_faults
from mock_registries.identifiers import is_valid_organisation_number, parse_national_identity_number
from mock_registries.population import (
    Lien,
    Organisation,
    Person,
    Population,
    RoleHolding,
    build_population,
)
from mock_registries.settings import MockSettings

AUDIENCE: Final = "https://data.brreg.no"
SCOPE_LOSORE: Final = "brreg:losore"
SCOPE_ROLLER: Final = "brreg:enhetsregisteret.roller"
# Role code -> (description, the group it is listed under), as Enhetsregisteret words them.
ROLE_TYPES: Final = {
    "DAGL": "Daglig leder/ adm.direktør",
    "LEDE": "Styrets leder",
    "NEST": "Nestleder",
    "MEDL": "Styremedlem",
    "VARA": "Varamedlem",
    "INNH": "Innehaver",
    "DTPR": "Deltaker med delt ansvar",
    "DTSO": "Deltaker med fullt ansvar",
    "KOMP": "Komplementar",
    "BEST": "Bestyrende reder",
    "REPR": "Norsk repr. for utenl. enhet",
    "BOBE": "Bostyrer",
    "REVI": "Revisor",
    "REGN": "Regnskapsfører",
    "SIGN": "Signatur",
    "PROK": "Prokura",
}
GROUP_NAMES: Final = {"REVI": "Revisor", "REGN": "Regnskapsfører", "INNH": "Innehaver"}
ROLE_GROUPS: Final = {
    "DAGL": ("DAGL", "Daglig leder/ adm.direktør"),
    "LEDE": ("STYR", "Styre"),
    "NEST": ("STYR", "Styre"),
    "MEDL": ("STYR", "Styre"),
    "VARA": ("STYR", "Styre"),
    "DTPR": ("DTPR", "Deltakere med delt ansvar"),
    "DTSO": ("DTSO", "Deltakere med fullt ansvar"),
}
REASONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class BrregError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(path: str, status: int, message: str | None = None) -> dict[str, Any]:
    """The Spring-style error body both registers answer with. The path is left out:
    in Løsøreregisteret it carries a national identity number."""
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "status": status,
        "error": REASONS.get(status, "Error"),
        "message": message or REASONS.get(status, "Error"),
        "korrelasjonsid": str(uuid.uuid4()),
    }


class Kode(WireModel):
    kode: str
    beskrivelse: str


class Enhet(WireModel):
    organisasjonsnummer: str
    navn: str
    organisasjonsform: Kode
    registreringsdato_enhetsregisteret: date
    registrert_i_mvaregisteret: bool
    naeringskode1: Kode
    antall_ansatte: int
    stiftelsesdato: date
    institusjonell_sektorkode: Kode
    registrert_i_foretaksregisteret: bool
    konkurs: bool
    under_avvikling: bool
    under_tvangsavvikling_eller_tvangsopplosning: bool
    maalform: str
    links: dict[str, dict[str, str]] = Field(alias="_links")


class SlettetEnhet(WireModel):
    organisasjonsnummer: str
    slettedato: date


class Rolle(WireModel):
    rolleinnehaver_type: Literal["BRPERSON", "VIRKSOMHET", "ANNEN_AKTOR"]
    navn: str
    identifikator: str


class Belop(WireModel):
    belop: int
    valuta: str


class Krav(WireModel):
    belop: list[Belop]


class Gjeldsordning(WireModel):
    type: str
    meldefrist_krav: date
    gjeldsordningsperiode_fra_dato: date
    gjeldsordningsperiode_til_dato: date


class Rettsstiftelse(WireModel):
    dokumentnummer: str
    type: str
    status: str
    innkomsttidspunkt: datetime
    beslutningstidspunkt: datetime
    utlop_rettsvernstid: date | None
    slettet_dato: date | None
    roller: list[Rolle]
    formuesgoder: list[dict[str, Any]]
    krav: Krav
    gjeldsordning: Gjeldsordning | None


class Rettsstiftelser(WireModel):
    sokeparameter: str
    oppslagstidspunkt: datetime
    antall_rettsstiftelser: int
    rettsstiftelser: list[Rettsstiftelse]
    korrelasjonsid: str


class Personnavn(WireModel):
    fornavn: str
    mellomnavn: str | None
    etternavn: str


class RollePerson(WireModel):
    fodselsnummer: str | None = Field(
        default=None, description="Only from the authorised API (autorisert-api)."
    )
    fodselsdato: date
    navn: Personnavn
    er_doed: bool


class RolleEnhet(WireModel):
    organisasjonsnummer: str
    organisasjonsform: Kode
    navn: list[str]
    er_slettet: bool


class Enhetsrolle(WireModel):
    type: Kode
    person: RollePerson | None = None
    enhet: RolleEnhet | None = None
    fratraadt: bool
    avregistrert: bool
    rekkefolge: int


class Rollegruppe(WireModel):
    type: Kode
    sist_endret: date
    roller: list[Enhetsrolle]


class Roller(WireModel):
    rollegrupper: list[Rollegruppe]


class ErrorBodyModel(WireModel):
    timestamp: str
    status: int
    error: str
    message: str
    korrelasjonsid: str


def enhet_of(organisation: Organisation, base_url: str) -> Enhet:
    return Enhet(
        organisasjonsnummer=organisation.organisasjonsnummer,
        navn=organisation.navn,
        organisasjonsform=Kode(
            kode=organisation.organisasjonsform[0], beskrivelse=organisation.organisasjonsform[1]
        ),
        registreringsdato_enhetsregisteret=max(organisation.stiftelsesdato, date(1995, 2, 20)),
        registrert_i_mvaregisteret=not organisation.is_bank,  # financial services are VAT-exempt
        naeringskode1=Kode(
            kode=organisation.naeringskode[0], beskrivelse=organisation.naeringskode[1]
        ),
        antall_ansatte=organisation.antall_ansatte,
        stiftelsesdato=organisation.stiftelsesdato,
        institusjonell_sektorkode=Kode(
            kode=organisation.sektorkode[0], beskrivelse=organisation.sektorkode[1]
        ),
        registrert_i_foretaksregisteret=True,
        konkurs=organisation.konkurs,
        under_avvikling=organisation.under_avvikling,
        under_tvangsavvikling_eller_tvangsopplosning=False,
        maalform="Bokmål",
        _links={
            "self": {
                "href": f"{base_url}/enhetsregisteret/api/enheter/"
                f"{organisation.organisasjonsnummer}"
            }
        },
    )


def _rolle_person(
    population: Population, fnr: str | None, *, authorised: bool
) -> RollePerson | None:
    person = population.person(fnr) if fnr else None
    if person is None:
        return None
    return RollePerson(
        fodselsnummer=person.fnr if authorised else None,
        fodselsdato=person.birth_date,
        navn=Personnavn(fornavn=person.fornavn, mellomnavn=None, etternavn=person.etternavn),
        er_doed=False,
    )


def _rolle_enhet(population: Population, orgnr: str | None) -> RolleEnhet | None:
    organisation = population.organisation(orgnr) if orgnr else None
    if organisation is None:
        return None
    form, description = organisation.organisasjonsform
    return RolleEnhet(
        organisasjonsnummer=organisation.organisasjonsnummer,
        organisasjonsform=Kode(kode=form, beskrivelse=description),
        navn=[organisation.navn],
        er_slettet=organisation.slettedato is not None,
    )


def roller_of(organisation: Organisation, population: Population, *, authorised: bool) -> Roller:
    """The roles grouped as Enhetsregisteret groups them, in the order they were listed."""
    groups: dict[tuple[str, str], list[RoleHolding]] = {}
    for holding in organisation.roller:
        key = ROLE_GROUPS.get(
            holding.kode, (holding.kode, GROUP_NAMES.get(holding.kode, ROLE_TYPES[holding.kode]))
        )
        groups.setdefault(key, []).append(holding)
    rollegrupper = []
    for (group, description), holdings in groups.items():
        roller = []
        for order, holding in enumerate(holdings):
            roller.append(
                Enhetsrolle(
                    type=Kode(kode=holding.kode, beskrivelse=ROLE_TYPES[holding.kode]),
                    person=_rolle_person(population, holding.fnr, authorised=authorised),
                    enhet=_rolle_enhet(population, holding.orgnr),
                    fratraadt=holding.fratraadt,
                    avregistrert=False,
                    rekkefolge=order,
                )
            )
        rollegrupper.append(
            Rollegruppe(
                type=Kode(kode=group, beskrivelse=description),
                sist_endret=max(h.registered for h in holdings),
                roller=roller,
            )
        )
    return Roller(rollegrupper=rollegrupper)


def rettsstiftelse_of(
    holder: Person | Organisation, lien: Lien, population: Population
) -> Rettsstiftelse:
    """One registration; `holder` is the debtor, a person or an organisation."""
    creditor = population.organisation(lien.creditor)
    debtor = (
        Rolle(rolleinnehaver_type="BRPERSON", navn=holder.name, identifikator=holder.fnr)
        if isinstance(holder, Person)
        else Rolle(
            rolleinnehaver_type="VIRKSOMHET",
            navn=holder.navn,
            identifikator=holder.organisasjonsnummer,
        )
    )
    registered = datetime(lien.registered.year, lien.registered.month, lien.registered.day, 9)
    settlement = None
    if lien.debt_settlement:
        settlement = Gjeldsordning(
            type="TVUNGEN_GJELDSORDNING",
            meldefrist_krav=lien.registered + timedelta(days=28),
            gjeldsordningsperiode_fra_dato=lien.registered,
            gjeldsordningsperiode_til_dato=lien.registered.replace(year=lien.registered.year + 5),
        )
    return Rettsstiftelse(
        dokumentnummer=lien.dokumentnummer,
        type=lien.type,
        status="AKTIV",
        innkomsttidspunkt=registered,
        beslutningstidspunkt=registered + timedelta(days=1),
        utlop_rettsvernstid=None
        if lien.debt_settlement
        else lien.registered.replace(year=lien.registered.year + 10),
        slettet_dato=None,
        roller=[
            debtor,
            Rolle(
                rolleinnehaver_type="VIRKSOMHET",
                navn=creditor.navn if creditor else "UKJENT KREDITOR",
                identifikator=lien.creditor,
            ),
        ],
        formuesgoder=[] if lien.debt_settlement else [_formuesgode(lien.type)],
        krav=Krav(belop=[Belop(belop=lien.amount, valuta="NOK")]),
        gjeldsordning=settlement,
    )


def _formuesgode(lien_type: str) -> dict[str, Any]:
    """What a charge covers: the farm's equipment, the stock, claims, or movables."""
    return {
        "DRIFTSTILBEHOERSPANT": {"type": "DRIFTSTILBEHOER", "beskrivelse": "Driftstilbehør"},
        "VARELAGERPANT": {"type": "VARELAGER", "beskrivelse": "Varelager"},
        "FACTORINGPANT": {"type": "ENKLE_PENGEKRAV", "beskrivelse": "Utestående fordringer"},
    }.get(lien_type, {"type": "LOSOERE", "beskrivelse": "Løsøre"})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BrregError)
    async def on_brreg_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BrregError)
        body = error_body(request.url.path, exc.status, exc.message)
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(request.url.path, 400), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        return JSONResponse(error_body(request.url.path, status), status_code=status)


def create_app(
    settings: MockSettings | None = None,
    *,
    population: Population | None = None,
    gateway_jwks: dict[str, Any] | None = None,
) -> FastAPI:
    settings = settings or MockSettings()
    people = population or build_population(settings.seed, settings.population_size)
    public_url = settings.public_url(settings.brreg_port)
    verifier = GatewayTokenVerifier(
        audience=AUDIENCE,
        jwks=gateway_jwks,
        jwks_url=None if gateway_jwks else settings.gateway_jwks_url,
    )
    app = FastAPI(
        title="Brønnøysundregistrene (mock)",
        version="1.0.0",
        description="Enhetsregisteret (organisations and their roles) and Løsøreregisteret "
        "for a synthetic population.",
        responses={"default": {"model": ErrorBodyModel, "description": "Error"}},
    )
    _install_error_handlers(app)

    @app.get(
        "/enhetsregisteret/api/enheter/{organisasjonsnummer}",
        response_model=Enhet,
        responses={410: {"model": SlettetEnhet, "description": "Removed from the register"}},
        summary="One organisation (open data)",
    )
    async def enhet(organisasjonsnummer: str) -> Enhet | JSONResponse:
        organisation = registered(organisasjonsnummer)
        if isinstance(organisation, JSONResponse):
            return organisation
        return enhet_of(organisation, public_url)

    def registered(organisasjonsnummer: str) -> Organisation | JSONResponse:
        """The organisation, a 410 answer when it was removed, or BrregError 400/404."""
        if not is_valid_organisation_number(organisasjonsnummer):
            raise BrregError(400, "Ugyldig organisasjonsnummer")
        organisation = people.organisation(organisasjonsnummer)
        if organisation is None:
            raise BrregError(404, "Fant ingen enhet med organisasjonsnummer")
        if organisation.slettedato is not None:
            removed = SlettetEnhet(
                organisasjonsnummer=organisasjonsnummer, slettedato=organisation.slettedato
            )
            return JSONResponse(removed.model_dump(mode="json", by_alias=True), status_code=410)
        return organisation

    @app.get(
        "/enhetsregisteret/api/enheter/{organisasjonsnummer}/roller",
        response_model=Roller,
        response_model_exclude_none=True,
        responses={410: {"model": SlettetEnhet, "description": "Removed from the register"}},
        summary="An organisation's roles (open data: names and birth dates)",
    )
    async def roller(organisasjonsnummer: str) -> Roller | JSONResponse:
        organisation = registered(organisasjonsnummer)
        if isinstance(organisation, JSONResponse):
            return organisation
        return roller_of(organisation, people, authorised=False)

    @app.get(
        "/enhetsregisteret/autorisert-api/enheter/{organisasjonsnummer}/roller",
        response_model=Roller,
        responses={410: {"model": SlettetEnhet, "description": "Removed from the register"}},
        response_model_exclude_none=True,
        summary="An organisation's roles with each person's fodselsnummer (authorised)",
        description=f"Needs the gateway's token with scope `{SCOPE_ROLLER}`.",
    )
    async def autoriserte_roller(
        request: Request, organisasjonsnummer: str
    ) -> Roller | JSONResponse:
        try:
            await verifier.verify(request.headers.get("authorization"), SCOPE_ROLLER)
        except TokenRejected as rejected:
            raise BrregError(rejected.status, rejected.reason) from None
        organisation = registered(organisasjonsnummer)
        if isinstance(organisation, JSONResponse):
            return organisation
        return roller_of(organisation, people, authorised=True)

    @app.get(
        "/registerinfo/api/v1/rettsstiftelse/fnr/{fnr}",
        response_model=Rettsstiftelser,
        summary="Registered liens, charges and debt settlements on a person",
    )
    async def rettsstiftelser(request: Request, fnr: str) -> Rettsstiftelser:
        try:
            await verifier.verify(request.headers.get("authorization"), SCOPE_LOSORE)
        except TokenRejected as rejected:
            raise BrregError(rejected.status, rejected.reason) from None
        try:
            parse_national_identity_number(fnr)
        except ValueError as error:
            raise BrregError(400, str(error)) from None
        person = people.person(fnr)
        found = [rettsstiftelse_of(person, lien, people) for lien in person.liens] if person else []
        return Rettsstiftelser(
            sokeparameter=fnr,
            oppslagstidspunkt=datetime.now(UTC).replace(microsecond=0),
            antall_rettsstiftelser=len(found),
            rettsstiftelser=found,
            korrelasjonsid=str(uuid.uuid4()),
        )

    @app.get(
        "/registerinfo/api/v1/rettsstiftelse/orgnr/{orgnr}",
        response_model=Rettsstiftelser,
        summary="Registered charges and liens on an organisation's assets",
    )
    async def rettsstiftelser_orgnr(request: Request, orgnr: str) -> Rettsstiftelser:
        try:
            await verifier.verify(request.headers.get("authorization"), SCOPE_LOSORE)
        except TokenRejected as rejected:
            raise BrregError(rejected.status, rejected.reason) from None
        if not is_valid_organisation_number(orgnr):
            raise BrregError(400, "Ugyldig organisasjonsnummer")
        organisation = people.organisation(orgnr)
        found = (
            [rettsstiftelse_of(organisation, lien, people) for lien in organisation.liens]
            if organisation
            else []
        )
        return Rettsstiftelser(
            sokeparameter=orgnr,
            oppslagstidspunkt=datetime.now(UTC).replace(microsecond=0),
            antall_rettsstiftelser=len(found),
            rettsstiftelser=found,
            korrelasjonsid=str(uuid.uuid4()),
        )

    add_health_and_faults(app, settings, error_body)
    return app
