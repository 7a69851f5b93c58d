"""The data products the bank asks for, by their catalogue ids, and the default periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SKATTEGRUNNLAG = "ske-samtykke-sbl-summert-skattegrunnlag"
INNTEKT = "ske-samtykke-sbl-inntekt"
LOSORE = "brreg-samtykke-losore-rettsstiftelser"
ALL = (SKATTEGRUNNLAG, INNTEKT, LOSORE)

LABELS = {
    SKATTEGRUNNLAG: "Skattegrunnlag (inntekt, formue og gjeld)",
    INNTEKT: "Lønn per måned fra a-ordningen",
    LOSORE: "Heftelser i Løsøreregisteret",
}
SOURCES = {
    SKATTEGRUNNLAG: "Skatteetaten",
    INNTEKT: "Skatteetaten (a-ordningen)",
    LOSORE: "Brønnøysundregistrene",
}

# The assessment of income year Y is published from June of Y + 1.
ASSESSMENT_PUBLISHED_MONTH = 6
MONTHS_OF_PAY = 12


def latest_assessed_year(today: date) -> int:
    return today.year - 1 if today.month >= ASSESSMENT_PUBLISHED_MONTH else today.year - 2


def last_complete_months(today: date, count: int = MONTHS_OF_PAY) -> tuple[str, str]:
    """(fraogmed, tilogmed) of the `count` months before the current one."""
    last = today.year * 12 + today.month - 2  # the month before this one, counted from year 0
    first = last - count + 1
    return _month(first), _month(last)


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    def index(month: str) -> int:
        year, number = month.split("-")
        return int(year) * 12 + int(number) - 1

    return [_month(i) for i in range(index(first), index(last) + 1)]


@dataclass(frozen=True)
class Choice:
    """What the applicant agreed to let the bank ask for."""

    inntektsaar: int | None  # None: the assessment is not asked for
    months: tuple[str, str] | None  # (fraogmed, tilogmed), or None
    losore: bool

    def consent_rights(self) -> list[dict[str, object]]:
        rights: list[dict[str, object]] = []
        if self.inntektsaar is not None:
            rights.append(_right(SKATTEGRUNNLAG, {"inntektsaar": str(self.inntektsaar)}))
        if self.months is not None:
            fraogmed, tilogmed = self.months
            rights.append(_right(INNTEKT, {"fraogmed": fraogmed, "tilogmed": tilogmed}))
        if self.losore:
            rights.append(_right(LOSORE, {}))
        return rights


def _right(product: str, metadata: dict[str, str]) -> dict[str, object]:
    return {
        "action": ["consent"],
        "resource": [{"type": "urn:altinn:resource", "value": product}],
        "metadata": metadata,
    }
