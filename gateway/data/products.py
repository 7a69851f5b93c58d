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
from connectors.fiskeri import FiskeriClient
from connectors.landbruk import LandbrukClient
from connectors.skatteetaten import SkatteetatenClient
from consent.catalogue import (
    AKVAKULTURTILLATELSER,
    BIOMASSE,
    INNTEKT,
    LOSORE,
    LOSORE_VIRKSOMHET,
    PRODUKSJONSTILSKUDD,
    SUMMERT_SKATTEGRUNNLAG,
    SUMMERT_SKATTEGRUNNLAG_ENK,
    DataProduct,
    application_rounds,
)


class Registries(Protocol):
    """The registry clients the app holds (one per registry, pooled)."""

    @property
    def skatteetaten(self) -> SkatteetatenClient: ...

    @property
    def brreg(self) -> BrregClient: ...

    @property
    def landbruk(self) -> LandbrukClient: ...

    @property
    def fiskeri(self) -> FiskeriClient: ...


@dataclass(frozen=True)
class Fetched:
    """What a bank receives for one product: the catalogue's fields and their source."""

    data: dict[str, Any]
    source: dict[str, Any]


# The registries, the number the registry is asked with (a person's or an organisation's:
# see consent.policy.registry_subject), and the consented metadata.
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


def _rettsstiftelser_virksomhet(
    registries: Registries, organisation: str, _metadata: Mapping[str, str]
) -> Fetched:
    answer = registries.brreg.rettsstiftelser_orgnr(organisation)
    record = answer.model_dump(mode="json", by_alias=True)
    return Fetched(
        data=_only(LOSORE_VIRKSOMHET.fields, record),
        source={
            "registry": LOSORE_VIRKSOMHET.registry,
            "oppslagstidspunkt": record.get("oppslagstidspunkt"),
        },
    )


def _counting_date(round_name: str) -> date:
    year, month = round_name.split("-")
    return date(int(year), int(month), 1)


def _produksjonstilskudd(
    registries: Registries, organisation: str, metadata: Mapping[str, str]
) -> Fetched:
    """Each consented round the enterprise applied in; a round without an application is
    left out, and the answer says which rounds were asked."""
    asked = [
        _counting_date(name)
        for name in application_rounds(metadata["fraogmedomgang"], metadata["tilogmedomgang"])
    ]
    overview = registries.landbruk.soknader(organisation)
    applied = {omgang.telledato for omgang in overview.soknader}
    soknader = [
        registries.landbruk.soknad(organisation, telledato).model_dump(mode="json", by_alias=True)
        for telledato in asked
        if telledato in applied
    ]
    fields = ("soknadsaar", "telledato", "soknadsfrist", "status", "arealer", "dyr", "vedtak")
    return Fetched(
        data={
            "organisasjonsnummer": overview.organisasjonsnummer,
            "foretaksnavn": overview.foretaksnavn,
            "fraogmedomgang": metadata["fraogmedomgang"],
            "tilogmedomgang": metadata["tilogmedomgang"],
            "soknader": [_only(fields, soknad) for soknad in soknader],
        },
        source={"registry": PRODUKSJONSTILSKUDD.registry},
    )


def _akvakulturtillatelser(
    registries: Registries, organisation: str, _metadata: Mapping[str, str]
) -> Fetched:
    records = registries.fiskeri.licence_records(organisation)
    return Fetched(
        data={"tillatelser": [r.model_dump(mode="json", by_alias=True) for r in records]},
        source={"registry": AKVAKULTURTILLATELSER.registry},
    )


def _biomasse(registries: Registries, organisation: str, metadata: Mapping[str, str]) -> Fetched:
    answer = registries.fiskeri.biomasse(
        organisation, _month_start(metadata["fraogmed"]), _month_start(metadata["tilogmed"])
    )
    record = answer.model_dump(mode="json", by_alias=True)
    return Fetched(data=_only(BIOMASSE.fields, record), source={"registry": BIOMASSE.registry})


FETCHERS: Mapping[str, Fetcher] = {
    SUMMERT_SKATTEGRUNNLAG.id: _summert_skattegrunnlag,
    INNTEKT.id: _inntekt,
    LOSORE.id: _rettsstiftelser,
    LOSORE_VIRKSOMHET.id: _rettsstiftelser_virksomhet,
    PRODUKSJONSTILSKUDD.id: _produksjonstilskudd,
    AKVAKULTURTILLATELSER.id: _akvakulturtillatelser,
    BIOMASSE.id: _biomasse,
    # The ENK owner's own assessment: asked with the owner's number (registry_subject).
    SUMMERT_SKATTEGRUNNLAG_ENK.id: _summert_skattegrunnlag,
}


def fetcher_for(product: DataProduct) -> Fetcher:
    return FETCHERS[product.id]
