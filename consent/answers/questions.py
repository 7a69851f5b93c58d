"""Each derived answer computed from the registry's data: pure functions, no I/O.

The gateway fetches the data a question reads (its ``AnswerSpec.reads`` product), hands
it here, keeps the :class:`Answer` and drops the data. An answer the data cannot give (a
shielded person, no assessment for the year, an application not decided yet) is ``None``
with a stable reason, never a guess.

Income is the tax base's gross income: the sum of the assessment's items of category
``inntekt`` (pay, pensions, business income, capital income...), leaving out the derived
totals that restate them (``alminneligInntektFoerSaerfradrag``: income after deductions).
It is the income the lending regulation's debt limit is measured against, and the one the
debt answer uses too. Debt is the item ``samletGjeld``; an item that is zero is left out of
an assessment, so a missing one counts as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from consent.catalogue import (
    SVAR_GJELDSGRAD,
    SVAR_GJELDSORDNING,
    SVAR_INNTEKT_MINST,
    SVAR_PRODUKSJONSTILSKUDD,
    DataProduct,
    application_rounds,
)

# The source part of a derived answer's audit event type: answer:<question id>:asked.
EVENT_SOURCE = "answer"
# Totals that restate the income items: counting them would count income twice.
DERIVED_INCOME_ITEMS = frozenset({"alminneligInntektFoerSaerfradrag", "alminneligInntekt"})
TOTAL_DEBT_ITEM = "samletGjeld"
INCOME_CATEGORY = "inntekt"


class Unanswerable(StrEnum):
    """Why an answer is null."""

    SHIELDED = "shielded"  # skjermet: the Tax Administration gives no amounts
    NO_DATA = "no-data"  # no assessment for the year (yet)
    UNKNOWN_TO_REGISTRY = "unknown-to-registry"  # the registry does not know the party
    UNDECIDED = "undecided"  # an application is not decided yet


@dataclass(frozen=True)
class Answer:
    value: bool | None
    reason: Unanswerable | None = None

    @classmethod
    def cannot(cls, reason: Unanswerable) -> Answer:
        return cls(None, reason)


def gross_income(grunnlag: list[Mapping[str, Any]]) -> int:
    """The tax base's income: its items of category inntekt, less the derived totals."""
    return round(
        sum(
            float(item["beloep"])
            for item in grunnlag
            if item.get("kategori") == INCOME_CATEGORY
            and item.get("tekniskNavn") not in DERIVED_INCOME_ITEMS
        )
    )


def total_debt(grunnlag: list[Mapping[str, Any]]) -> int:
    debts = (item for item in grunnlag if item.get("tekniskNavn") == TOTAL_DEBT_ITEM)
    return round(sum(float(item["beloep"]) for item in debts))


def _income_at_least(data: Mapping[str, Any], parameters: Mapping[str, str], _: date) -> Answer:
    if data.get("skjermet"):
        return Answer.cannot(Unanswerable.SHIELDED)
    return Answer(gross_income(data.get("grunnlag") or []) >= int(parameters["terskel"]))


def _debt_within_multiple(
    data: Mapping[str, Any], parameters: Mapping[str, str], _: date
) -> Answer:
    if data.get("skjermet"):
        return Answer.cannot(Unanswerable.SHIELDED)
    grunnlag = data.get("grunnlag") or []
    multiple = int(parameters["gjeldsgradGrense"])
    return Answer(total_debt(grunnlag) <= multiple * gross_income(grunnlag))


def _under_debt_settlement(data: Mapping[str, Any], _: Mapping[str, str], today: date) -> Answer:
    """A debt settlement registered and not deleted, whose period has not ended."""
    for entry in data.get("rettsstiftelser") or []:
        settlement = entry.get("gjeldsordning")
        if settlement is None or entry.get("slettetDato"):
            continue
        ends = settlement.get("gjeldsordningsperiodeTilDato")
        if ends is None or date.fromisoformat(ends) >= today:
            return Answer(True)
    return Answer(False)


def _subsidies_in_every_round(
    data: Mapping[str, Any], parameters: Mapping[str, str], _: date
) -> Answer:
    """Yes when every round was paid; no when one was not applied for or paid nothing;
    otherwise (some round still being decided) no answer yet."""
    by_round = {str(s.get("telledato", ""))[:7]: s for s in data.get("soknader") or []}
    undecided = False
    for round_name in application_rounds(
        parameters["fraogmedomgang"], parameters["tilogmedomgang"]
    ):
        soknad = by_round.get(round_name)
        if soknad is None:
            return Answer(False)
        vedtak = soknad.get("vedtak")
        if vedtak is None:
            undecided = True
        elif int(vedtak.get("utbetaltBelop") or 0) <= 0:
            return Answer(False)
    return Answer.cannot(Unanswerable.UNDECIDED) if undecided else Answer(True)


Computation = Callable[[Mapping[str, Any], Mapping[str, str], date], Answer]

COMPUTATIONS: Mapping[str, Computation] = {
    SVAR_INNTEKT_MINST.id: _income_at_least,
    SVAR_GJELDSGRAD.id: _debt_within_multiple,
    SVAR_GJELDSORDNING.id: _under_debt_settlement,
    SVAR_PRODUKSJONSTILSKUDD.id: _subsidies_in_every_round,
}


def unknown_to_registry(product: DataProduct) -> Answer:
    """The answer when the registry does not know the party. Landbruksdirektoratet knows
    only enterprises that have applied: one it does not know was never paid a subsidy."""
    if product.id == SVAR_PRODUKSJONSTILSKUDD.id:
        return Answer(False)
    return Answer.cannot(Unanswerable.UNKNOWN_TO_REGISTRY)


def compute(
    product: DataProduct, data: Mapping[str, Any], parameters: Mapping[str, str], today: date
) -> Answer:
    """The answer to `product`'s question from the data it reads, with the consented
    parameters; `today` for what is current (a debt settlement's period)."""
    return COMPUTATIONS[product.id](data, parameters, today)


# -- in words ------------------------------------------------------------------------
MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
           "september", "oktober", "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
ANSWER_WORDS = {
    "nb": {True: "ja", False: "nei"},
    "en": {True: "yes", False: "no"},
}
UNANSWERABLE_WORDS = {
    "nb": {
        Unanswerable.SHIELDED: "kan ikke svares (skjermet)",
        Unanswerable.NO_DATA: "kan ikke svares (ingen opplysninger)",
        Unanswerable.UNKNOWN_TO_REGISTRY: "kan ikke svares (ukjent i registeret)",
        Unanswerable.UNDECIDED: "kan ikke svares ennå (ikke avgjort)",
    },
    "en": {
        Unanswerable.SHIELDED: "cannot be answered (shielded)",
        Unanswerable.NO_DATA: "cannot be answered (no data)",
        Unanswerable.UNKNOWN_TO_REGISTRY: "cannot be answered (unknown to the registry)",
        Unanswerable.UNDECIDED: "cannot be answered yet (not decided)",
    },
}


def _kroner(amount: int, language: str) -> str:
    grouped = f"{amount:,}"
    if language == "nb":
        return grouped.replace(",", "\u00a0") + "\u00a0kr"
    return f"NOK\u00a0{grouped}"


def _round(value: str, language: str) -> str:
    year, month = value.split("-")
    return f"{MONTHS[language][int(month) - 1]} {year}"


def parameters_in_words(parameters: Mapping[str, str], language: str) -> dict[str, str]:
    """The parameters as a person reads them: amounts in kroner, rounds by month."""
    words = dict(parameters)
    if "terskel" in parameters:
        words["terskel"] = _kroner(int(parameters["terskel"]), language)
    for name in ("fraogmedomgang", "tilogmedomgang"):
        if name in parameters:
            words[name] = _round(parameters[name], language)
    return words


def _language(texts: Mapping[str, str], language: str) -> tuple[str, str]:
    chosen = language if language in texts else "nb"
    return texts[chosen], chosen


def learns(product: DataProduct, parameters: Mapping[str, str], language: str) -> str:
    """What the bank learns, with the consented parameters filled in."""
    assert product.answer is not None
    template, chosen = _language(product.answer.learns, language)
    return template.format(**parameters_in_words(parameters, chosen))


def withheld(product: DataProduct, language: str) -> str:
    assert product.answer is not None
    return _language(product.answer.withheld, language)[0]


def asked(
    product: DataProduct,
    parameters: Mapping[str, str],
    language: str,
    answer: bool | None = None,
    reason: str | None = None,
) -> str:
    """The question as the access history shows it, with its answer when there is one."""
    assert product.answer is not None
    template, chosen = _language(product.answer.asked, language)
    question = template.format(**parameters_in_words(parameters, chosen))
    if answer is not None:
        return f"{question}: {ANSWER_WORDS[chosen][answer]}"
    if reason in set(Unanswerable):
        return f"{question}: {UNANSWERABLE_WORDS[chosen][Unanswerable(reason)]}"
    return question
