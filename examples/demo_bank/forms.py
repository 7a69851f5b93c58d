"""The start page's form, read into what the bank will ask for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from examples.demo_bank import products
from examples.demo_bank.messages import Message
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

    def __init__(self, nb: str, en: str, next_nb: str, next_en: str) -> None:
        super().__init__(nb)
        self.message = Message(nb, en, next_nb, next_en)


@dataclass(frozen=True)
class LoanRequest:
    person: str
    loan_amount: int
    choice: Choice


def years_offered(today: date) -> list[int]:
    latest = products.latest_assessed_year(today)
    return list(range(latest, latest - YEARS_OFFERED, -1))


def read_precheck(form: ApplicationForm) -> tuple[str, int]:
    """The person and the loan amount of a pre-check, which asks for no figure."""
    return _person_of(form), _amount_of(form)


def _person_of(form: ApplicationForm) -> str:
    person = form.fodselsnummer.replace(" ", "")
    if not NATIONAL_IDENTITY_NUMBER.match(person):
        raise FormError(
            "Fødselsnummeret må ha 11 siffer.",
            "The national identity number has 11 digits.",
            "Skriv alle de 11 sifrene, uten bokstaver.",
            "Type all 11 digits, with no letters.",
        )
    return person


def _amount_of(form: ApplicationForm) -> int:
    amount = re.sub(r"\s", "", form.laanebeloep)
    if amount and not amount.isdigit():
        raise FormError(
            "Lånebeløpet må være et helt antall kroner.",
            "The loan amount must be whole kroner.",
            "Skriv beløpet med bare sifre, for eksempel 2 500 000.",
            "Type the amount in digits only, for example 2 500 000.",
        )
    return int(amount or 0)


def read_form(form: ApplicationForm, today: date) -> LoanRequest:
    person, amount = _person_of(form), _amount_of(form)
    year = int(form.inntektsaar) if form.inntektsaar.isdigit() else None
    if form.skattegrunnlag and year not in years_offered(today):
        raise FormError(
            "Inntektsåret har ikke ferdig skatteoppgjør.",
            "That income year has no finished tax assessment.",
            "Velg et av årene i listen.",
            "Choose one of the years in the list.",
        )
    choice = Choice(
        inntektsaar=year if form.skattegrunnlag else None,
        months=products.last_complete_months(today) if form.inntekt else None,
        losore=form.losore,
    )
    if not choice.consent_rights():
        raise FormError(
            "Du har ikke valgt noen opplysninger.",
            "You have chosen no information.",
            "Kryss av for minst én av opplysningene vi kan hente.",
            "Tick at least one kind of information we may fetch.",
        )
    return LoanRequest(person, amount, choice)
