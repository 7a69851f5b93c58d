"""Loans to farms and fish farms: the bank asks for the enterprise's consent.

The applicant names the enterprise and themselves; the gateway checks, when
they answer, that Enhetsregisteret lists them in a role with authority for it.
The bank then reads the enterprise's figures: production subsidies (areas,
animals, subsidy paid) for an agricultural loan, licences, capacity, liens and
monthly biomass for an aquaculture loan, and charges on the enterprise in
Løsøreregisteret for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from examples.demo_bank.figures import month_label
from examples.demo_bank.products import last_complete_months

SUBSIDIES = "ldir-samtykke-produksjonstilskudd"
LICENCES = "fdir-akvakultur-tillatelser"
BIOMASS = "fdir-samtykke-akvakultur-biomasse"
CHARGES = "brreg-samtykke-losore-rettsstiftelser-virksomhet"
PRODUCTS = (SUBSIDIES, LICENCES, BIOMASS, CHARGES)
ORGANISATION_NUMBER = re.compile(r"^\d{9}$")
KINDS = {"landbruk": "Landbrukslån", "havbruk": "Havbrukslån"}


def last_rounds(today: date, count: int = 4) -> tuple[str, str]:
    """The `count` newest application rounds already counted (1 March, 1 October)."""
    latest = today.year * 2 + sum(1 for month in (3, 10) if today.month >= month) - 1
    first = latest - count + 1
    return _round(first), _round(latest)


def _round(index: int) -> str:
    return f"{index // 2}-{(3, 10)[index % 2]:02d}"


def _right(product: str, metadata: dict[str, str]) -> dict[str, object]:
    return {
        "action": ["consent"],
        "resource": [{"type": "urn:altinn:resource", "value": product}],
        "metadata": metadata,
    }


def consent_rights(kind: str, today: date) -> list[dict[str, object]]:
    if kind == "landbruk":
        first, last = last_rounds(today)
        return [
            _right(SUBSIDIES, {"fraogmedomgang": first, "tilogmedomgang": last}),
            _right(CHARGES, {}),
        ]
    fraogmed, tilogmed = last_complete_months(today)
    return [
        _right(LICENCES, {}),
        _right(BIOMASS, {"fraogmed": fraogmed, "tilogmed": tilogmed}),
        _right(CHARGES, {}),
    ]


@dataclass(frozen=True)
class RoundFigures:
    telledato: str
    decares: int
    animals: int
    granted: int | None
    paid: int | None


@dataclass(frozen=True)
class LicenceFigures:
    number: str
    capacity: str
    mortgagees: list[str]


@dataclass(frozen=True)
class EnterpriseFigures:
    name: str | None
    rounds: list[RoundFigures]
    licences: list[LicenceFigures]
    biomass: list[tuple[str, int]]  # (month, tonnes in the sea at its end, every site)
    charges: int | None
    failed: list[str]


def _data(parts: dict[str, Any], product: str) -> dict[str, Any] | None:
    part = parts.get(product)
    if not part or part.get("status") != "ok":
        return None
    data: dict[str, Any] = part["data"]
    return data


def figures_of(parts: dict[str, Any]) -> EnterpriseFigures:
    subsidies = _data(parts, SUBSIDIES)
    rounds = [
        RoundFigures(
            telledato=soknad["telledato"],
            decares=sum(areal["dekar"] for areal in soknad.get("arealer") or []),
            animals=sum(dyr["antall"] for dyr in soknad.get("dyr") or []),
            granted=(soknad.get("vedtak") or {}).get("innvilgetBelop"),
            paid=(soknad.get("vedtak") or {}).get("utbetaltBelop"),
        )
        for soknad in (subsidies or {}).get("soknader", [])
    ]
    licences = [
        LicenceFigures(
            number=record["license"]["licenseNr"],
            capacity=f"{record['license']['capacity']['current']} "
            f"{record['license']['capacity']['unit']}",
            mortgagees=[str(lien.get("officialName") or lien) for lien in record["liens"]],
        )
        for record in (_data(parts, LICENCES) or {}).get("tillatelser", [])
    ]
    biomass = _data(parts, BIOMASS)
    stock: dict[str, int] = {}
    for site in (biomass or {}).get("lokaliteter", []):
        for month in site["maaneder"]:
            stock[month["maaned"]] = stock.get(month["maaned"], 0) + month["beholdningKg"]
    charges = _data(parts, CHARGES)
    return EnterpriseFigures(
        name=(subsidies or biomass or {}).get("foretaksnavn"),
        rounds=rounds,
        licences=licences,
        biomass=[(month_label(month), kg // 1000) for month, kg in sorted(stock.items())],
        charges=charges.get("antallRettsstiftelser") if charges else None,
        failed=[p for p, part in parts.items() if part.get("status") != "ok"],
    )
