"""The Tax Administration (Skatteetaten): summert skattegrunnlag and A-ordningen income.

Paths and field names are the real APIs' (rettighetspakke ``sbl``, bank
loans). The person travels in the path, as the real API wants; that URL
is between the gateway and the registry and is never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Final

import httpx
from pydantic import Field

from connectors.errors import (
    NoDataForPeriod,
    PersonNotFound,
    RegistryError,
)
from connectors.http import ErrorCodes, RegistryClient
from connectors.models import ModelT, RegistryModel, parse_model

REGISTRY: Final = "skatteetaten"
# The audience the registry expects in our tokens: an identifier, not an address.
AUDIENCE: Final = "https://api.skatteetaten.no"
SCOPE_SUMMERT_SKATTEGRUNNLAG: Final = "skatteetaten:summertskattegrunnlag"
SCOPE_INNTEKT: Final = "skatteetaten:inntekt"
RETTIGHETSPAKKE: Final = "sbl"

# The registry's error codes (SSG-* for summert skattegrunnlag, IM-* for inntekt)
# and what they mean for the caller.
_ERROR_CODES = ErrorCodes(
    REGISTRY,
    credentials=frozenset({"SSG-004", "SSG-005", "SSG-010", "IM-004", "IM-005", "IM-010"}),
    rejected=frozenset({"SSG-003", "SSG-006", "SSG-009", "IM-003", "IM-006", "IM-009"}),
    absent={
        **dict.fromkeys(
            ("SSG-007", "IM-007"), (PersonNotFound, "the registry does not know the person")
        ),
        **dict.fromkeys(
            ("SSG-008", "SSG-011", "IM-008"),
            (NoDataForPeriod, "the registry has no data for {what}"),
        ),
    },
)


class Skattegrunnlagspost(RegistryModel):
    teknisk_navn: str
    beloep: int
    kategori: str
    spesifisering: list[dict[str, object]] = Field(default_factory=list)


class SummertSkattegrunnlag(RegistryModel):
    personidentifikator: str = Field(repr=False)
    inntektsaar: int
    grunnlag: list[Skattegrunnlagspost]
    skjermet: bool = False
    skatteoppgjoersdato: date | None = None
    stadie: str
    ajourholdstidspunkt: datetime | None = None

    def beloep(self, teknisk_navn: str) -> int | None:
        """The amount of one item, or None when the assessment does not carry it."""
        for post in self.grunnlag:
            if post.teknisk_navn == teknisk_navn:
                return post.beloep
        return None


class SisteTilgjengeligePeriode(RegistryModel):
    personidentifikator: str = Field(repr=False)
    ressurs_id: str
    siste_tilgjengelige_periode: int


class Loennsinntekt(RegistryModel):
    beskrivelse: str


class Inntekt(RegistryModel):
    fordel: str
    beloep: Decimal
    utloeser_arbeidsgiveravgift: bool
    inngaar_i_grunnlag_for_trekk: bool
    loennsinntekt: Loennsinntekt | None = None


class Inntektsmottaker(RegistryModel):
    personidentifikator: str = Field(repr=False)


class OppgaveInntektsmottaker(RegistryModel):
    opplysningspliktig_id: str
    virksomhet_id: str
    kalendermaaned: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    inntektsmottaker: Inntektsmottaker
    inntekt: list[Inntekt]


class InntektResponse(RegistryModel):
    oppgave_inntektsmottaker: list[OppgaveInntektsmottaker]


def _month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


class SkatteetatenClient(RegistryClient):
    REGISTRY = REGISTRY

    def summert_skattegrunnlag(self, fnr: str, inntektsaar: int) -> SummertSkattegrunnlag:
        """The assessed income, net wealth and debt of one income year."""
        try:
            return self.http.fetch(
                f"/api/formueinntekt/summertskattegrunnlag/oppgjoer/{RETTIGHETSPAKKE}"
                f"/{inntektsaar}/{fnr}",
                _reader(SummertSkattegrunnlag, what=f"income year {inntektsaar}"),
                scope=SCOPE_SUMMERT_SKATTEGRUNNLAG,
            )
        except NoDataForPeriod as error:
            error.latest_available = self._latest_available_or_none(fnr)
            raise

    def siste_tilgjengelige_periode(self, fnr: str) -> SisteTilgjengeligePeriode:
        """The latest income year with an assessment: the only one a consent may ask for."""
        return self.http.fetch(
            f"/api/formueinntekt/summertskattegrunnlag/{RETTIGHETSPAKKE}"
            f"/sistetilgjengeligeperiode/{fnr}",
            _reader(SisteTilgjengeligePeriode, what="any income year"),
            scope=SCOPE_SUMMERT_SKATTEGRUNNLAG,
        )

    def inntekt(self, fnr: str, fra_og_med: date, til_og_med: date) -> InntektResponse:
        """Monthly income reported through A-ordningen for the months fra_og_med..til_og_med."""
        return self.http.fetch(
            f"/api/innrapportert/inntektsmottaker/{RETTIGHETSPAKKE}/{fnr}/oppgave/inntekt",
            _reader(
                InntektResponse, what=f"the months {_month(fra_og_med)} to {_month(til_og_med)}"
            ),
            scope=SCOPE_INNTEKT,
            params={"fraOgMed": _month(fra_og_med), "tilOgMed": _month(til_og_med)},
        )

    def _latest_available_or_none(self, fnr: str) -> int | None:
        try:
            return self.siste_tilgjengelige_periode(fnr).siste_tilgjengelige_periode
        except RegistryError:
            return None


def _reader(model: type[ModelT], *, what: str) -> Callable[[httpx.Response], ModelT]:
    """Read a 200 answer as `model`; any other answer becomes the registry's error."""

    def read(response: httpx.Response) -> ModelT:
        if response.status_code == 200:
            return parse_model(REGISTRY, response, model)
        raise _ERROR_CODES.error_of(response, what=what)

    return read
