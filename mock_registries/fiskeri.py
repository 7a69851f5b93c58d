"""Fiskeridirektoratet: the aquaculture register (open) and monthly biomass reports (consented).

The register mirrors the open API ``pub-aqua`` (``/pub-aqua/api/v1``, open data
under NLOD, no token): licences by legal entity, a licence with its capacity,
placement, grant information and site connections, its transfers and liens,
entities and sites, paged by a ``range: 0-99`` header (a span over 100 is
refused with 400). Its errors are Spring-style ``{timestamp, status, error,
message, path}``.

What a farmer reports each month per site (stock, fish put out, harvested,
mortality) is not open; that API is modelled here, with Norwegian field names
under ``/akvakultur/api/v1``, scope ``fiskeridirektoratet:biomasse``, and
errors ``{kode, melding, korrelasjonsid}`` with codes BIO-001…008.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, TypeVar

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mock_registries.auth import GatewayTokenVerifier, TokenRejected
from mock_registries.common import WireModel, add_health_and_faults
from mock_registries.population import Population, build_population
from mock_registries.production import (
    BIOMASS_MONTHS,
    LICENCES,
    SITES,
    Licence,
    Site,
    biomass_months,
)
from mock_registries.settings import MockSettings

AUDIENCE: Final = "https://api.fiskeridir.no"
SCOPE_BIOMASSE: Final = "fiskeridirektoratet:biomasse"
PUB_AQUA: Final = "/pub-aqua/api/v1"
BIOMASSE_PREFIX: Final = "/akvakultur/api/v1"
MAX_RANGE: Final = 100
REASONS: Final = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                  504: "Gateway Timeout"}  # fmt: skip
MESSAGES: Final = {
    "001": (500, "Uventet feil på tjenesten"),
    "002": (500, "Uventet feil i et bakenforliggende system"),
    "003": (404, "Ukjent url benyttet"),
    "004": (401, "Feil i forbindelse med autentisering"),
    "005": (403, "Feil i forbindelse med autorisering"),
    "006": (400, "Feil i forbindelse med validering av inputdata"),
    "007": (404, "Foretaket driver ingen akvakulturlokalitet"),
    "008": (404, "Ingen rapporter for oppgitt periode"),
}
T = TypeVar("T")


class AquaError(Exception):
    """An answer of the open register: Spring-style body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BioError(Exception):
    """An answer of the biomass API: `number` is the code without its prefix."""

    def __init__(self, number: str, detail: str | None = None) -> None:
        super().__init__(number)
        self.number = number
        self.detail = detail


def error_body(path: str, status_or_number: int | str, detail: str | None = None) -> dict[str, Any]:
    if path.startswith(BIOMASSE_PREFIX):
        if isinstance(status_or_number, int):  # a fault: the code that goes with the status
            number = {401: "004", 403: "005", 404: "003"}.get(
                status_or_number, "002" if status_or_number >= 500 else "006"
            )
        else:
            number = status_or_number
        return {
            "kode": f"BIO-{number}",
            "melding": MESSAGES[number][1] + (f": {detail}" if detail else ""),
            "korrelasjonsid": str(uuid.uuid4()),
        }
    status = status_or_number if isinstance(status_or_number, int) else 500
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "status": status,
        "error": REASONS.get(status, "Error"),
        "message": detail or REASONS.get(status, "Error"),
        "path": path,
    }


class AquaErrorBody(WireModel):
    timestamp: str
    status: int
    error: str
    message: str
    path: str


class LicenseType(WireModel):
    tag: str
    intention_value: str
    production_stage_value: str


class Capacity(WireModel):
    current: float
    unit: str
    type: str


class LicensePlacement(WireModel):
    prod_area_code: int
    prod_area_name: str
    municipality_code: str


class GrantInformation(WireModel):
    open_legal_entity_nr: str
    legal_entity_name: str
    granted_time: datetime


class Connection(WireModel):
    site_nr: int
    active: bool
    valid_until: date | None


class License(WireModel):
    license_nr: str
    open_legal_entity_nr: str
    legal_entity_name: str
    type: LicenseType
    capacity: Capacity
    placement: LicensePlacement
    grant_information: GrantInformation
    connections: list[Connection]


class LicenseOverview(WireModel):
    license_nr: str
    open_legal_entity_nr: str
    legal_entity_name: str
    type: LicenseType
    capacity: Capacity


class Transfer(WireModel):
    identity_nr: str
    journal_date: date
    journal_nr: str
    official_name: str


class Lien(WireModel):
    identity_nr: str
    official_name: str
    journal_date: date
    journal_nr: str


class Entity(WireModel):
    open_legal_entity_nr: str = Field(description="Empty for a natural person.")
    name: str
    type_value: str


class SitePlacement(WireModel):
    municipality_code: str
    municipality_name: str
    prod_area_code: int
    prod_area_name: str


class SiteConnection(WireModel):
    license_nr: str
    active: bool
    valid_until: date | None


class AquaSite(WireModel):
    site_nr: int
    name: str
    placement: SitePlacement
    capacity: Capacity
    latitude: float
    longitude: float
    water_environment: str
    connections: list[SiteConnection]


class Maanedsrapport(WireModel):
    maaned: str = Field(description="YYYY-MM")
    beholdning_antall: int = Field(description="Fish in the site at the end of the month.")
    beholdning_kg: int
    utsatt_antall: int
    slaktet_antall: int
    slaktet_kg: int
    dodfisk_antall: int


class LokalitetRapporter(WireModel):
    lokalitetsnummer: int
    lokalitetsnavn: str
    maaneder: list[Maanedsrapport]


class Biomasse(WireModel):
    organisasjonsnummer: str
    foretaksnavn: str
    fra_og_med: str
    til_og_med: str
    lokaliteter: list[LokalitetRapporter]
    korrelasjonsid: str


class BioErrorBody(WireModel):
    kode: str
    melding: str
    korrelasjonsid: str


LICENSE_TYPE = LicenseType(
    tag="LAKS_ORRET_REGNBUEORRET",
    intention_value="Kommersiell",
    production_stage_value="Matfisk",
)


def license_of(licence: Licence, names: dict[str, str]) -> License:
    first_site = SITES[licence.site_nrs[0]]
    holder, holder_name = licence.original_holder
    return License(
        license_nr=licence.license_nr,
        open_legal_entity_nr=licence.holder,
        legal_entity_name=names.get(licence.holder, ""),
        type=LICENSE_TYPE,
        capacity=Capacity(current=licence.capacity_tonnes, unit="TN", type="MTB"),
        placement=LicensePlacement(
            prod_area_code=first_site.prod_area_code,
            prod_area_name=first_site.prod_area_name,
            municipality_code=first_site.municipality_code,
        ),
        grant_information=GrantInformation(
            open_legal_entity_nr=holder,
            legal_entity_name=holder_name,
            granted_time=datetime(licence.granted.year, licence.granted.month, licence.granted.day),
        ),
        connections=[
            Connection(site_nr=n, active=True, valid_until=None) for n in licence.site_nrs
        ],
    )


def site_of(site: Site) -> AquaSite:
    return AquaSite(
        site_nr=site.site_nr,
        name=site.name,
        placement=SitePlacement(
            municipality_code=site.municipality_code,
            municipality_name=site.municipality_name,
            prod_area_code=site.prod_area_code,
            prod_area_name=site.prod_area_name,
        ),
        capacity=Capacity(current=site.capacity_tonnes, unit="TN", type="MTB"),
        latitude=site.latitude,
        longitude=site.longitude,
        water_environment="SALTWATER",
        connections=[
            SiteConnection(license_nr=licence.license_nr, active=True, valid_until=None)
            for licence in LICENCES.values()
            if site.site_nr in licence.site_nrs
        ],
    )


def transfers_of(licence: Licence, names: dict[str, str]) -> list[Transfer]:
    if licence.transferred is None:
        return []
    return [
        Transfer(
            identity_nr=licence.holder,
            journal_date=licence.transferred,
            journal_nr=f"{licence.transferred.year}/{licence.license_nr[-4:]}1",
            official_name=names.get(licence.holder, ""),
        )
    ]


def liens_of(licence: Licence, names: dict[str, str]) -> list[Lien]:
    registered = licence.transferred or licence.granted
    return [
        Lien(
            identity_nr=bank,
            official_name=names.get(bank, ""),
            journal_date=registered.replace(year=registered.year + 1 + index),
            journal_nr=f"{registered.year + 1 + index}/{licence.license_nr[-4:]}{index + 2}",
        )
        for index, bank in enumerate(licence.mortgagees)
    ]


def sites_of_entity(entity_nr: str) -> list[Site]:
    numbers = sorted({n for lic in LICENCES.values() if lic.holder == entity_nr
                      for n in lic.site_nrs})  # fmt: skip
    return [SITES[n] for n in numbers]


_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


def paged(items: Sequence[T], range_header: str | None) -> list[T]:
    """The items in the requested ``range: FIRST-LAST`` (inclusive; default 0-99)."""
    if range_header is None:
        return list(items[:MAX_RANGE])
    match = _RANGE.match(range_header)
    if match is None:
        raise AquaError(400, "range must be FIRST-LAST, e.g. 0-99")
    first, last = int(match.group(1)), int(match.group(2))
    if last < first:
        raise AquaError(400, "range ends before it starts")
    if last - first + 1 > MAX_RANGE:
        raise AquaError(400, f"range spans more than {MAX_RANGE} items")
    return list(items[first : last + 1])


def _month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", value)
    if match is None:
        raise BioError("006", "måned skrives YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def _install_error_handlers(app: FastAPI) -> None:
    def respond(request: Request, status_or_number: int | str, detail: str | None) -> JSONResponse:
        path = request.url.path
        body = error_body(path, status_or_number, detail)
        if path.startswith(BIOMASSE_PREFIX):
            return JSONResponse(body, status_code=MESSAGES[body["kode"][-3:]][0])
        return JSONResponse(body, status_code=body["status"])

    @app.exception_handler(AquaError)
    async def on_aqua_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AquaError)
        return respond(request, exc.status, exc.message)

    @app.exception_handler(BioError)
    async def on_bio_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BioError)
        return respond(request, exc.number, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        return respond(request, 400, None)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return respond(request, exc.status_code, None)


RangeHeader = Annotated[
    str | None, Header(alias="range", description="Items FIRST-LAST, at most 100, e.g. 0-99.")
]


def create_app(
    settings: MockSettings | None = None,
    *,
    population: Population | None = None,
    gateway_jwks: dict[str, Any] | None = None,
) -> FastAPI:
    settings = settings or MockSettings()
    people = population or build_population(settings.seed, settings.population_size)
    names = {orgnr: o.navn for orgnr, o in people.organisations.items()}
    for licence in LICENCES.values():
        names.setdefault(*licence.original_holder)
    verifier = GatewayTokenVerifier(
        audience=AUDIENCE,
        jwks=gateway_jwks,
        jwks_url=None if gateway_jwks else settings.gateway_jwks_url,
    )
    app = FastAPI(
        title="Fiskeridirektoratet (mock)",
        version="1.0.0",
        description="The open aquaculture register pub-aqua (real paths and field names, "
        "`range` paging), and monthly biomass reports per site under consent. The biomass "
        "API is modelled: no public specification exists for it; its fields are Norwegian "
        "and its errors `{kode, melding, korrelasjonsid}` with codes BIO-001…BIO-008.",
        responses={"default": {"model": AquaErrorBody, "description": "Error"}},
    )
    _install_error_handlers(app)

    def licences_of(entity_nr: str | None) -> list[Licence]:
        return [lic for lic in LICENCES.values() if entity_nr in (None, lic.holder)]

    def known_licence(license_nr: str) -> Licence:
        licence = LICENCES.get(license_nr)
        if licence is None:
            raise AquaError(404, "No license found")
        return licence

    @app.get(PUB_AQUA + "/licenses", response_model=list[License], summary="Licences")
    async def licenses(
        range_: RangeHeader = None,
        legal_entity_nr: Annotated[str | None, Query(alias="legal-entity-nr")] = None,
    ) -> list[License]:
        return paged([license_of(lic, names) for lic in licences_of(legal_entity_nr)], range_)

    @app.get(
        PUB_AQUA + "/licenses-overview",
        response_model=list[LicenseOverview],
        summary="Licences of a legal entity, in brief",
    )
    async def licenses_overview(
        range_: RangeHeader = None,
        legal_entity_nr: Annotated[str | None, Query(alias="legal-entity-nr")] = None,
    ) -> list[LicenseOverview]:
        overview = [
            LicenseOverview.model_validate(license_of(lic, names).model_dump())
            for lic in licences_of(legal_entity_nr)
        ]
        return paged(overview, range_)

    @app.get(PUB_AQUA + "/licenses/{license_nr}", response_model=License, summary="One licence")
    async def license_(license_nr: str) -> License:
        return license_of(known_licence(license_nr), names)

    @app.get(
        PUB_AQUA + "/licenses/{license_nr}/transfers",
        response_model=list[Transfer],
        summary="The licence's transfers",
    )
    async def transfers(license_nr: str, range_: RangeHeader = None) -> list[Transfer]:
        return paged(transfers_of(known_licence(license_nr), names), range_)

    @app.get(
        PUB_AQUA + "/licenses/{license_nr}/liens",
        response_model=list[Lien],
        summary="The licence's registered mortgagees",
    )
    async def liens(license_nr: str, range_: RangeHeader = None) -> list[Lien]:
        return paged(liens_of(known_licence(license_nr), names), range_)

    @app.get(PUB_AQUA + "/entities", response_model=list[Entity], summary="Legal entities")
    async def entities(
        range_: RangeHeader = None,
        entity_nr: Annotated[str | None, Query(alias="entity-nr")] = None,
    ) -> list[Entity]:
        numbers = sorted({lic.holder for lic in LICENCES.values()}
                         | {lic.original_holder[0] for lic in LICENCES.values()})  # fmt: skip
        found = [
            Entity(open_legal_entity_nr=n, name=names[n], type_value="LimitedLiabilityCompany")
            for n in numbers
            if entity_nr in (None, n)
        ]
        return paged(found, range_)

    @app.get(
        PUB_AQUA + "/entities/sites-by-entity-nr/{entity_nr}",
        response_model=list[AquaSite],
        summary="The sites a legal entity's licences are connected to",
    )
    async def sites_by_entity(entity_nr: str, range_: RangeHeader = None) -> list[AquaSite]:
        return paged([site_of(site) for site in sites_of_entity(entity_nr)], range_)

    @app.get(PUB_AQUA + "/sites/{site_nr}", response_model=AquaSite, summary="One site")
    async def site(site_nr: int) -> AquaSite:
        found = SITES.get(site_nr)
        if found is None:
            raise AquaError(404, "No site found")
        return site_of(found)

    @app.get(
        BIOMASSE_PREFIX + "/foretak/{organisasjonsnummer}/biomasse",
        response_model=Biomasse,
        summary="Monthly biomass reports of the enterprise's sites (modelled, consented)",
        description=f"Needs the gateway's token with scope `{SCOPE_BIOMASSE}`. "
        "`fraOgMed` and `tilOgMed` are months, YYYY-MM, both included.",
        responses={"default": {"model": BioErrorBody, "description": "Error"}},
    )
    async def biomasse(
        request: Request,
        organisasjonsnummer: str,
        fra_og_med: Annotated[str, Query(alias="fraOgMed")],
        til_og_med: Annotated[str, Query(alias="tilOgMed")],
    ) -> Biomasse:
        try:
            await verifier.verify(request.headers.get("authorization"), SCOPE_BIOMASSE)
        except TokenRejected as rejected:
            raise BioError("004" if rejected.status == 401 else "005", rejected.reason) from None
        if len(organisasjonsnummer) != 9 or not organisasjonsnummer.isdigit():
            raise BioError("006", "organisasjonsnummer har ni sifre")
        first, last = _month(fra_og_med), _month(til_og_med)
        if first > last:
            raise BioError("006", "fraOgMed er etter tilOgMed")
        sites = sites_of_entity(organisasjonsnummer)
        if not sites:
            raise BioError("007")
        lokaliteter = []
        for found in sites:
            months = [
                Maanedsrapport(
                    maaned=f"{m.year:04d}-{m.month:02d}",
                    beholdning_antall=m.stock_count,
                    beholdning_kg=m.stock_kg,
                    utsatt_antall=m.put_out_count,
                    slaktet_antall=m.harvested_count,
                    slaktet_kg=m.harvested_kg,
                    dodfisk_antall=m.dead_count,
                )
                for m in biomass_months(found)
                if first <= (m.year, m.month) <= last
            ]
            if months:
                lokaliteter.append(
                    LokalitetRapporter(
                        lokalitetsnummer=found.site_nr, lokalitetsnavn=found.name, maaneder=months
                    )
                )
        if not lokaliteter:
            first_month, last_month = BIOMASS_MONTHS
            raise BioError("008", f"rapporter finnes fra {first_month} til {last_month}")
        return Biomasse(
            organisasjonsnummer=organisasjonsnummer,
            foretaksnavn=names.get(organisasjonsnummer, ""),
            fra_og_med=fra_og_med,
            til_og_med=til_og_med,
            lokaliteter=lokaliteter,
            korrelasjonsid=str(uuid.uuid4()),
        )

    add_health_and_faults(app, settings, error_body)
    return app
