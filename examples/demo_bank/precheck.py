"""The mortgage pre-check: three yes-or-no answers before the bank asks for any figure.

Is the applicant's income for the latest assessed year at least a fifth of the loan (the
lending regulation lets total debt be at most five times income), is their debt already
within five times their income, and are they free of debt settlements? The gateway
answers each with a signed statement; the bank verifies it against the gateway's
published keys and keeps it, and learns no figure. Only if the applicant goes on does
the bank ask for the full figures, with a consent of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from examples.demo_bank.products import latest_assessed_year

SVAR_INNTEKT = "ske-samtykke-svar-inntekt-minst"
SVAR_GJELDSGRAD = "ske-samtykke-svar-gjeldsgrad"
SVAR_GJELDSORDNING = "brreg-samtykke-svar-gjeldsordning"
QUESTIONS = (SVAR_INNTEKT, SVAR_GJELDSGRAD, SVAR_GJELDSORDNING)
# The lending regulation: total debt at most five times gross income.
DEBT_MULTIPLE = 5
# What the gateway accepts as a threshold: NOK 0 to 100 million in whole thousands.
HIGHEST_THRESHOLD = 100_000_000


def income_threshold(loan_amount: int) -> int:
    """The income that carries the loan alone within five times income, whole thousands up."""
    return min(HIGHEST_THRESHOLD, math.ceil(loan_amount / DEBT_MULTIPLE / 1000) * 1000)


def parameters(loan_amount: int, today: date) -> dict[str, dict[str, str]]:
    """Each question's parameters, fixed in the consent."""
    year = str(latest_assessed_year(today))
    return {
        SVAR_INNTEKT: {"inntektsaar": year, "terskel": str(income_threshold(loan_amount))},
        SVAR_GJELDSGRAD: {"inntektsaar": year, "gjeldsgradGrense": str(DEBT_MULTIPLE)},
        SVAR_GJELDSORDNING: {},
    }


def consent_rights(loan_amount: int, today: date) -> list[dict[str, object]]:
    return [
        {
            "action": ["consent"],
            "resource": [{"type": "urn:altinn:resource", "value": question}],
            "metadata": metadata,
        }
        for question, metadata in parameters(loan_amount, today).items()
    ]


@dataclass(frozen=True)
class CheckedAnswer:
    """One verified answer, as the pre-check page shows it."""

    question: str
    asked_nb: str
    asked_en: str
    answer: bool | None
    reason: str | None
    statement_id: str  # the signed statement's id, kept as evidence
    good: bool | None  # whether the answer speaks for the loan; None when there is none


def _kroner(amount: str) -> str:
    return f"{int(amount):,}".replace(",", "\u00a0") + "\u00a0kr"


def checked(
    question: str, params: dict[str, str], answer: bool | None, reason: str | None, jti: str
) -> CheckedAnswer:
    if question == SVAR_INNTEKT:
        nb = f"Inntekt i {params['inntektsaar']} minst {_kroner(params['terskel'])}"
        en = f"Income in {params['inntektsaar']} at least NOK {int(params['terskel']):,}"
        good = answer
    elif question == SVAR_GJELDSGRAD:
        nb = f"Gjeld høyst {params['gjeldsgradGrense']} ganger inntekten ({params['inntektsaar']})"
        en = f"Debt at most {params['gjeldsgradGrense']} times income ({params['inntektsaar']})"
        good = answer
    else:
        nb, en = "Under gjeldsordning", "Under a debt settlement"
        good = None if answer is None else not answer
    return CheckedAnswer(question, nb, en, answer, reason, jti, good)
