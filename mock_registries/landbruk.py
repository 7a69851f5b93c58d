"""Landbruksdirektoratet: production subsidies (produksjonstilskudd) per enterprise.

No public API specification exists for these data, so this API is modelled:
the paths and fields are ours, in Norwegian in the style of the other
registries. An enterprise (organisation number) applies in two rounds a year,
counting dates 1 March and 1 October (deadlines the 15th); the October round
states areas per crop in decares, both rounds count animals per category; the
decision states the subsidy granted and paid in NOK.

Needs the gateway's token with scope ``landbruksdirektoratet:produksjonstilskudd``.
Errors are ``{kode, melding, korrelasjonsid}`` with the codes PT-001…008.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Final, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_registries.auth import GatewayTokenVerifier, TokenRejected
from mock_registries.common import WireModel, add_health_and_faults
from mock_registries.population import Population, build_population
from mock_registries.production import ANIMALS, CROPS, FARMS, SubsidyRound, subsidy_rounds
from mock_registries.settings import MockSettings

AUDIENCE: Final = "https://api.landbruksdirektoratet.no"
SCOPE_PRODUKSJONSTILSKUDD: Final = "landbruksdirektoratet:produksjonstilskudd"
PREFIX: Final = "/produksjonstilskudd/api/v1"

MESSAGES: Final = {
    "001": (500, "Uventet feil på tjenesten"),
    "002": (500, "Uventet feil i et bakenforliggende system"),
    "003": (404, "Ukjent url benyttet"),
    "004": (401, "Feil i forbindelse med autentisering"),
    "005": (403, "Feil i forbindelse med autorisering"),
    "006": (400, "Feil i forbindelse med validering av inputdata"),
    "007": (404, "Foretaket har ikke søkt om produksjonstilskudd"),
    "008": (404, "Foretaket har ingen søknad med oppgitt telledato"),
}


class PtError(Exception):
    def __init__(self, number: str, detail: str | None = None) -> None:
        super().__init__(number)
        self.number = number
        self.detail = detail


def error_body(path: str, number_or_status: str | int, detail: str | None = None) -> dict[str, Any]:
    if isinstance(number_or_status, int):  # a fault: the code that goes with the status
        number = {401: "004", 403: "005", 404: "003"}.get(
            number_or_status, "002" if number_or_status >= 500 else "006"
        )
    else:
        number = number_or_status
    return {
        "kode": f"PT-{number}",
        "melding": MESSAGES[number][1] + (f": {detail}" if detail else ""),
        "korrelasjonsid": str(uuid.uuid4()),
    }


class ErrorBodyModel(WireModel):
    kode: str
    melding: str
    korrelasjonsid: str


class Soknadsomgang(WireModel):
    soknadsaar: int
    telledato: date
    soknadsfrist: date
    status: Literal["UNDER_BEHANDLING", "UTBETALT"]


class Soknader(WireModel):
    organisasjonsnummer: str
    foretaksnavn: str
    soknader: list[Soknadsomgang]
    korrelasjonsid: str


class Areal(WireModel):
    vekstkode: str
    vekst: str
    dekar: int


class Dyretall(WireModel):
    dyrekode: str
    dyreslag: str
    antall: int


class Vedtak(WireModel):
    vedtaksdato: date
    innvilget_belop: int
    avkorting_belop: int
    utbetalt_belop: int
    utbetalingsdato: date
    valuta: str


class Soknad(WireModel):
    organisasjonsnummer: str
    foretaksnavn: str
    soknadsaar: int
    telledato: date
    soknadsfrist: date
    innsendt: datetime
    status: Literal["UNDER_BEHANDLING", "UTBETALT"]
    arealer: list[Areal]
    dyr: list[Dyretall]
    vedtak: Vedtak | None
    korrelasjonsid: str


def _status(soknad: SubsidyRound) -> Literal["UNDER_BEHANDLING", "UTBETALT"]:
    return "UTBETALT" if soknad.decided else "UNDER_BEHANDLING"


def _vedtak(soknad: SubsidyRound) -> Vedtak | None:
    """March rounds are paid in June, October rounds in February of the next year."""
    if not soknad.decided:
        return None
    year = soknad.soknadsaar
    decided = date(year, 6, 10) if soknad.telledato.month == 3 else date(year + 1, 2, 10)
    return Vedtak(
        vedtaksdato=decided,
        innvilget_belop=soknad.innvilget,
        avkorting_belop=0,
        utbetalt_belop=soknad.innvilget,
        utbetalingsdato=decided.replace(day=20),
        valuta="NOK",
    )


def soknad_of(orgnr: str, navn: str, soknad: SubsidyRound) -> Soknad:
    frist = soknad.soknadsfrist
    return Soknad(
        organisasjonsnummer=orgnr,
        foretaksnavn=navn,
        soknadsaar=soknad.soknadsaar,
        telledato=soknad.telledato,
        soknadsfrist=frist,
        innsendt=datetime(frist.year, frist.month, frist.day - 3, 20, 14),
        status=_status(soknad),
        arealer=[
            Areal(vekstkode=crop, vekst=CROPS[crop], dekar=decares)
            for crop, decares in soknad.areas.items()
        ],
        dyr=[
            Dyretall(dyrekode=kind, dyreslag=ANIMALS[kind], antall=head)
            for kind, head in soknad.animals.items()
        ],
        vedtak=_vedtak(soknad),
        korrelasjonsid=str(uuid.uuid4()),
    )


def _install_error_handlers(app: FastAPI) -> None:
    def respond(request: Request, number: str, detail: str | None = None) -> JSONResponse:
        return JSONResponse(
            error_body(request.url.path, number, detail), status_code=MESSAGES[number][0]
        )

    @app.exception_handler(PtError)
    async def on_pt_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PtError)
        return respond(request, exc.number, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        return respond(request, "006")

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        return respond(request, "003")


def create_app(
    settings: MockSettings | None = None,
    *,
    population: Population | None = None,
    gateway_jwks: dict[str, Any] | None = None,
) -> FastAPI:
    settings = settings or MockSettings()
    people = population or build_population(settings.seed, settings.population_size)
    verifier = GatewayTokenVerifier(
        audience=AUDIENCE,
        jwks=gateway_jwks,
        jwks_url=None if gateway_jwks else settings.gateway_jwks_url,
    )
    app = FastAPI(
        title="Landbruksdirektoratet produksjonstilskudd (mock, modelled API)",
        version="1.0.0",
        description="Production subsidy applications and decisions per enterprise and "
        "application round (counting dates 1 March and 1 October). No public API "
        "specification exists for these data: paths and fields are modelled, with "
        "Norwegian names in the style of the other registries. Errors are "
        "`{kode, melding, korrelasjonsid}` with codes PT-001…PT-008.",
        responses={
            "default": {"model": ErrorBodyModel, "description": "{kode, melding, korrelasjonsid}"}
        },
    )
    _install_error_handlers(app)

    async def farm_rounds(request: Request, organisasjonsnummer: str) -> list[SubsidyRound]:
        try:
            await verifier.verify(request.headers.get("authorization"), SCOPE_PRODUKSJONSTILSKUDD)
        except TokenRejected as rejected:
            raise PtError("004" if rejected.status == 401 else "005", rejected.reason) from None
        if len(organisasjonsnummer) != 9 or not organisasjonsnummer.isdigit():
            raise PtError("006", "organisasjonsnummer har ni sifre")
        farm = FARMS.get(organisasjonsnummer)
        if farm is None:
            raise PtError("007")
        return subsidy_rounds(farm)

    def navn(organisasjonsnummer: str) -> str:
        organisation = people.organisation(organisasjonsnummer)
        return organisation.navn if organisation else ""

    @app.get(
        PREFIX + "/foretak/{organisasjonsnummer}/soknader",
        response_model=Soknader,
        summary="The enterprise's application rounds, newest first",
    )
    async def soknader(request: Request, organisasjonsnummer: str) -> Soknader:
        rounds = await farm_rounds(request, organisasjonsnummer)
        return Soknader(
            organisasjonsnummer=organisasjonsnummer,
            foretaksnavn=navn(organisasjonsnummer),
            soknader=[
                Soknadsomgang(
                    soknadsaar=r.soknadsaar,
                    telledato=r.telledato,
                    soknadsfrist=r.soknadsfrist,
                    status=_status(r),
                )
                for r in reversed(rounds)
            ],
            korrelasjonsid=str(uuid.uuid4()),
        )

    @app.get(
        PREFIX + "/foretak/{organisasjonsnummer}/soknader/{telledato}",
        response_model=Soknad,
        summary="One application round: areas, animals, and the decision",
        description="`telledato` is the round's counting date, YYYY-03-01 or YYYY-10-01.",
    )
    async def soknad(request: Request, organisasjonsnummer: str, telledato: date) -> Soknad:
        rounds = await farm_rounds(request, organisasjonsnummer)
        if (telledato.month, telledato.day) not in ((3, 1), (10, 1)):
            raise PtError("006", "telledato er 1. mars eller 1. oktober")
        for found in rounds:
            if found.telledato == telledato:
                return soknad_of(organisasjonsnummer, navn(organisasjonsnummer), found)
        raise PtError("008")

    add_health_and_faults(app, settings, error_body)
    return app
