"""The Tax Administration (Skatteetaten): summert skattegrunnlag and A-ordningen income.

Real paths, real field names, real error codes (SSG-001…011, IM-001…010)
in the real error body ``{kode, melding, korrelasjonsid}``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Final

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_registries.auth import GatewayTokenVerifier, TokenRejected
from mock_registries.common import WireModel, add_health_and_faults
from mock_registries.identifiers import parse_national_identity_number
from mock_registries.population import (
    FIRST_MONTH,
    INCOME_YEARS,
    LAST_MONTH,
    Person,
    Population,
    Trait,
    assessment_date,
    assessment_timestamp,
    build_population,
)
from mock_registries.settings import MockSettings

AUDIENCE: Final = "https://api.skatteetaten.no"
SCOPE_SUMMERT_SKATTEGRUNNLAG: Final = "skatteetaten:summertskattegrunnlag"
SCOPE_INNTEKT: Final = "skatteetaten:inntekt"
RESSURS_SUMMERT_SKATTEGRUNNLAG: Final = "ske-samtykke-sbl-summert-skattegrunnlag"
INNTEKT_PREFIX: Final = "/api/innrapportert"

MESSAGES: Final = {
    "001": (500, "Uventet feil på tjenesten"),
    "002": (500, "Uventet feil i et bakenforliggende system"),
    "003": (404, "Ukjent url benyttet"),
    "004": (401, "Feil i forbindelse med autentisering"),
    "005": (403, "Feil i forbindelse med autorisering"),
    "006": (400, "Feil i forbindelse med validering av inputdata"),
    "007": (404, "Ikke treff på oppgitt personidentifikator"),
    "008": (404, "Ingen data funnet på oppgitt personidentifikator og periode"),
    "009": (406, "Feil tilknyttet dataformat. Kun json er støttet"),
    "010": (403, "Feil i forbindelse med samtykketoken"),
    "011": (410, "Data finnes ikke lenger"),
}


class SkeError(Exception):
    """An answer with the registry's error body; `number` is the code without its prefix."""

    def __init__(self, number: str, detail: str | None = None) -> None:
        super().__init__(number)
        self.number = number
        self.detail = detail


def _prefix(path: str) -> str:
    return "IM" if path.startswith(INNTEKT_PREFIX) else "SSG"


def error_body(path: str, number_or_status: str | int, detail: str | None = None) -> dict[str, Any]:
    if isinstance(number_or_status, int):  # a fault: pick the code that goes with the status
        number = {401: "004", 403: "005", 404: "003", 406: "009", 410: "011"}.get(
            number_or_status, "002" if number_or_status >= 500 else "006"
        )
    else:
        number = number_or_status
    melding = MESSAGES[number][1] + (f": {detail}" if detail else "")
    return {
        "kode": f"{_prefix(path)}-{number}",
        "melding": melding,
        "korrelasjonsid": str(uuid.uuid4()),
    }


def _error_response(request: Request, number: str, detail: str | None = None) -> JSONResponse:
    status = MESSAGES[number][0]
    return JSONResponse(error_body(request.url.path, number, detail), status_code=status)


class Skattegrunnlagspost(WireModel):
    teknisk_navn: str
    beloep: int
    kategori: str


class SummertSkattegrunnlag(WireModel):
    personidentifikator: str
    inntektsaar: int
    grunnlag: list[Skattegrunnlagspost]
    skjermet: bool
    skatteoppgjoersdato: date | None
    stadie: str
    ajourholdstidspunkt: datetime | None


class SisteTilgjengeligePeriode(WireModel):
    personidentifikator: str
    ressurs_id: str
    siste_tilgjengelige_periode: str


class Loennsinntekt(WireModel):
    beskrivelse: str


class Inntekt(WireModel):
    fordel: str
    beloep: float  # a JSON number, as the real API sends
    utloeser_arbeidsgiveravgift: bool
    inngaar_i_grunnlag_for_trekk: bool
    loennsinntekt: Loennsinntekt


class Inntektsmottaker(WireModel):
    personidentifikator: str


class OppgaveInntektsmottaker(WireModel):
    opplysningspliktig_id: str
    virksomhet_id: str
    kalendermaaned: str
    inntektsmottaker: Inntektsmottaker
    inntekt: list[Inntekt]


class InntektResponse(WireModel):
    oppgave_inntektsmottaker: list[OppgaveInntektsmottaker]


class ErrorBodyModel(WireModel):
    kode: str
    melding: str
    korrelasjonsid: str


def grunnlag_for(person: Person, year: int) -> list[Skattegrunnlagspost]:
    """The assessment of one year; amounts follow from the person's finances."""
    salary = person.salary_in(year)
    deposits = person.deposits_in(year)
    interest_income = round(deposits * 0.02)
    bank_debt, other_debt = person.debt_in(year)
    total_debt = bank_debt + other_debt
    debt_interest = round(total_debt * 0.045)
    gross_wealth = deposits + person.home_value
    items = [
        ("samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt", salary, "inntekt"),
        ("renteinntektAvBankinnskudd", interest_income, "inntekt"),
        ("alminneligInntektFoerSaerfradrag", max(0, salary + interest_income - debt_interest),
         "inntekt"),
        ("renteutgiftPaaGjeld", debt_interest, "inntektsfradrag"),
        ("bruttoformue", gross_wealth, "formue"),
        ("innskudd", deposits, "formue"),
        ("formuesverdiForPrimaerbolig", person.home_value, "formue"),
        ("nettoformue", max(0, gross_wealth - total_debt), "formue"),
        ("samletGjeld", total_debt, "formuesfradrag"),
        ("gjeldIInnenlandskeBanker", bank_debt, "formuesfradrag"),
    ]  # fmt: skip
    # Like the real API, items that are zero are left out.
    return [
        Skattegrunnlagspost(teknisk_navn=name, beloep=float(amount), kategori=kategori)
        for name, amount, kategori in items
        if amount
    ]


def _month(value: str) -> tuple[int, int]:
    year, _, month = value.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise SkeError("006", "måned må ha formatet YYYY-MM")
    parsed = (int(year), int(month))
    if not 1 <= parsed[1] <= 12:
        raise SkeError("006", "ugyldig måned")
    return parsed


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SkeError)
    async def on_ske_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SkeError)
        return _error_response(request, exc.number, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        return _error_response(request, "006")

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        return _error_response(request, "003")


def _oppgaver(
    person: Person, personidentifikator: str, first: tuple[int, int], last: tuple[int, int]
) -> list[OppgaveInntektsmottaker]:
    """One report per employer and month in the range that A-ordningen has."""
    return [
        OppgaveInntektsmottaker(
            opplysningspliktig_id=employment.employer,
            virksomhet_id=employment.employer,
            kalendermaaned=f"{year:04d}-{month:02d}",
            inntektsmottaker=Inntektsmottaker(personidentifikator=personidentifikator),
            inntekt=[
                Inntekt(
                    fordel="kontantytelse",
                    beloep=float(amount),
                    utloeser_arbeidsgiveravgift=True,
                    inngaar_i_grunnlag_for_trekk=True,
                    loennsinntekt=Loennsinntekt(beskrivelse="fastloenn"),
                )
            ],
        )
        for year, month in _months(max(first, FIRST_MONTH), min(last, LAST_MONTH))
        for employment, amount in person.monthly_salaries(year, month)
    ]


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
        title="Skatteetaten (mock)",
        version="1.0.0",
        description="Summert skattegrunnlag and A-ordningen income of a synthetic population.",
        responses={
            "default": {"model": ErrorBodyModel, "description": "{kode, melding, korrelasjonsid}"}
        },
    )

    _install_error_handlers(app)

    async def authorise(request: Request, scope: str) -> None:
        accept = request.headers.get("accept", "*/*")
        if not any(t in accept for t in ("application/json", "*/*", "application/*")):
            raise SkeError("009")
        try:
            await verifier.verify(request.headers.get("authorization"), scope)
        except TokenRejected as rejected:
            raise SkeError("004" if rejected.status == 401 else "005", rejected.reason) from None

    def known_person(personidentifikator: str) -> Person:
        try:
            parse_national_identity_number(personidentifikator)
        except ValueError as error:
            raise SkeError("006", str(error)) from None
        person = people.person(personidentifikator)
        if person is None or person.has(Trait.UNKNOWN_TO_TAX_ADMINISTRATION):
            raise SkeError("007")
        return person

    @app.get(
        "/api/formueinntekt/summertskattegrunnlag/{stadie}/{rettighetspakke}"
        "/{inntektsaar}/{personidentifikator}",
        response_model=SummertSkattegrunnlag,
        summary="Summert skattegrunnlag for one income year",
    )
    async def summert_skattegrunnlag(
        request: Request, stadie: str, rettighetspakke: str, inntektsaar: int,
        personidentifikator: str,
    ) -> SummertSkattegrunnlag:  # fmt: skip
        await authorise(request, SCOPE_SUMMERT_SKATTEGRUNNLAG)
        if rettighetspakke != "sbl":
            raise SkeError("003")
        if stadie != "oppgjoer":
            raise SkeError("006", "stadie må være oppgjoer")
        person = known_person(personidentifikator)
        if inntektsaar < INCOME_YEARS[0]:
            raise SkeError("011")
        if inntektsaar not in person.assessed_years:
            raise SkeError("008")
        skjermet = person.has(Trait.SHIELDED)
        return SummertSkattegrunnlag(
            personidentifikator=personidentifikator,
            inntektsaar=inntektsaar,
            grunnlag=[] if skjermet else grunnlag_for(person, inntektsaar),
            skjermet=skjermet,
            skatteoppgjoersdato=assessment_date(person, inntektsaar),
            stadie=stadie,
            ajourholdstidspunkt=assessment_timestamp(person, inntektsaar),
        )

    @app.get(
        "/api/formueinntekt/summertskattegrunnlag/{rettighetspakke}"
        "/sistetilgjengeligeperiode/{personidentifikator}",
        response_model=SisteTilgjengeligePeriode,
        summary="The latest income year with an assessment (the one a consent may cover)",
    )
    async def siste_tilgjengelige_periode(
        request: Request, rettighetspakke: str, personidentifikator: str
    ) -> SisteTilgjengeligePeriode:
        await authorise(request, SCOPE_SUMMERT_SKATTEGRUNNLAG)
        if rettighetspakke != "sbl":
            raise SkeError("003")
        person = known_person(personidentifikator)
        return SisteTilgjengeligePeriode(
            personidentifikator=personidentifikator,
            ressurs_id=RESSURS_SUMMERT_SKATTEGRUNNLAG,
            siste_tilgjengelige_periode=str(person.assessed_years[-1]),
        )

    @app.get(
        INNTEKT_PREFIX
        + "/inntektsmottaker/{rettighetspakke}/{personidentifikator}/oppgave/inntekt",
        response_model=InntektResponse,
        summary="Monthly income reported through A-ordningen",
    )
    async def inntekt(
        request: Request,
        rettighetspakke: str,
        personidentifikator: str,
        fra_og_med: Annotated[str, Query(alias="fraOgMed")],
        til_og_med: Annotated[str, Query(alias="tilOgMed")],
    ) -> InntektResponse:
        await authorise(request, SCOPE_INNTEKT)
        if rettighetspakke != "sbl":
            raise SkeError("003")
        first, last = _month(fra_og_med), _month(til_og_med)
        if first > last:
            raise SkeError("006", "fraOgMed er etter tilOgMed")
        person = known_person(personidentifikator)
        oppgaver = _oppgaver(person, personidentifikator, first, last)
        if not oppgaver:
            raise SkeError("008")
        return InntektResponse(oppgave_inntektsmottaker=oppgaver)

    add_health_and_faults(app, settings, error_body)
    return app
