"""A deterministic synthetic population: persons, employers, banks and their finances.

Everything derives from one seed through `random.Random`, whose sequence
Python guarantees across machines and versions for the methods used here
(random, randrange, choice), so the same seed gives the same data
everywhere. Amounts are consistent within a person: the salary in an
assessment is the sum of the A-ordningen months of that year, net wealth
is gross wealth minus debt, and debt shrinks year by year as it is paid.

The named test persons and organisations come first and never change with
the seed; mock_registries/README.md lists them.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from mock_registries.identifiers import organisation_number, synthetic_national_identity_number

# Income years with a final assessment, oldest first; the newest is the one a consent may ask for.
INCOME_YEARS = (2021, 2022, 2023, 2024, 2025)
LATEST_INCOME_YEAR = INCOME_YEARS[-1]
# A-ordningen months on record, inclusive.
FIRST_MONTH = (2024, 1)
LAST_MONTH = (2026, 10)


class Trait(StrEnum):
    """What makes a person interesting to test with."""

    ORDINARY = "ordinary"
    SEVERAL_EMPLOYERS = "several-employers"
    NO_ASSESSMENT_YET = "no-assessment-for-latest-year"
    SHIELDED = "skjermet"
    NO_A_ORDNINGEN = "no-a-ordningen-data"
    DEBT_SETTLEMENT = "debt-settlement"
    LIEN = "lien"
    UNKNOWN_TO_TAX_ADMINISTRATION = "unknown-to-skatteetaten"
    D_NUMBER = "d-number"
    WEALTHY = "wealthy"


@dataclass(frozen=True)
class RoleHolding:
    """A person (or an organisation) in a role of an organisation, as Enhetsregisteret lists it."""

    kode: str  # DAGL, LEDE, MEDL, INNH, REVI, ...
    fnr: str | None  # a person of the population; None when an organisation holds the role
    registered: date
    fratraadt: bool = False  # the holder has left the role: it gives no authority
    orgnr: str | None = None  # the organisation holding the role (an auditor, an accountant)


@dataclass(frozen=True)
class Organisation:
    organisasjonsnummer: str
    navn: str
    organisasjonsform: tuple[str, str]
    naeringskode: tuple[str, str]
    sektorkode: tuple[str, str]
    stiftelsesdato: date
    antall_ansatte: int
    konkurs: bool = False
    under_avvikling: bool = False
    slettedato: date | None = None
    # Who Enhetsregisteret lists in a role (an enterprise's roles; empty for the others).
    roller: tuple[RoleHolding, ...] = ()
    # Charges on the organisation's assets in Løsøreregisteret.
    liens: tuple[Lien, ...] = ()

    @property
    def is_bank(self) -> bool:
        return self.naeringskode[0].startswith("64.1")


@dataclass(frozen=True)
class Employment:
    employer: str  # organisation number
    # Yearly salary in the first income year; later years grow by `growth`.
    base_salary: int
    growth: float
    started: tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class Lien:
    dokumentnummer: str
    type: str  # e.g. UTLEGGSPANT, GJELDSORDNING
    creditor: str  # organisation number
    amount: int
    registered: date
    debt_settlement: bool = False


@dataclass(frozen=True)
class Person:
    fnr: str
    fornavn: str
    etternavn: str
    birth_date: date
    traits: frozenset[Trait]
    employments: tuple[Employment, ...]
    deposits: int  # innskudd in the first year
    home_value: int  # formuesverdi of the primary home
    bank_debt: int  # gjeld i innenlandske banker in the first year
    other_debt: int
    bank: str  # organisation number of the main bank
    liens: tuple[Lien, ...] = ()
    description: str = ""

    @property
    def name(self) -> str:
        return f"{self.fornavn} {self.etternavn}"

    def has(self, trait: Trait) -> bool:
        return trait in self.traits

    @property
    def assessed_years(self) -> tuple[int, ...]:
        if self.has(Trait.UNKNOWN_TO_TAX_ADMINISTRATION):
            return ()
        if self.has(Trait.NO_ASSESSMENT_YET):
            return INCOME_YEARS[:-1]
        return INCOME_YEARS

    def monthly_salaries(self, year: int, month: int) -> list[tuple[Employment, Decimal]]:
        """What each employer reported to A-ordningen for one month."""
        if self.has(Trait.NO_A_ORDNINGEN) or self.has(Trait.UNKNOWN_TO_TAX_ADMINISTRATION):
            return []
        return self.salaries_paid(year, month)

    def salaries_paid(self, year: int, month: int) -> list[tuple[Employment, Decimal]]:
        return [
            (employment, Decimal(self.yearly_salary(employment, year) // 12))
            for employment in self.employments
            if (year, month) >= employment.started
        ]

    def yearly_salary(self, employment: Employment, year: int) -> int:
        """A whole multiple of 12, so that every month is paid the same whole amount."""
        years = year - INCOME_YEARS[0]
        return round(employment.base_salary * (1 + employment.growth) ** years / 12) * 12

    def salary_in(self, year: int) -> int:
        """The salary an assessment shows: the sum of that year's months."""
        return int(
            sum(amount for month in range(1, 13) for _, amount in self.salaries_paid(year, month))
        )

    def debt_in(self, year: int) -> tuple[int, int]:
        """(bank debt, other debt) at the end of `year`: paid down 4 % a year."""
        factor = 0.96 ** (year - INCOME_YEARS[0])
        return round(self.bank_debt * factor), round(self.other_debt * factor)

    def deposits_in(self, year: int) -> int:
        return round(self.deposits * 1.05 ** (year - INCOME_YEARS[0]))


@dataclass(frozen=True)
class Population:
    seed: int
    persons: dict[str, Person]
    organisations: dict[str, Organisation]
    named: tuple[Person, ...] = field(default=())

    def person(self, fnr: str) -> Person | None:
        return self.persons.get(fnr)

    def organisation(self, orgnr: str) -> Organisation | None:
        return self.organisations.get(orgnr)

    def roles_of(self, fnr: str) -> list[tuple[Organisation, RoleHolding]]:
        """Every role the person holds or held, in the order the organisations were made."""
        return [
            (organisation, holding)
            for organisation in self.organisations.values()
            for holding in organisation.roller
            if holding.fnr == fnr
        ]


def _org(base: int) -> str:
    """The first valid organisation number at or after an 8-digit base."""
    while True:
        try:
            return organisation_number(f"{base:08d}")
        except ValueError:
            base += 1


BANK_FORM = ("ASA", "Allmennaksjeselskap")
SAVINGS_BANK_FORM = ("SPA", "Sparebank")
COMPANY_FORM = ("AS", "Aksjeselskap")
BANK_NACE = ("64.190", "Bankvirksomhet ellers")
BANK_SECTOR = ("3200", "Banker")
COMPANY_SECTOR = ("2100", "Private aksjeselskaper mv.")

NAMED_ORGANISATIONS = (
    Organisation(_org(91000000), "FJORDKYST SPAREBANK", SAVINGS_BANK_FORM, BANK_NACE,
                 BANK_SECTOR, date(1852, 5, 1), 412),
    Organisation(_org(91000100), "NORDLYS BANK ASA", BANK_FORM, BANK_NACE, BANK_SECTOR,
                 date(1987, 9, 14), 1250),
    Organisation(_org(91000200), "VIDDA SPAREBANK", SAVINGS_BANK_FORM, BANK_NACE, BANK_SECTOR,
                 date(1901, 3, 2), 96),
    Organisation(_org(91000300), "HAVBRIS BANK ASA", BANK_FORM, BANK_NACE, BANK_SECTOR,
                 date(2009, 1, 20), 0, konkurs=True),
    Organisation(_org(91000400), "SKOGLY KREDITTBANK AS", COMPANY_FORM, BANK_NACE, BANK_SECTOR,
                 date(2012, 6, 5), 8, under_avvikling=True),
    Organisation(_org(91000500), "TINDEVIK FINANS AS", COMPANY_FORM, BANK_NACE, BANK_SECTOR,
                 date(2004, 2, 11), 0, slettedato=date(2021, 3, 1)),
    Organisation(_org(91000600), "BØLGEN BAKERI AS", COMPANY_FORM,
                 ("10.710", "Produksjon av brød og ferske konditorvarer"), COMPANY_SECTOR,
                 date(1998, 8, 1), 23),
)  # fmt: skip
FJORDKYST, NORDLYS, VIDDA, HAVBRIS, SKOGLY, TINDEVIK, BOLGEN = (
    o.organisasjonsnummer for o in NAMED_ORGANISATIONS
)
ACTIVE_BANKS = (FJORDKYST, NORDLYS, VIDDA)

# The supervisory agencies, under their real organisation numbers, so an agency audit
# client registers as it would in production.
STATE_AGENCY_FORM = ("ORGL", "Organisasjonsledd")
STATE_ADMINISTRATION_NACE = ("84.110", "Generell offentlig administrasjon")
STATE_SECTOR = ("6100", "Statsforvaltningen")
SUPERVISORY_AGENCIES = (
    Organisation("974761076", "SKATTEETATEN", STATE_AGENCY_FORM, STATE_ADMINISTRATION_NACE,
                 STATE_SECTOR, date(1995, 2, 20), 6500),
    Organisation("974761467", "DATATILSYNET", STATE_AGENCY_FORM, STATE_ADMINISTRATION_NACE,
                 STATE_SECTOR, date(1995, 2, 20), 60),
)  # fmt: skip
SKATTEETATEN, DATATILSYNET = (o.organisasjonsnummer for o in SUPERVISORY_AGENCIES)
# The enterprises a person may consent for (agriculture and aquaculture), each with the
# roles that make the case: see mock_registries/README.md.
VIKOREN_GARD, STRANDVIK_HAVBRUK, HAUGLAND_FJORFE, NESHEIM_SJOMAT, DALBY_KORN, FJORD_REVISJON = (
    _org(91100000), _org(91100100), _org(91100200), _org(91100300), _org(91100400),
    _org(91100500),
)  # fmt: skip
# A valid organisation number that no register knows: Enhetsregisteret answers 404.
UNREGISTERED_ORGANISATION = _org(91199999)
ENK_FORM = ("ENK", "Enkeltpersonforetak")
ENK_SECTOR = ("8200", "Personlig næringsdrivende")
COMBINED_FARMING_NACE = ("01.500", "Kombinert husdyrhold og planteproduksjon")
FISH_FARMING_NACE = (
    "03.211", "Produksjon av matfisk og skalldyr i hav- og kystbasert fiskeoppdrett",
)  # fmt: skip
POULTRY_NACE = ("01.470", "Fjørfehold")
GRAIN_NACE = ("01.110", "Dyrking av korn (unntatt ris), belgvekster og oljeholdige vekster")


def _enterprises(named: dict[str, Person]) -> tuple[Organisation, ...]:
    """Built after the named persons, whose numbers the roles carry."""

    def role(kode: str, name: str, registered: date, *, fratraadt: bool = False) -> RoleHolding:
        return RoleHolding(kode, named[name].fnr, registered, fratraadt)

    return (
        Organisation(VIKOREN_GARD, "VIKØREN GARD Solveig Vikøren", ENK_FORM,
                     COMBINED_FARMING_NACE, ENK_SECTOR, date(1994, 4, 1), 2,
                     roller=(role("INNH", "Solveig Vikøren", date(1994, 4, 1)),),
                     liens=(Lien("2019011842", "DRIFTSTILBEHOERSPANT", VIDDA, 1_800_000,
                                 date(2019, 5, 6)),)),
        Organisation(STRANDVIK_HAVBRUK, "STRANDVIK HAVBRUK AS", COMPANY_FORM, FISH_FARMING_NACE,
                     COMPANY_SECTOR, date(2006, 9, 12), 31,
                     roller=(role("DAGL", "Ola Strandvik", date(2016, 1, 4)),
                             role("LEDE", "Jon Skoglund", date(2006, 9, 12)),
                             role("MEDL", "Kari Fjellheim", date(2019, 6, 20)),
                             RoleHolding("REVI", None, date(2006, 9, 12), orgnr=FJORD_REVISJON)),
                     liens=(Lien("2021020577", "VARELAGERPANT", FJORDKYST, 12_000_000,
                                 date(2021, 3, 15)),
                            Lien("2022009310", "FACTORINGPANT", NORDLYS, 4_500_000,
                                 date(2022, 1, 10)))),
        Organisation(FJORD_REVISJON, "FJORD REVISJON AS", COMPANY_FORM, ("69.201", "Revisjon"),
                     COMPANY_SECTOR, date(1991, 1, 7), 14,
                     roller=(role("DAGL", "Jon Skoglund", date(1991, 1, 7)),)),
        Organisation(HAUGLAND_FJORFE, "HAUGLAND FJØRFE AS", COMPANY_FORM, POULTRY_NACE,
                     COMPANY_SECTOR, date(2015, 2, 2), 4,
                     roller=(role("DAGL", "Ingrid Haugland", date(2015, 2, 2), fratraadt=True),
                             role("DAGL", "Lars Bergset", date(2024, 8, 1)),
                             role("LEDE", "Lars Bergset", date(2015, 2, 2)))),
        Organisation(NESHEIM_SJOMAT, "NESHEIM SJØMAT AS", COMPANY_FORM, FISH_FARMING_NACE,
                     COMPANY_SECTOR, date(2011, 5, 17), 0, konkurs=True,
                     roller=(role("DAGL", "Astrid Nesheim", date(2011, 5, 17)),
                             role("LEDE", "Astrid Nesheim", date(2011, 5, 17))),
                     liens=(Lien("2025014466", "UTLEGGSPANT", NORDLYS, 640_000,
                                 date(2025, 8, 29)),)),
        Organisation(DALBY_KORN, "DALBY KORN AS", COMPANY_FORM, GRAIN_NACE, COMPANY_SECTOR,
                     date(2008, 3, 3), 1, under_avvikling=True,
                     roller=(role("DAGL", "Per Dalby", date(2008, 3, 3)),
                             role("LEDE", "Per Dalby", date(2008, 3, 3)))),
    )  # fmt: skip


_EMPLOYER_WORDS = (
    "FJELL", "STRAND", "LIA", "HAUG", "BERG", "VIK", "DAL", "NES", "BRU", "ØY", "SKOG", "MO",
)  # fmt: skip
_EMPLOYER_TRADES = (
    (("41.200", "Oppføring av bygninger"), "BYGG AS"),
    (("62.010", "Programmeringstjenester"), "DATA AS"),
    (("86.211", "Allmenn legetjeneste"), "LEGESENTER AS"),
    (("47.111", "Butikkhandel med bredt vareutvalg med hovedvekt på nærings- og nytelsesmidler"),
     "HANDEL AS"),
    (("49.410", "Godstransport på vei"), "TRANSPORT AS"),
    (("56.101", "Drift av restauranter og kafeer"), "KAFÉ AS"),
)  # fmt: skip

FIRST_NAMES = (
    "Kari", "Ola", "Ingrid", "Lars", "Solveig", "Per", "Astrid", "Nils", "Marit", "Jon",
    "Sigrid", "Erik", "Ragnhild", "Knut", "Liv", "Hans", "Berit", "Arne", "Tone", "Geir",
)  # fmt: skip
LAST_NAMES = (
    "Fjellheim", "Strandvik", "Lia", "Haugland", "Bergset", "Vikøren", "Dalby", "Nesheim",
    "Brustad", "Øyen", "Skoglund", "Moen", "Rustad", "Solberg", "Eide", "Tveit",
)  # fmt: skip


def _named_persons(employers: list[str]) -> list[Person]:
    def fnr(birth: date, d_number: bool = False) -> str:
        return synthetic_national_identity_number(birth, 0, d_number=d_number)

    def job(employer: str, salary: int, started: tuple[int, int] = (2015, 1)) -> Employment:
        return Employment(employer, salary, 0.035, started)

    def person(  # noqa: PLR0917  (a table of named persons reads best positionally)
        birth: date,
        fornavn: str,
        etternavn: str,
        traits: set[Trait],
        description: str,
        employments: tuple[Employment, ...],
        *,
        d_number: bool = False,
        deposits: int = 150_000,
        home_value: int = 1_200_000,
        bank_debt: int = 2_400_000,
        other_debt: int = 0,
        liens: tuple[Lien, ...] = (),
    ) -> Person:
        return Person(
            fnr(birth, d_number), fornavn, etternavn, birth, frozenset(traits), employments,
            deposits, home_value, bank_debt, other_debt, FJORDKYST, liens, description,
        )  # fmt: skip

    return [
        person(date(1985, 3, 14), "Kari", "Fjellheim", {Trait.ORDINARY},
               "One employer, a mortgage, every year and month on record.",
               (job(BOLGEN, 560_000),)),
        person(date(1979, 11, 2), "Ola", "Strandvik", {Trait.SEVERAL_EMPLOYERS},
               "Two employers at once: A-ordningen has two reports a month.",
               (job(BOLGEN, 380_000), job(employers[0], 240_000, (2019, 8)))),
        person(date(1992, 6, 30), "Ingrid", "Haugland", {Trait.NO_ASSESSMENT_YET},
               f"No assessment for {LATEST_INCOME_YEAR} yet: the latest available year is "
               f"{LATEST_INCOME_YEAR - 1}.", (job(employers[1], 610_000),)),
        person(date(1970, 1, 5), "Lars", "Bergset", {Trait.SHIELDED},
               "Skjermet: the Tax Administration answers skjermet=true and no amounts.",
               (job(employers[2], 700_000),)),
        person(date(1966, 9, 21), "Solveig", "Vikøren", {Trait.NO_A_ORDNINGEN},
               "Self-employed: assessments, but no A-ordningen income.",
               (job(employers[3], 520_000),), bank_debt=900_000),
        person(date(1988, 12, 12), "Per", "Dalby", {Trait.DEBT_SETTLEMENT},
               "Under a debt settlement (gjeldsordning) in Løsøreregisteret.",
               (job(employers[4], 430_000),), deposits=8_000, home_value=0, bank_debt=0,
               other_debt=640_000,
               liens=(Lien("2023004711", "GJELDSORDNING", NORDLYS, 640_000, date(2023, 2, 1),
                           debt_settlement=True),)),
        person(date(1975, 4, 8), "Astrid", "Nesheim", {Trait.LIEN},
               "A lien (utleggspant) in Løsøreregisteret.",
               (job(employers[5], 480_000),),
               liens=(Lien("2024001234", "UTLEGGSPANT", VIDDA, 85_000, date(2024, 9, 16)),)),
        person(date(1999, 7, 19), "Nils", "Brustad", {Trait.UNKNOWN_TO_TAX_ADMINISTRATION},
               "Unknown to the Tax Administration (SSG-007 / IM-007); nothing in Løsøreregisteret.",
               (), deposits=0, home_value=0, bank_debt=0),
        person(date(1990, 2, 27), "Marit", "Øyen", {Trait.D_NUMBER, Trait.SEVERAL_EMPLOYERS},
               "A synthetic D-number, with two employers.",
               (job(employers[6], 300_000), job(employers[7], 150_000, (2024, 3))),
               d_number=True, bank_debt=0, home_value=0),
        person(date(1958, 10, 3), "Jon", "Skoglund", {Trait.WEALTHY},
               "Large net wealth, deposits and no debt.",
               (job(employers[8], 1_450_000),), deposits=6_500_000, home_value=9_000_000,
               bank_debt=0),
    ]  # fmt: skip


def _employers(rng: random.Random, count: int) -> list[Organisation]:
    employers = []
    for index in range(count):
        nace, suffix = rng.choice(_EMPLOYER_TRADES)
        word = _EMPLOYER_WORDS[index % len(_EMPLOYER_WORDS)]
        employers.append(
            Organisation(
                _org(92000000 + index * 100),
                f"{word}{'' if index < len(_EMPLOYER_WORDS) else index} {suffix}",
                COMPANY_FORM,
                nace,
                COMPANY_SECTOR,
                date(rng.randrange(1960, 2020), rng.randrange(1, 13), rng.randrange(1, 29)),
                rng.randrange(2, 400),
            )
        )
    return employers


def _generated_person(rng: random.Random, taken: set[str], employers: list[str]) -> Person:
    while True:
        birth = date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
        fnr = synthetic_national_identity_number(birth, rng.randrange(0, 40))
        if fnr not in taken:
            break
    roll = rng.random()
    traits: set[Trait] = {Trait.ORDINARY}
    if roll < 0.03:
        traits = {Trait.NO_ASSESSMENT_YET}
    elif roll < 0.05:
        traits = {Trait.NO_A_ORDNINGEN}
    elif roll < 0.06:
        traits = {Trait.SHIELDED}
    count = 2 if rng.random() < 0.12 else 1
    if count == 2:
        traits.add(Trait.SEVERAL_EMPLOYERS)
    employments = tuple(
        Employment(
            rng.choice(employers),
            rng.randrange(250_000, 1_100_000, 1000) // count,
            rng.choice((0.02, 0.03, 0.04, 0.05)),
            (rng.randrange(2005, 2024), rng.randrange(1, 13)),
        )
        for _ in range(count)
    )
    owns_home = rng.random() < 0.7
    home_value = rng.randrange(900_000, 5_000_000, 1000) if owns_home else 0
    liens: tuple[Lien, ...] = ()
    if rng.random() < 0.02:
        traits.add(Trait.LIEN)
        liens = (
            Lien(
                f"{rng.randrange(2019, 2026)}{rng.randrange(0, 10**6):06d}",
                "UTLEGGSPANT",
                rng.choice(ACTIVE_BANKS),
                rng.randrange(10_000, 300_000, 1000),
                date(rng.randrange(2019, 2025), rng.randrange(1, 13), rng.randrange(1, 29)),
            ),
        )
    return Person(
        fnr=fnr,
        fornavn=rng.choice(FIRST_NAMES),
        etternavn=rng.choice(LAST_NAMES),
        birth_date=birth,
        traits=frozenset(traits),
        employments=employments,
        deposits=rng.randrange(5_000, 800_000, 500),
        home_value=home_value,
        bank_debt=round(home_value * rng.uniform(0.3, 0.85)) if owns_home else 0,
        other_debt=rng.randrange(0, 400_000, 1000) if rng.random() < 0.3 else 0,
        bank=rng.choice(ACTIVE_BANKS),
        liens=liens,
    )


@lru_cache(maxsize=4)
def build_population(seed: int = 2025, size: int = 1000) -> Population:
    rng = random.Random(seed)  # noqa: S311  (synthetic data, not secrets)
    employers = _employers(rng, 40)
    employer_numbers = [e.organisasjonsnummer for e in employers]
    named = _named_persons(employer_numbers)
    persons = {p.fnr: p for p in named}
    for _ in range(size):
        person = _generated_person(rng, set(persons), employer_numbers)
        persons[person.fnr] = person
    enterprises = _enterprises({p.name: p for p in named})
    organisations = {
        o.organisasjonsnummer: o
        for o in (*NAMED_ORGANISATIONS, *SUPERVISORY_AGENCIES, *employers, *enterprises)
    }
    return Population(seed=seed, persons=persons, organisations=organisations, named=tuple(named))


def correlation_id(*parts: object) -> str:
    """A stable id for an answer, so that the same request gives the same body."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def assessment_date(person: Person, year: int) -> date:
    """Assessments come out between June and November of the following year."""
    offset = int(hashlib.sha256(f"{person.fnr}{year}".encode()).hexdigest()[:4], 16) % 150
    return date(year + 1, 6, 1) + timedelta(days=offset)


def assessment_timestamp(person: Person, year: int) -> datetime:
    day = assessment_date(person, year)
    return datetime(day.year, day.month, day.day, 6, 0, 0)
