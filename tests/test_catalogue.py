"""The catalogue names each product once and checks its metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consent.catalogue import (
    PRODUCTS,
    MetadataError,
    Subject,
    application_rounds,
    find,
    latest_assessed_year,
)
from consent.parties import PartyType

MAY = datetime(2026, 5, 31, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def test_every_product_has_both_languages_and_a_dataset() -> None:
    assert set(PRODUCTS) == {
        "ske-samtykke-sbl-summert-skattegrunnlag",
        "ske-samtykke-sbl-inntekt",
        "brreg-samtykke-losore-rettsstiftelser",
        "brreg-samtykke-losore-rettsstiftelser-virksomhet",
        "ldir-samtykke-produksjonstilskudd",
        "fdir-akvakultur-tillatelser",
        "fdir-samtykke-akvakultur-biomasse",
        "ske-samtykke-sbl-summert-skattegrunnlag-enk",
        "ske-samtykke-svar-inntekt-minst",
        "ske-samtykke-svar-gjeldsgrad",
        "brreg-samtykke-svar-gjeldsordning",
        "ldir-samtykke-svar-produksjonstilskudd",
    }
    for product in PRODUCTS.values():
        assert set(product.texts) == {"nb", "en"}
        # A derived answer gives the bank no field: only the answer.
        assert bool(product.fields) is (product.answer is None)
        assert ":" in product.dataset
        assert product.longest_validity.days <= 365


def test_the_assessment_of_a_year_is_published_the_next_june() -> None:
    assert latest_assessed_year(MAY) == 2024
    assert latest_assessed_year(JUNE) == 2025


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        ({}, "missing-metadata"),
        ({"inntektsaar": "2025", "aar": "2025"}, "unknown-metadata"),
        ({"inntektsaar": "2026"}, "invalid-metadata"),  # not assessed yet
        ({"inntektsaar": "2020"}, "invalid-metadata"),  # too old
        ({"inntektsaar": "25"}, "invalid-metadata"),
        ({"inntektsaar": 2025}, "invalid-metadata"),
    ],
)
def test_inntektsaar_must_be_an_assessed_year(metadata: dict[str, object], code: str) -> None:
    product = find("ske-samtykke-sbl-summert-skattegrunnlag")
    assert product is not None
    with pytest.raises(MetadataError) as raised:
        product.metadata.validate(metadata, JUNE)
    assert raised.value.code == code


def test_a_valid_year_is_accepted() -> None:
    product = find("ske-samtykke-sbl-summert-skattegrunnlag")
    assert product is not None
    assert product.metadata.validate({"inntektsaar": "2021"}, JUNE) == {"inntektsaar": "2021"}


@pytest.mark.parametrize(
    "metadata",
    [
        {"fraogmed": "2025-06", "tilogmed": "2025-05"},  # backwards
        {"fraogmed": "2023-01", "tilogmed": "2026-01"},  # 37 months
        {"fraogmed": "2026-01", "tilogmed": "2026-06"},  # the current month has no data
        {"fraogmed": "2025-13", "tilogmed": "2025-12"},
        {"fraogmed": "2025-1", "tilogmed": "2025-12"},
    ],
)
def test_month_ranges_are_checked(metadata: dict[str, object]) -> None:
    product = find("ske-samtykke-sbl-inntekt")
    assert product is not None
    with pytest.raises(MetadataError):
        product.metadata.validate(metadata, JUNE)


def test_thirty_six_months_is_the_longest_range() -> None:
    product = find("ske-samtykke-sbl-inntekt")
    assert product is not None
    metadata = {"fraogmed": "2023-01", "tilogmed": "2025-12"}
    assert product.metadata.validate(metadata, JUNE) == metadata


def test_coverage_does_not_grow() -> None:
    inntekt = PRODUCTS["ske-samtykke-sbl-inntekt"]
    skatt = PRODUCTS["ske-samtykke-sbl-summert-skattegrunnlag"]
    losore = PRODUCTS["brreg-samtykke-losore-rettsstiftelser"]
    consented = {"fraogmed": "2025-01", "tilogmed": "2025-12"}
    assert inntekt.metadata.covers(consented, {"fraogmed": "2025-03", "tilogmed": "2025-04"})
    assert not inntekt.metadata.covers(consented, {"fraogmed": "2024-12", "tilogmed": "2025-04"})
    assert not inntekt.metadata.covers(consented, {"fraogmed": "2025-03", "tilogmed": "2026-01"})
    assert not inntekt.metadata.covers(consented, {"fraogmed": "2025-03"})
    assert skatt.metadata.covers({"inntektsaar": "2024"}, {"inntektsaar": "2024"})
    assert not skatt.metadata.covers({"inntektsaar": "2024"}, {"inntektsaar": "2023"})
    assert losore.metadata.covers({}, {})
    assert not losore.metadata.covers({}, {"inntektsaar": "2024"})


def test_unknown_products_are_not_found() -> None:
    assert find("ske-samtykke-sbl-formue") is None


def test_each_product_is_either_a_persons_or_an_enterprises() -> None:
    for product in PRODUCTS.values():
        assert product.parties in ({PartyType.PERSON}, {PartyType.ORGANISATION})
    enterprise = {p.id for p in PRODUCTS.values() if p.for_organisations}
    assert enterprise == {
        "brreg-samtykke-losore-rettsstiftelser-virksomhet",
        "ldir-samtykke-produksjonstilskudd",
        "fdir-akvakultur-tillatelser",
        "fdir-samtykke-akvakultur-biomasse",
        "ske-samtykke-sbl-summert-skattegrunnlag-enk",
        "ldir-samtykke-svar-produksjonstilskudd",
    }
    # Only the ENK's tax product reads a person: the owner who consented.
    owners = {p.id for p in PRODUCTS.values() if p.subject is Subject.SOLE_PROPRIETOR}
    assert owners == {"ske-samtykke-sbl-summert-skattegrunnlag-enk"}


@pytest.mark.parametrize(
    "metadata",
    [
        {"fraogmedomgang": "2025-10", "tilogmedomgang": "2025-03"},  # backwards
        {"fraogmedomgang": "2025-04", "tilogmedomgang": "2025-10"},  # April counts nothing
        {"fraogmedomgang": "2025-03", "tilogmedomgang": "2026-10"},  # not counted yet in June
        {"fraogmedomgang": "2021-03", "tilogmedomgang": "2025-10"},  # ten rounds
        {"fraogmedomgang": "2025", "tilogmedomgang": "2025-10"},
    ],
)
def test_application_rounds_are_checked(metadata: dict[str, object]) -> None:
    product = find("ldir-samtykke-produksjonstilskudd")
    assert product is not None
    with pytest.raises(MetadataError):
        product.metadata.validate(metadata, JUNE)


def test_rounds_counted_already_are_accepted_and_covered() -> None:
    product = find("ldir-samtykke-produksjonstilskudd")
    assert product is not None
    consented = {"fraogmedomgang": "2025-03", "tilogmedomgang": "2026-03"}
    assert product.metadata.validate(consented, JUNE) == consented
    assert application_rounds("2025-03", "2026-03") == ["2025-03", "2025-10", "2026-03"]
    assert product.metadata.covers(
        consented, {"fraogmedomgang": "2025-10", "tilogmedomgang": "2025-10"}
    )
    assert not product.metadata.covers(
        consented, {"fraogmedomgang": "2024-10", "tilogmedomgang": "2025-10"}
    )
