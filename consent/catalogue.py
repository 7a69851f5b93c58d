"""The data-product catalogue: what a bank may ask a citizen, or an enterprise, to share.

Each product is one declarative entry: its id (the real Altinn resource
name), the registry dataset it stands for (the gateway wires each dataset
to its connector call, so this module names no connector), the fields the
bank receives, the metadata the consent must carry and how it is checked,
plain-language texts in bokmål and English, and the longest validity a
consent for it may have.

Each product also says whose data it is (``parties``): a person's own, or an
organisation's, consented by a person with authority for it (see
``consent.authority``). A consent for a person never names an enterprise
product, nor the reverse.

Adding a product from a new registry is one entry in ``PRODUCTS`` plus one
connector; nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from consent.parties import PartyType

# No consent outlives a year, whatever the product allows.
LONGEST_VALIDITY = timedelta(days=365)


class MetadataError(ValueError):
    """The metadata of a consent right is missing, unknown or out of range."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class MetadataKind(StrEnum):
    NONE = "none"  # the dataset is read as it stands at the time of the fetch
    ASSESSED_YEAR = "assessed-year"  # {"inntektsaar": "YYYY"}
    MONTH_RANGE = "month-range"  # {"fraogmed": "YYYY-MM", "tilogmed": "YYYY-MM"}
    # Production-subsidy application rounds, named by the month of their counting date
    # (1 March, 1 October): {"fraogmedomgang": "YYYY-03", "tilogmedomgang": "YYYY-10"}.
    APPLICATION_ROUNDS = "application-rounds"


class Subject(StrEnum):
    """Whose number the registry is asked with."""

    PARTY = "party"  # the consent's party: the person, or the organisation
    # The person who consented as innehaver (INNH) of a sole proprietorship (ENK): an ENK
    # is no taxpayer of its own; its business income is in the owner's tax assessment.
    SOLE_PROPRIETOR = "sole-proprietor"


# The tax assessment (skatteoppgjøret) of income year Y is published from June of Y + 1.
ASSESSMENT_PUBLISHED_MONTH = 6
# How many assessed years back a bank may ask for.
ASSESSED_YEARS_OFFERED = 5
LONGEST_MONTH_RANGE = 36
# Production subsidies: two application rounds a year, counted on 1 March and 1 October.
ROUND_MONTHS = (3, 10)
MOST_ROUNDS = 8
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def latest_assessed_year(now: datetime) -> int:
    if now.month >= ASSESSMENT_PUBLISHED_MONTH:
        return now.year - 1
    return now.year - 2


def _month_index(value: object, name: str) -> int:
    """Months counted from year 0, so ranges are plain subtraction."""
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match is None:
        raise MetadataError("invalid-metadata", f"'{name}' must be a month written YYYY-MM.")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def _round_index(value: object, name: str) -> int:
    """Application rounds counted from year 0: two a year."""
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(2)) not in ROUND_MONTHS:
        raise MetadataError(
            "invalid-metadata",
            f"'{name}' must be an application round, YYYY-03 (1 March) or YYYY-10 (1 October).",
        )
    return int(match.group(1)) * 2 + ROUND_MONTHS.index(int(match.group(2)))


def application_rounds(first: str, last: str) -> list[str]:
    """Every round from `first` to `last`, both included, as YYYY-03 / YYYY-10."""
    return [
        f"{index // 2}-{ROUND_MONTHS[index % 2]:02d}"
        for index in range(
            _round_index(first, "fraogmedomgang"), _round_index(last, "tilogmedomgang") + 1
        )
    ]


_KEYS: Mapping[MetadataKind, tuple[str, ...]] = {
    MetadataKind.NONE: (),
    MetadataKind.ASSESSED_YEAR: ("inntektsaar",),
    MetadataKind.MONTH_RANGE: ("fraogmed", "tilogmed"),
    MetadataKind.APPLICATION_ROUNDS: ("fraogmedomgang", "tilogmedomgang"),
}


def _range_of(kind: MetadataKind, metadata: Mapping[str, object]) -> tuple[int, int]:
    if kind is MetadataKind.MONTH_RANGE:
        return (
            _month_index(metadata["fraogmed"], "fraogmed"),
            _month_index(metadata["tilogmed"], "tilogmed"),
        )
    return (
        _round_index(metadata["fraogmedomgang"], "fraogmedomgang"),
        _round_index(metadata["tilogmedomgang"], "tilogmedomgang"),
    )


def _check_year(metadata: Mapping[str, object], now: datetime) -> None:
    year = metadata["inntektsaar"]
    if not isinstance(year, str) or not _YEAR.match(year):
        raise MetadataError("invalid-metadata", "'inntektsaar' must be a year, YYYY.")
    latest = latest_assessed_year(now)
    if not latest - ASSESSED_YEARS_OFFERED < int(year) <= latest:
        raise MetadataError(
            "invalid-metadata",
            f"'inntektsaar' must be an assessed year, {latest - ASSESSED_YEARS_OFFERED + 1}"
            f" to {latest}.",
        )


def _check_months(metadata: Mapping[str, object], now: datetime) -> None:
    first, last = _range_of(MetadataKind.MONTH_RANGE, metadata)
    if first > last:
        raise MetadataError("invalid-metadata", "'fraogmed' must not come after 'tilogmed'.")
    if last - first + 1 > LONGEST_MONTH_RANGE:
        raise MetadataError(
            "invalid-metadata", f"At most {LONGEST_MONTH_RANGE} months may be asked for."
        )
    # A month is reported after it ends; the current month has no data yet.
    if last >= now.year * 12 + now.month - 1:
        raise MetadataError("invalid-metadata", "'tilogmed' must be a past month.")


def _check_rounds(metadata: Mapping[str, object], now: datetime) -> None:
    first, last = _range_of(MetadataKind.APPLICATION_ROUNDS, metadata)
    if first > last:
        raise MetadataError(
            "invalid-metadata", "'fraogmedomgang' must not come after 'tilogmedomgang'."
        )
    if last - first + 1 > MOST_ROUNDS:
        raise MetadataError(
            "invalid-metadata", f"At most {MOST_ROUNDS} application rounds may be asked for."
        )
    # A round is applied for from its counting date; a later one has no application yet.
    latest = now.year * 2 + sum(1 for month in ROUND_MONTHS if now.month >= month) - 1
    if last > latest:
        raise MetadataError("invalid-metadata", "'tilogmedomgang' must be a round already counted.")


_CHECKS: Mapping[MetadataKind, Callable[[Mapping[str, object], datetime], None]] = {
    MetadataKind.ASSESSED_YEAR: _check_year,
    MetadataKind.MONTH_RANGE: _check_months,
    MetadataKind.APPLICATION_ROUNDS: _check_rounds,
}


_WHOLE_NUMBER = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True)
class Parameter:
    """A whole number a bank supplies for a derived answer (a threshold, a multiple), with
    the range it must lie in; the consent fixes its value."""

    name: str
    minimum: int
    maximum: int
    step: int = 1  # the value must be a multiple of this (NOK in whole thousands: 1000)
    default: int | None = None  # the value when the bank names none

    def check(self, value: object) -> str:
        """The value as the consent stores it; MetadataError when it is out of range."""
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str) or not _WHOLE_NUMBER.match(text):
            raise MetadataError("invalid-metadata", f"'{self.name}' must be a whole number.")
        number = int(text)
        if not self.minimum <= number <= self.maximum or number % self.step:
            every = f" in steps of {self.step}" if self.step > 1 else ""
            raise MetadataError(
                "invalid-metadata",
                f"'{self.name}' must be {self.minimum} to {self.maximum}{every}.",
            )
        return str(number)


@dataclass(frozen=True)
class MetadataSpec:
    kind: MetadataKind
    # Numbers a derived answer is asked with, beyond the kind's own keys.
    parameters: tuple[Parameter, ...] = ()
    # A fetch must name exactly the consented values, not a narrower year or range: each
    # derived answer is asked with the parameters the citizen saw, and no others.
    exact: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return _KEYS[self.kind] + tuple(parameter.name for parameter in self.parameters)

    def validate(self, metadata: Mapping[str, object], now: datetime) -> dict[str, str]:
        """The metadata, checked against `now`; MetadataError says what is wrong."""
        unknown = sorted(set(metadata) - set(self.keys))
        if unknown:
            raise MetadataError("unknown-metadata", f"Unknown metadata: {', '.join(unknown)}.")
        defaults = {p.name: str(p.default) for p in self.parameters if p.default is not None}
        metadata = {**defaults, **metadata}
        missing = [key for key in self.keys if key not in metadata]
        if missing:
            raise MetadataError("missing-metadata", f"Missing metadata: {', '.join(missing)}.")
        check = _CHECKS.get(self.kind)
        if check is not None:
            check(metadata, now)
        checked = {key: str(metadata[key]) for key in _KEYS[self.kind]}
        for parameter in self.parameters:
            checked[parameter.name] = parameter.check(metadata[parameter.name])
        return checked

    def covers(self, consented: Mapping[str, str], requested: Mapping[str, object]) -> bool:
        """Whether a fetch with `requested` metadata stays inside what was consented."""
        if set(requested) != set(self.keys):
            return False
        if self.exact:
            return all(str(requested[key]) == consented.get(key) for key in self.keys)
        if self.kind in (MetadataKind.MONTH_RANGE, MetadataKind.APPLICATION_ROUNDS):
            try:
                first, last = _range_of(self.kind, requested)
                allowed_first, allowed_last = _range_of(self.kind, consented)
            except MetadataError:
                return False
            return allowed_first <= first <= last <= allowed_last
        return all(str(requested[key]) == consented[key] for key in self.keys)


@dataclass(frozen=True)
class Texts:
    """Plain-language descriptions a citizen reads on the consent page."""

    title: str
    description: str


class AnswerForm(StrEnum):
    """What a derived answer can be."""

    # true or false; null with a reason when the registry's data cannot say (a shielded
    # person, no assessment for the year, an application not yet decided): never a guess.
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class AnswerSpec:
    """A derived answer: a question the gateway answers from registry data it reads,
    computes and discards (``consent.answers``), so the bank learns the answer only.

    The texts are templates: ``{inntektsaar}``, ``{terskel}`` and every other parameter
    are filled in with the consented values, written for people (see ``consent.answers``).
    """

    reads: str  # the id of the figures product whose registry data the answer is made from
    # What the bank learns, and what it does not, as the consent page says them.
    learns: Mapping[str, str]
    withheld: Mapping[str, str]
    # The question as the citizen's access history shows it, before ": yes" / ": no".
    asked: Mapping[str, str]
    form: AnswerForm = AnswerForm.BOOLEAN
    # How many answers one consent gives for this question in its whole life: with the
    # parameters fixed, more would only re-ask; a bound stops a bank from fishing.
    budget: int = 10


@dataclass(frozen=True)
class DataProduct:
    id: str  # the Altinn resource id the bank names in consentRights
    dataset: str  # the registry dataset, also the registry scope its connector uses
    registry: str  # who holds the data, shown to the citizen
    fields: tuple[str, ...]  # what the bank receives
    metadata: MetadataSpec
    texts: Mapping[str, Texts]  # by language: "nb", "en"
    longest_validity: timedelta
    # Whose data it is: a person's own, or an organisation's (see consent.parties).
    parties: frozenset[PartyType] = frozenset({PartyType.PERSON})
    subject: Subject = Subject.PARTY
    # Set for a derived answer: the bank receives the answer, never the fields.
    answer: AnswerSpec | None = None

    @property
    def for_organisations(self) -> bool:
        return PartyType.ORGANISATION in self.parties

    def text(self, language: str) -> Texts:
        return self.texts.get(language, self.texts["nb"])


SUMMERT_SKATTEGRUNNLAG = DataProduct(
    id="ske-samtykke-sbl-summert-skattegrunnlag",
    dataset="skatteetaten:summertskattegrunnlag",
    registry="Skatteetaten",
    fields=(
        "personidentifikator",
        "inntektsaar",
        "grunnlag",
        # A shielded person's assessment comes with no amounts: the bank must know it is
        # shielded, or it reads the empty grunnlag as nothing earned and nothing owned.
        "skjermet",
        "skatteoppgjoersdato",
        "stadie",
        "ajourholdstidspunkt",
    ),
    metadata=MetadataSpec(MetadataKind.ASSESSED_YEAR),
    texts={
        "nb": Texts(
            "Skattegrunnlag fra skatteoppgjøret",
            "Inntekt, formue og gjeld slik de står i skatteoppgjøret ditt for det valgte året.",
        ),
        "en": Texts(
            "Tax base from the tax assessment",
            "Income, net wealth and debt as they stand in your tax assessment for the year.",
        ),
    },
    longest_validity=timedelta(days=365),
)

INNTEKT = DataProduct(
    id="ske-samtykke-sbl-inntekt",
    dataset="skatteetaten:inntekt",
    registry="Skatteetaten",
    fields=(
        "opplysningspliktigId",
        "virksomhetId",
        "kalendermaaned",
        "inntekt",
    ),
    metadata=MetadataSpec(MetadataKind.MONTH_RANGE),
    texts={
        "nb": Texts(
            "Lønn og andre inntekter per måned",
            "Det arbeidsgivere og andre har rapportert om lønn og ytelser til deg, måned for "
            "måned, i den valgte perioden (a-ordningen).",
        ),
        "en": Texts(
            "Pay and other income by month",
            "What employers and others have reported of pay and benefits to you, month by "
            "month, in the chosen period (the a-ordning register).",
        ),
    },
    longest_validity=timedelta(days=365),
)

LOSORE = DataProduct(
    id="brreg-samtykke-losore-rettsstiftelser",
    dataset="brreg:losore",
    registry="Brønnøysundregistrene",
    fields=("antallRettsstiftelser", "rettsstiftelser"),
    metadata=MetadataSpec(MetadataKind.NONE),
    texts={
        "nb": Texts(
            "Heftelser og gjeldsordninger i Løsøreregisteret",
            "Pant, utlegg og gjeldsordninger som er registrert på deg i Løsøreregisteret.",
        ),
        "en": Texts(
            "Charges and debt settlements in the Register of Movable Property",
            "Liens, attachments and debt settlements registered on you in the Register of "
            "Movable Property.",
        ),
    },
    # A charge can be registered any day; a bank's look-up is only current for a short time.
    longest_validity=timedelta(days=90),
)

# -- Enterprises: consented by a person on behalf of an organisation -----------------
ENTERPRISE = frozenset({PartyType.ORGANISATION})

LOSORE_VIRKSOMHET = DataProduct(
    id="brreg-samtykke-losore-rettsstiftelser-virksomhet",
    dataset="brreg:losore",
    registry="Brønnøysundregistrene",
    fields=("antallRettsstiftelser", "rettsstiftelser"),
    metadata=MetadataSpec(MetadataKind.NONE),
    texts={
        "nb": Texts(
            "Heftelser på virksomheten i Løsøreregisteret",
            "Pant (for eksempel i driftstilbehør, landbruksløsøre, fiskeoppdrett og "
            "varelager), utlegg og andre rettsstiftelser registrert på virksomhetens "
            "organisasjonsnummer i Løsøreregisteret.",
        ),
        "en": Texts(
            "Charges on the enterprise in the Register of Movable Property",
            "Liens (for example on operating equipment, farm equipment, fish farming and "
            "stock), attachments and other charges registered on the enterprise's "
            "organisation number in the Register of Movable Property.",
        ),
    },
    longest_validity=timedelta(days=90),
    parties=ENTERPRISE,
)

PRODUKSJONSTILSKUDD = DataProduct(
    id="ldir-samtykke-produksjonstilskudd",
    dataset="landbruksdirektoratet:produksjonstilskudd",
    registry="Landbruksdirektoratet",
    # soknader: one per round applied in, with soknadsaar, telledato, status, arealer
    # (vekstkode, vekst, dekar), dyr (dyrekode, dyreslag, antall) and vedtak (amounts in NOK).
    fields=("organisasjonsnummer", "foretaksnavn", "soknader"),
    metadata=MetadataSpec(MetadataKind.APPLICATION_ROUNDS),
    texts={
        "nb": Texts(
            "Produksjonstilskudd i jordbruket",
            "Det virksomheten har søkt om produksjonstilskudd for i de valgte "
            "søknadsomgangene (telledato 1. mars og 1. oktober): arealer per vekst i dekar, "
            "dyr per kategori, og tilskuddet som er innvilget og utbetalt.",
        ),
        "en": Texts(
            "Agricultural production subsidies",
            "What the enterprise applied for production subsidies for in the chosen "
            "application rounds (counting dates 1 March and 1 October): areas per crop in "
            "decares, animals per category, and the subsidy granted and paid.",
        ),
    },
    longest_validity=timedelta(days=365),
    parties=ENTERPRISE,
)

AKVAKULTURTILLATELSER = DataProduct(
    id="fdir-akvakultur-tillatelser",
    dataset="fiskeridirektoratet:akvakulturregisteret",
    registry="Fiskeridirektoratet",
    # tillatelser: each licence with its transfers and registered mortgagees (liens).
    fields=("tillatelser",),
    metadata=MetadataSpec(MetadataKind.NONE),
    texts={
        "nb": Texts(
            "Akvakulturtillatelser",
            "Virksomhetens tillatelser i Akvakulturregisteret: art og produksjonsform, "
            "kapasitet, produksjonsområde, lokaliteter, overdragelser og registrerte "
            "panthavere.",
        ),
        "en": Texts(
            "Aquaculture licences",
            "The enterprise's licences in the Aquaculture Register: species and kind of "
            "production, capacity, production area, sites, transfers and registered "
            "mortgagees.",
        ),
    },
    longest_validity=timedelta(days=365),
    parties=ENTERPRISE,
)

BIOMASSE = DataProduct(
    id="fdir-samtykke-akvakultur-biomasse",
    dataset="fiskeridirektoratet:biomasse",
    registry="Fiskeridirektoratet",
    # lokaliteter: per site, maaneder with beholdning, utsatt, slaktet and dodfisk.
    fields=("organisasjonsnummer", "foretaksnavn", "fraOgMed", "tilOgMed", "lokaliteter"),
    metadata=MetadataSpec(MetadataKind.MONTH_RANGE),
    texts={
        "nb": Texts(
            "Månedlige biomasserapporter",
            "Det virksomheten har rapportert til Fiskeridirektoratet per lokalitet og måned "
            "i den valgte perioden: fisk i sjøen, utsatt fisk, uttak og dødelighet.",
        ),
        "en": Texts(
            "Monthly biomass reports",
            "What the enterprise reported to the Directorate of Fisheries per site and month "
            "in the chosen period: fish in stock, fish put out, harvested and mortality.",
        ),
    },
    longest_validity=timedelta(days=365),
    parties=ENTERPRISE,
)

# An ENK is no taxpayer of its own: its profit is taxed as the owner's business income,
# in the owner's own assessment. So the enterprise's tax product is the owner's, read
# with the national identity number of the person who consented as innehaver (INNH),
# and offered only in a consent for an organisation; a consent given by anyone in
# another role is refused when they answer.
SUMMERT_SKATTEGRUNNLAG_ENK = DataProduct(
    id="ske-samtykke-sbl-summert-skattegrunnlag-enk",
    dataset=SUMMERT_SKATTEGRUNNLAG.dataset,
    registry=SUMMERT_SKATTEGRUNNLAG.registry,
    fields=SUMMERT_SKATTEGRUNNLAG.fields,
    metadata=MetadataSpec(MetadataKind.ASSESSED_YEAR),
    texts={
        "nb": Texts(
            "Innehaverens skattegrunnlag (enkeltpersonforetak)",
            "Et enkeltpersonforetak skattlegges hos innehaveren. Inntekt, formue og gjeld, "
            "med næringsinntekten, slik de står i skatteoppgjøret ditt som innehaver for det "
            "valgte året.",
        ),
        "en": Texts(
            "The owner's tax base (sole proprietorship)",
            "A sole proprietorship is taxed in its owner's name. Income, net wealth and debt, "
            "with the business income, as they stand in your tax assessment as owner for "
            "the year.",
        ),
    },
    longest_validity=timedelta(days=365),
    parties=ENTERPRISE,
    subject=Subject.SOLE_PROPRIETOR,
)

# -- Derived answers: a yes or no, never the figures (minimal disclosure) -------------
# Each is answered at /answers/v1/{id} as a signed statement. The consent fixes every
# parameter; a bank asking with another value is refused.

# What the consent page says of both answers read from the tax assessment.
_FROM_THE_TAX_ASSESSMENT_NB = (
    "Skatteetaten gir tallene til Samtykke, som svarer banken med ja eller nei og sletter tallene."
)
_FROM_THE_TAX_ASSESSMENT_EN = (
    "The Tax Administration gives the figures to Samtykke, which answers the bank yes or no "
    "and discards the figures."
)

SVAR_INNTEKT_MINST = DataProduct(
    id="ske-samtykke-svar-inntekt-minst",
    dataset=SUMMERT_SKATTEGRUNNLAG.dataset,
    registry=SUMMERT_SKATTEGRUNNLAG.registry,
    fields=(),
    metadata=MetadataSpec(
        MetadataKind.ASSESSED_YEAR,
        parameters=(Parameter("terskel", 0, 100_000_000, step=1000),),
        exact=True,
    ),
    texts={
        "nb": Texts(
            "Ja eller nei: inntekten din",
            _FROM_THE_TAX_ASSESSMENT_NB,
        ),
        "en": Texts(
            "Yes or no: your income",
            _FROM_THE_TAX_ASSESSMENT_EN,
        ),
    },
    longest_validity=timedelta(days=365),
    answer=AnswerSpec(
        reads=SUMMERT_SKATTEGRUNNLAG.id,
        learns={
            "nb": "Banken får vite om inntekten din i {inntektsaar} var minst {terskel}, "
            "ikke beløpet.",
            "en": "The bank learns whether your income in {inntektsaar} was at least "
            "{terskel}, not the amount.",
        },
        withheld={
            "nb": "Banken får ikke se inntekten, formuen eller gjelden din.",
            "en": "The bank does not see your income, net wealth or debt.",
        },
        asked={
            "nb": "Spurte om inntekten i {inntektsaar} var minst {terskel}",
            "en": "Asked whether the income in {inntektsaar} was at least {terskel}",
        },
    ),
)

# The lending regulation (utlånsforskriften § 5) caps a borrower's total debt at five
# times their gross annual income.
LENDING_REGULATION_DEBT_MULTIPLE = 5

SVAR_GJELDSGRAD = DataProduct(
    id="ske-samtykke-svar-gjeldsgrad",
    dataset=SUMMERT_SKATTEGRUNNLAG.dataset,
    registry=SUMMERT_SKATTEGRUNNLAG.registry,
    fields=(),
    metadata=MetadataSpec(
        MetadataKind.ASSESSED_YEAR,
        parameters=(
            Parameter("gjeldsgradGrense", 1, 10, default=LENDING_REGULATION_DEBT_MULTIPLE),
        ),
        exact=True,
    ),
    texts={
        "nb": Texts(
            "Ja eller nei: gjelden din mot inntekten",
            _FROM_THE_TAX_ASSESSMENT_NB,
        ),
        "en": Texts(
            "Yes or no: your debt against your income",
            _FROM_THE_TAX_ASSESSMENT_EN,
        ),
    },
    longest_validity=timedelta(days=365),
    answer=AnswerSpec(
        reads=SUMMERT_SKATTEGRUNNLAG.id,
        learns={
            "nb": "Banken får vite om den samlede gjelden din ved utgangen av {inntektsaar} "
            "var høyst {gjeldsgradGrense} ganger inntekten din det året, ikke beløpene.",
            "en": "The bank learns whether your total debt at the end of {inntektsaar} was "
            "at most {gjeldsgradGrense} times your income that year, not the amounts.",
        },
        withheld={
            "nb": "Banken får ikke se inntekten, formuen eller gjelden din.",
            "en": "The bank does not see your income, net wealth or debt.",
        },
        asked={
            "nb": "Spurte om gjelden ved utgangen av {inntektsaar} var høyst "
            "{gjeldsgradGrense} ganger inntekten",
            "en": "Asked whether the debt at the end of {inntektsaar} was at most "
            "{gjeldsgradGrense} times the income",
        },
    ),
)

SVAR_GJELDSORDNING = DataProduct(
    id="brreg-samtykke-svar-gjeldsordning",
    dataset=LOSORE.dataset,
    registry=LOSORE.registry,
    fields=(),
    metadata=MetadataSpec(MetadataKind.NONE, exact=True),
    texts={
        "nb": Texts(
            "Ja eller nei: gjeldsordning",
            "Løsøreregisteret gir oppføringene til Samtykke, som svarer banken med ja eller "
            "nei og sletter oppføringene.",
        ),
        "en": Texts(
            "Yes or no: debt settlement",
            "The Register of Movable Property gives its entries to Samtykke, which answers "
            "the bank yes or no and discards the entries.",
        ),
    },
    longest_validity=LOSORE.longest_validity,
    answer=AnswerSpec(
        reads=LOSORE.id,
        learns={
            "nb": "Banken får vite om du er under en gjeldsordning som er registrert i "
            "Løsøreregisteret.",
            "en": "The bank learns whether you are under a debt settlement registered in "
            "the Register of Movable Property.",
        },
        withheld={
            "nb": "Banken får ikke se pant, utlegg, kreditorer eller beløp.",
            "en": "The bank does not see liens, attachments, creditors or amounts.",
        },
        asked={
            "nb": "Spurte om du er under gjeldsordning",
            "en": "Asked whether you are under a debt settlement",
        },
    ),
)

SVAR_PRODUKSJONSTILSKUDD = DataProduct(
    id="ldir-samtykke-svar-produksjonstilskudd",
    dataset=PRODUKSJONSTILSKUDD.dataset,
    registry=PRODUKSJONSTILSKUDD.registry,
    fields=(),
    metadata=MetadataSpec(MetadataKind.APPLICATION_ROUNDS, exact=True),
    texts={
        "nb": Texts(
            "Ja eller nei: produksjonstilskudd",
            "Landbruksdirektoratet gir søknadene til Samtykke, som svarer banken med ja "
            "eller nei og sletter søknadene.",
        ),
        "en": Texts(
            "Yes or no: production subsidies",
            "The Norwegian Agriculture Agency gives the applications to Samtykke, which "
            "answers the bank yes or no and discards the applications.",
        ),
    },
    longest_validity=timedelta(days=365),
    parties=ENTERPRISE,
    answer=AnswerSpec(
        reads=PRODUKSJONSTILSKUDD.id,
        learns={
            "nb": "Banken får vite om virksomheten fikk utbetalt produksjonstilskudd i hver "
            "søknadsomgang fra {fraogmedomgang} til og med {tilogmedomgang}, ikke beløpene.",
            "en": "The bank learns whether the enterprise was paid production subsidies in "
            "every application round from {fraogmedomgang} to {tilogmedomgang}, not the "
            "amounts.",
        },
        withheld={
            "nb": "Banken får ikke se arealer, dyretall eller beløp.",
            "en": "The bank does not see areas, animals or amounts.",
        },
        asked={
            "nb": "Spurte om virksomheten fikk produksjonstilskudd i hver omgang fra "
            "{fraogmedomgang} til og med {tilogmedomgang}",
            "en": "Asked whether the enterprise was paid production subsidies in every "
            "round from {fraogmedomgang} to {tilogmedomgang}",
        },
    ),
)

# The role that makes a person the owner of an ENK.
SOLE_PROPRIETOR_ROLE = "INNH"

PRODUCTS: Mapping[str, DataProduct] = {
    product.id: product
    for product in (
        SUMMERT_SKATTEGRUNNLAG,
        INNTEKT,
        LOSORE,
        LOSORE_VIRKSOMHET,
        PRODUKSJONSTILSKUDD,
        AKVAKULTURTILLATELSER,
        BIOMASSE,
        SUMMERT_SKATTEGRUNNLAG_ENK,
        SVAR_INNTEKT_MINST,
        SVAR_GJELDSGRAD,
        SVAR_GJELDSORDNING,
        SVAR_PRODUKSJONSTILSKUDD,
    )
}


def find(product_id: str) -> DataProduct | None:
    return PRODUCTS.get(product_id)
