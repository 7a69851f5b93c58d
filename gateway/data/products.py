"""Each catalogue product wired to its connector call, and cut down to the catalogue's fields.

This is the one place that knows which connector serves which product:
adding a product is a catalogue entry, a connector, and one line in FETCHERS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from connectors.brreg import BrregClient
from connectors.skatteetaten import SkatteetatenClient
from consent.catalogue import INNTEKT, LOSORE, SUMMERT_SKATTEGRUNNLAG, DataProduct


class Registries(Protocol):
    """The registry clients the app holds (one per registry, pooled)."""

    @property
    def skatteetaten(self) -> SkatteetatenClient: ...

    @property
    def brreg(self) -> BrregClient: ...


@dataclass(frozen=True)
class Fetched:
    """What a bank receives for one product: the catalogue's fields and their source."""

    data: dict[str, Any]
    source: dict[str, Any]


Fetcher = Callable[[Registries, str, Mapping[str, str]], Fetched]


def _only(fields: tuple[str, ...], record: Mapping[str, Any]) -> dict[str, Any]:
    return {name: record[name] for name in fields if name in record}


def _month_start(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)


def _summert_skattegrunnlag(
    registries: Registries, person: str, metadata: Mapping[str, str]
) -> Fetched:
    answer = registries.skatteetaten.summert_skattegrunnlag(person, int(metadata["inntektsaar"]))
    record = answer.model_dump(mode="json", by_alias=True)
    return Fetched(
        data=_only(SUMMERT_SKATTEGRUNNLAG.fields, record),
        source={
            "registry": SUMMERT_SKATTEGRUNNLAG.registry,
            "skatteoppgjoersdato": record.get("skatteoppgjoersdato"),
            "ajourholdstidspunkt": record.get("ajourholdstidspunkt"),
        },
    )


def _inntekt(registries: Registries, person: str, metadata: Mapping[str, str]) -> Fetched:
    answer = registries.skatteetaten.inntekt(
        person, _month_start(metadata["fraogmed"]), _month_start(metadata["tilogmed"])
    )
    record = answer.model_dump(mode="json", by_alias=True)
    return Fetched(
        data={
            "fraogmed": metadata["fraogmed"],
            "tilogmed": metadata["tilogmed"],
            "oppgaveInntektsmottaker": [
                _only(INNTEKT.fields, oppgave) for oppgave in record["oppgaveInntektsmottaker"]
            ],
        },
        source={"registry": INNTEKT.registry},
    )


def _rettsstiftelser(registries: Registries, person: str, _metadata: Mapping[str, str]) -> Fetched:
    answer = registries.brreg.rettsstiftelser(person)
    record = answer.model_dump(mode="json", by_alias=True)
    return Fetched(
        data=_only(LOSORE.fields, record),
        source={"registry": LOSORE.registry, "oppslagstidspunkt": record.get("oppslagstidspunkt")},
    )


FETCHERS: Mapping[str, Fetcher] = {
    SUMMERT_SKATTEGRUNNLAG.id: _summert_skattegrunnlag,
    INNTEKT.id: _inntekt,
    LOSORE.id: _rettsstiftelser,
}


def fetcher_for(product: DataProduct) -> Fetcher:
    return FETCHERS[product.id]
