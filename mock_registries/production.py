"""What the synthetic enterprises produce: farm subsidy rounds and fish-farm licences.

Fixed data, independent of the seed, for the enterprises of
`mock_registries.population` (mock_registries/README.md names them). Amounts
derive from the counts by fixed rates, so a round's subsidy always agrees with
its areas and animals, and the biomass of a site carries over from one month
to the next (stock + put out - harvested - dead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mock_registries.population import (
    DALBY_KORN,
    FJORDKYST,
    HAUGLAND_FJORFE,
    NESHEIM_SJOMAT,
    NORDLYS,
    STRANDVIK_HAVBRUK,
    VIKOREN_GARD,
)

# Production subsidies: two application rounds a year, counting dates 1 March and 1 October.
SUBSIDY_YEARS = (2023, 2024, 2025, 2026)
COUNTING_DAYS = ((3, 1), (10, 1))
# The newest round is still being processed: applied for, not decided.
UNDECIDED_ROUND = date(2026, 10, 1)

CROPS = {
    "ENG": "Fulldyrket eng",
    "BYGG": "Bygg",
    "HAVRE": "Havre",
    "HVETE": "Hvete",
    "BEITE": "Innmarksbeite",
}
ANIMALS = {
    "MELKEKYR": "Melkekyr",
    "ANDRE_STORFE": "Andre storfe",
    "VERPEHONS": "Verpehøns",
    "SAU": "Sau over 1 år",
}
# NOK per decare and per animal: modelled, not the official rates.
AREA_RATE = {"ENG": 310, "BYGG": 285, "HAVRE": 285, "HVETE": 300, "BEITE": 160}
ANIMAL_RATE = {"MELKEKYR": 2_900, "ANDRE_STORFE": 700, "VERPEHONS": 6, "SAU": 1_050}


@dataclass(frozen=True)
class Farm:
    organisasjonsnummer: str
    areas: dict[str, int]  # crop -> decares, stated in the October round
    animals: dict[str, int]  # category -> head, counted on both counting dates
    last_round: date = UNDECIDED_ROUND  # rounds after this were never applied for


@dataclass(frozen=True)
class SubsidyRound:
    telledato: date
    soknadsfrist: date
    areas: dict[str, int]
    animals: dict[str, int]
    decided: bool

    @property
    def soknadsaar(self) -> int:
        return self.telledato.year

    @property
    def innvilget(self) -> int:
        """The subsidy decided, in NOK: the October round pays the year's rates for its
        areas and animals, the March round (animals only) half of them."""
        areas = sum(AREA_RATE[crop] * decares for crop, decares in self.areas.items())
        animals = sum(ANIMAL_RATE[kind] * head for kind, head in self.animals.items())
        return (areas + animals) // (1 if self.telledato.month == 10 else 2)


_FARMS = (
    Farm(VIKOREN_GARD, {"ENG": 420, "BYGG": 180, "HAVRE": 90, "BEITE": 60},
         {"MELKEKYR": 38, "ANDRE_STORFE": 45}),
    Farm(HAUGLAND_FJORFE, {"BYGG": 150}, {"VERPEHONS": 7_500}),
    Farm(DALBY_KORN, {"HVETE": 600, "BYGG": 300, "HAVRE": 200}, {}, last_round=date(2025, 10, 1)),
)  # fmt: skip
FARMS = {farm.organisasjonsnummer: farm for farm in _FARMS}


def subsidy_rounds(farm: Farm) -> list[SubsidyRound]:
    """Every round the farm applied in, oldest first. Herds grow by a head or two a year."""
    rounds = []
    for year in SUBSIDY_YEARS:
        growth = year - SUBSIDY_YEARS[0]
        for month, day in COUNTING_DAYS:
            counted = date(year, month, day)
            if counted > farm.last_round:
                continue
            animals = {
                kind: head + growth * max(1, head // 40) for kind, head in farm.animals.items()
            }
            rounds.append(
                SubsidyRound(
                    telledato=counted,
                    soknadsfrist=date(year, month, 15),
                    areas=dict(farm.areas) if month == 10 else {},
                    animals=animals,
                    decided=counted != UNDECIDED_ROUND,
                )
            )
    return rounds


# Aquaculture: licences, sites and the monthly biomass reports.
BIOMASS_MONTHS = ((2024, 1), (2026, 10))


@dataclass(frozen=True)
class Site:
    site_nr: int
    name: str
    municipality_code: str
    municipality_name: str
    prod_area_code: int
    prod_area_name: str
    latitude: float
    longitude: float
    capacity_tonnes: int
    # Fish in the sea at the start of BIOMASS_MONTHS, and their mean weight in kg.
    start_count: int
    start_weight_kg: float
    smolt_count: int  # put out each time the site starts a new generation (0: idle)


@dataclass(frozen=True)
class Licence:
    license_nr: str
    holder: str  # organisation number
    granted: date
    original_holder: tuple[str, str]  # (organisation number, name) the licence was granted to
    capacity_tonnes: int
    site_nrs: tuple[int, ...]
    transferred: date | None = None  # when it passed to the holder
    mortgagees: tuple[str, ...] = ()  # organisation numbers of the banks with a lien


_SITES = (
    Site(13245, "STRANDVIKBUKTA", "4624", "Bjørnafjorden", 3, "Karmøy til Sotra",
         60.1024, 5.4712, 3_120, 520_000, 1.8, 600_000),
    Site(13266, "HAVGLOTTEN", "4624", "Bjørnafjorden", 3, "Karmøy til Sotra",
         60.0811, 5.5230, 2_340, 380_000, 3.1, 450_000),
    Site(21507, "NESHEIMSVIKA", "1520", "Ørsta", 5, "Stadt til Hustadvika",
         62.1903, 6.1266, 1_560, 0, 0.0, 0),
)  # fmt: skip
SITES = {site.site_nr: site for site in _SITES}
# A fish farm that sold its licence and left Enhetsregisteret (not in the population).
VESTHAV_OPPDRETT = "911090007"
_LICENCES = (
    Licence("H-BJ-0041", STRANDVIK_HAVBRUK, date(2006, 11, 3),
            (STRANDVIK_HAVBRUK, "STRANDVIK HAVBRUK AS"), 780, (13245, 13266),
            mortgagees=(FJORDKYST,)),
    Licence("H-BJ-0042", STRANDVIK_HAVBRUK, date(2009, 4, 20),
            (VESTHAV_OPPDRETT, "VESTHAV OPPDRETT AS"), 780, (13245, 13266),
            transferred=date(2017, 2, 14), mortgagees=(FJORDKYST, NORDLYS)),
    Licence("M-OR-0007", NESHEIM_SJOMAT, date(2011, 9, 1),
            (NESHEIM_SJOMAT, "NESHEIM SJØMAT AS"), 780, (21507,)),
)  # fmt: skip
LICENCES = {licence.license_nr: licence for licence in _LICENCES}


@dataclass(frozen=True)
class BiomassMonth:
    year: int
    month: int
    stock_count: int  # at the end of the month
    stock_kg: int
    put_out_count: int
    harvested_count: int
    harvested_kg: int
    dead_count: int


def biomass_months(site: Site) -> list[BiomassMonth]:
    """The site's monthly reports over BIOMASS_MONTHS, by fixed arithmetic.

    Each fish gains 0.3 kg a month and 1 % of the stock dies; from 4.5 kg a
    third of the stock is harvested each month (all of it once fewer than
    60 000 are left); an empty site lies fallow until April, when smolt are
    put out.
    """
    months = []
    count, weight = site.start_count, site.start_weight_kg
    (year, month), last = BIOMASS_MONTHS
    while (year, month) <= last:
        put_out = site.smolt_count if count == 0 and month == 4 else 0
        if put_out:
            weight = 0.1
        dead = count // 100
        left = count - dead
        harvested = 0
        if weight >= 4.5:
            harvested = left if left < 60_000 else left // 3
        count = left - harvested + put_out
        months.append(
            BiomassMonth(
                year, month, count, round(count * weight), put_out, harvested,
                round(harvested * weight), dead,
            )
        )  # fmt: skip
        weight = round(weight + 0.3, 2) if count else 0.0
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
