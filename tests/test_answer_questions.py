"""Derived answers' parameters and computations: pure, no HTTP, no database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from consent.answers.questions import (
    Unanswerable,
    asked,
    compute,
    gross_income,
    learns,
    unknown_to_registry,
)
from consent.catalogue import (
    SVAR_GJELDSGRAD,
    SVAR_GJELDSORDNING,
    SVAR_INNTEKT_MINST,
    SVAR_PRODUKSJONSTILSKUDD,
    MetadataError,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)
TODAY = NOW.date()
GRUNNLAG = [
    {"tekniskNavn": "samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt",
     "beloep": 600000.0, "kategori": "inntekt"},
    {"tekniskNavn": "renteinntektAvBankinnskudd", "beloep": 2000.0, "kategori": "inntekt"},
    # A derived total restating the items above: not income of its own.
    {"tekniskNavn": "alminneligInntektFoerSaerfradrag", "beloep": 580000.0,
     "kategori": "inntekt"},
    {"tekniskNavn": "samletGjeld", "beloep": 3010000.0, "kategori": "formuesfradrag"},
]  # fmt: skip
ASSESSMENT = {"inntektsaar": "2025", "grunnlag": GRUNNLAG, "skjermet": False}


def test_income_is_the_tax_bases_income_items_without_derived_totals() -> None:
    assert gross_income(GRUNNLAG) == 602_000


@pytest.mark.parametrize(("terskel", "expected"), [("602000", True), ("603000", False)])
def test_income_at_least(terskel: str, expected: bool) -> None:
    answer = compute(SVAR_INNTEKT_MINST, ASSESSMENT, {"terskel": terskel}, TODAY)
    assert (answer.value, answer.reason) == (expected, None)


@pytest.mark.parametrize(("multiple", "expected"), [("5", True), ("4", False)])
def test_debt_at_most_a_multiple_of_income(multiple: str, expected: bool) -> None:
    # 3 010 000 is 5.0 times 602 000: at most five times, more than four.
    answer = compute(SVAR_GJELDSGRAD, ASSESSMENT, {"gjeldsgradGrense": multiple}, TODAY)
    assert answer.value is expected


def test_a_shielded_person_has_no_answer_never_a_guess() -> None:
    shielded = {"inntektsaar": "2025", "grunnlag": [], "skjermet": True}
    for product, parameters in ((SVAR_INNTEKT_MINST, {"terskel": "0"}),
                                (SVAR_GJELDSGRAD, {"gjeldsgradGrense": "5"})):  # fmt: skip
        answer = compute(product, shielded, parameters, TODAY)
        assert (answer.value, answer.reason) == (None, Unanswerable.SHIELDED)


def _settlement(deleted: str | None = None, ends: str = "2029-01-01") -> dict[str, Any]:
    return {"slettetDato": deleted, "gjeldsordning": {"gjeldsordningsperiodeTilDato": ends}}


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], False),
        ([{"gjeldsordning": None}], False),
        ([_settlement()], True),
        ([_settlement(deleted="2026-01-01")], False),
        ([_settlement(ends="2026-12-03")], False),  # the period has ended
        ([_settlement(ends="2026-12-04")], True),
    ],
)
def test_under_debt_settlement(entries: list[dict[str, Any]], expected: bool) -> None:
    answer = compute(SVAR_GJELDSORDNING, {"rettsstiftelser": entries}, {}, TODAY)
    assert answer.value is expected


def _soknad(telledato: str, paid: int | None) -> dict[str, Any]:
    return {"telledato": telledato,
            "vedtak": None if paid is None else {"utbetaltBelop": paid}}  # fmt: skip


@pytest.mark.parametrize(
    ("soknader", "value", "reason"),
    [
        ([_soknad("2025-03-01", 100), _soknad("2025-10-01", 200)], True, None),
        ([_soknad("2025-10-01", 200)], False, None),  # no application in March
        ([_soknad("2025-03-01", 0), _soknad("2025-10-01", None)], False, None),
        ([_soknad("2025-03-01", 100), _soknad("2025-10-01", None)], None, "undecided"),
    ],
)
def test_subsidies_in_every_round(
    soknader: list[dict[str, Any]], value: bool | None, reason: str | None
) -> None:
    rounds = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"}
    answer = compute(SVAR_PRODUKSJONSTILSKUDD, {"soknader": soknader}, rounds, TODAY)
    assert (answer.value, answer.reason) == (value, reason)


@pytest.mark.parametrize("terskel", ["600500", "100001000", "-1000", "6e5", "", "600000.0"])
def test_a_threshold_must_be_whole_thousands_within_range(terskel: str) -> None:
    with pytest.raises(MetadataError) as refused:
        SVAR_INNTEKT_MINST.metadata.validate({"inntektsaar": "2025", "terskel": terskel}, NOW)
    assert refused.value.code == "invalid-metadata"


def test_parameters_are_normalised_and_defaulted() -> None:
    spec = SVAR_GJELDSGRAD.metadata
    assert spec.validate({"inntektsaar": "2025"}, NOW) == {
        "inntektsaar": "2025", "gjeldsgradGrense": "5",
    }  # fmt: skip
    for bad in ("0", "11"):
        with pytest.raises(MetadataError):
            spec.validate({"inntektsaar": "2025", "gjeldsgradGrense": bad}, NOW)
    assert SVAR_INNTEKT_MINST.metadata.validate(
        {"inntektsaar": "2025", "terskel": 600000}, NOW
    ) == {"inntektsaar": "2025", "terskel": "600000"}


def test_an_answer_covers_exactly_the_consented_parameters() -> None:
    consented = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"}
    spec = SVAR_PRODUKSJONSTILSKUDD.metadata
    assert spec.covers(consented, consented)
    # A narrower range is a different question: it would tell one round from the other.
    assert not spec.covers(consented, {**consented, "fraogmedomgang": "2025-10"})


def test_the_texts_say_what_the_bank_learns_with_the_parameters_filled_in() -> None:
    parameters = {"inntektsaar": "2024", "terskel": "600000"}
    assert learns(SVAR_INNTEKT_MINST, parameters, "nb") == (
        "Banken får vite om inntekten din i 2024 var minst 600\u00a0000\u00a0kr, ikke beløpet."
    )
    assert learns(SVAR_INNTEKT_MINST, parameters, "en") == (
        "The bank learns whether your income in 2024 was at least NOK\u00a0600,000, not the amount."
    )
    assert asked(SVAR_INNTEKT_MINST, parameters, "nb", True) == (
        "Spurte om inntekten i 2024 var minst 600\u00a0000\u00a0kr: ja"
    )
    assert asked(SVAR_INNTEKT_MINST, parameters, "en", None, "shielded") == (
        "Asked whether the income in 2024 was at least NOK\u00a0600,000: "
        "cannot be answered (shielded)"
    )
    rounds = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2025-10"}
    assert "mars 2025 til og med oktober 2025" in learns(SVAR_PRODUKSJONSTILSKUDD, rounds, "nb")


def test_a_party_unknown_to_the_registry() -> None:
    # Landbruksdirektoratet knows only enterprises that applied: unknown means never paid.
    assert unknown_to_registry(SVAR_PRODUKSJONSTILSKUDD).value is False
    unknown = unknown_to_registry(SVAR_INNTEKT_MINST)
    assert (unknown.value, unknown.reason) == (None, Unanswerable.UNKNOWN_TO_REGISTRY)
