"""The data-product catalogue: what a bank may ask a citizen to share.

Each product is one declarative entry: its id (the real Altinn resource
name), the registry dataset it stands for (the gateway wires each dataset
to its connector call, so this module names no connector), the fields the
bank receives, the metadata the consent must carry and how it is checked,
plain-language texts in bokmål and English, and the longest validity a
consent for it may have.

Adding a product from a new registry is one entry in ``PRODUCTS`` plus one
connector; nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

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


# The tax assessment (skatteoppgjøret) of income year Y is published from June of Y + 1.
ASSESSMENT_PUBLISHED_MONTH = 6
# How many assessed years back a bank may ask for.
ASSESSED_YEARS_OFFERED = 5
LONGEST_MONTH_RANGE = 36
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


@dataclass(frozen=True)
class MetadataSpec:
    kind: MetadataKind

    @property
    def keys(self) -> tuple[str, ...]:
        return {
            MetadataKind.NONE: (),
            MetadataKind.ASSESSED_YEAR: ("inntektsaar",),
            MetadataKind.MONTH_RANGE: ("fraogmed", "tilogmed"),
        }[self.kind]

    def validate(self, metadata: Mapping[str, object], now: datetime) -> dict[str, str]:
        """The metadata, checked against `now`; MetadataError says what is wrong."""
        unknown = sorted(set(metadata) - set(self.keys))
        if unknown:
            raise MetadataError("unknown-metadata", f"Unknown metadata: {', '.join(unknown)}.")
        missing = [key for key in self.keys if key not in metadata]
        if missing:
            raise MetadataError("missing-metadata", f"Missing metadata: {', '.join(missing)}.")
        if self.kind is MetadataKind.ASSESSED_YEAR:
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
        if self.kind is MetadataKind.MONTH_RANGE:
            first = _month_index(metadata["fraogmed"], "fraogmed")
            last = _month_index(metadata["tilogmed"], "tilogmed")
            if first > last:
                raise MetadataError(
                    "invalid-metadata", "'fraogmed' must not come after 'tilogmed'."
                )
            if last - first + 1 > LONGEST_MONTH_RANGE:
                raise MetadataError(
                    "invalid-metadata", f"At most {LONGEST_MONTH_RANGE} months may be asked for."
                )
            # A month is reported after it ends; the current month has no data yet.
            if last >= now.year * 12 + now.month - 1:
                raise MetadataError("invalid-metadata", "'tilogmed' must be a past month.")
        return {key: str(metadata[key]) for key in self.keys}

    def covers(self, consented: Mapping[str, str], requested: Mapping[str, object]) -> bool:
        """Whether a fetch with `requested` metadata stays inside what was consented."""
        if set(requested) != set(self.keys):
            return False
        if self.kind is MetadataKind.MONTH_RANGE:
            try:
                first = _month_index(requested["fraogmed"], "fraogmed")
                last = _month_index(requested["tilogmed"], "tilogmed")
            except MetadataError:
                return False
            return (
                _month_index(consented["fraogmed"], "fraogmed")
                <= first
                <= last
                <= _month_index(consented["tilogmed"], "tilogmed")
            )
        return all(str(requested[key]) == consented[key] for key in self.keys)


@dataclass(frozen=True)
class Texts:
    """Plain-language descriptions a citizen reads on the consent page."""

    title: str
    description: str


@dataclass(frozen=True)
class DataProduct:
    id: str  # the Altinn resource id the bank names in consentRights
    dataset: str  # the registry dataset, also the registry scope its connector uses
    registry: str  # who holds the data, shown to the citizen
    fields: tuple[str, ...]  # what the bank receives
    metadata: MetadataSpec
    texts: Mapping[str, Texts]  # by language: "nb", "en"
    longest_validity: timedelta

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

PRODUCTS: Mapping[str, DataProduct] = {
    product.id: product for product in (SUMMERT_SKATTEGRUNNLAG, INNTEKT, LOSORE)
}


def find(product_id: str) -> DataProduct | None:
    return PRODUCTS.get(product_id)
