"""The start page's form, read into what the bank will ask for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from examples.demo_bank import products
from examples.demo_bank.products import Choice

NATIONAL_IDENTITY_NUMBER = re.compile(r"^\d{11}$")
YEARS_OFFERED = 5


class ApplicationForm(BaseModel):
    fodselsnummer: str = ""
    laanebeloep: str = ""
    skattegrunnlag: bool = False
    inntektsaar: str = ""
    inntekt: bool = False
    losore: bool = False


class FormError(ValueError):
    """Something the applicant must correct; the message is shown on the form."""


@dataclass(frozen=True)
class LoanRequest:
    person: str
    loan_amount: int
    choice: Choice


def years_offered(today: date) -> list[int]:
    latest = products.latest_assessed_year(today)
    return list(range(latest, latest - YEARS_OFFERED, -1))


def read_form(form: ApplicationForm, today: date) -> LoanRequest:
    person = form.fodselsnummer.replace(" ", "")
    if not NATIONAL_IDENTITY_NUMBER.match(person):
        raise FormError("Fødselsnummeret må ha 11 siffer.")
    amount = re.sub(r"\s", "", form.laanebeloep)
    if amount and not amount.isdigit():
        raise FormError("Lånebeløpet må være et helt antall kroner.")
    year = int(form.inntektsaar) if form.inntektsaar.isdigit() else None
    if form.skattegrunnlag and year not in years_offered(today):
        raise FormError("Velg et inntektsår med ferdig skatteoppgjør.")
    choice = Choice(
        inntektsaar=year if form.skattegrunnlag else None,
        months=products.last_complete_months(today) if form.inntekt else None,
        losore=form.losore,
    )
    if not choice.consent_rights():
        raise FormError("Velg hvilke opplysninger vi kan hente.")
    return LoanRequest(person, int(amount or 0), choice)
