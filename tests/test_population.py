"""The synthetic population: deterministic, valid, consistent, with its edge cases."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from consent.identifiers import is_valid_organisation_number, parse_national_identity_number
from mock_registries.population import (
    ACTIVE_BANKS,
    FJORDKYST,
    HAVBRIS,
    INCOME_YEARS,
    SKOGLY,
    TINDEVIK,
    Trait,
    build_population,
)


def test_the_same_seed_gives_the_same_population_and_another_seed_another() -> None:
    first = build_population(7, 300)
    again = build_population.__wrapped__(7, 300)  # bypass the cache: really rebuild
    other = build_population.__wrapped__(8, 300)
    assert first == again
    assert list(first.persons) == list(again.persons)
    generated = set(first.persons) - {p.fnr for p in first.named}
    assert generated != set(other.persons) - {p.fnr for p in other.named}


def test_the_default_population_is_large_and_every_number_is_synthetic() -> None:
    population = build_population()
    assert len(population.persons) >= 1000
    for fnr in population.persons:
        assert parse_national_identity_number(fnr).synthetic
    for orgnr in population.organisations:
        assert is_valid_organisation_number(orgnr)


def test_every_edge_case_is_present_among_the_named_persons() -> None:
    named = build_population().named
    traits = Counter(trait for person in named for trait in person.traits)
    for trait in Trait:
        assert traits[trait] >= 1, trait
    d_number = next(p for p in named if p.has(Trait.D_NUMBER))
    assert parse_national_identity_number(d_number.fnr).kind == "dnr"
    assert next(p for p in named if p.has(Trait.DEBT_SETTLEMENT)).liens[0].debt_settlement


def test_the_named_organisations_cover_the_bank_cases() -> None:
    population = build_population()
    assert len(ACTIVE_BANKS) >= 3
    for orgnr in (*ACTIVE_BANKS, HAVBRIS, SKOGLY, TINDEVIK):
        organisation = population.organisation(orgnr)
        assert organisation is not None
        assert organisation.is_bank
    assert population.organisations[HAVBRIS].konkurs
    assert population.organisations[SKOGLY].under_avvikling
    assert population.organisations[TINDEVIK].slettedato is not None
    assert not population.organisations[FJORDKYST].konkurs


def test_finances_are_internally_consistent() -> None:
    population = build_population(2025, 300)
    for person in population.persons.values():
        for year in person.assessed_years:
            monthly = sum(
                amount for month in range(1, 13) for _, amount in person.salaries_paid(year, month)
            )
            assert person.salary_in(year) == monthly
        debts = [sum(person.debt_in(year)) for year in INCOME_YEARS]
        assert debts == sorted(debts, reverse=True)  # debt is paid down, never grows
        for lien in person.liens:
            assert lien.creditor in population.organisations


def test_the_readme_lists_the_named_persons_and_organisations() -> None:
    readme = (Path(__file__).resolve().parent.parent / "mock_registries" / "README.md").read_text()
    population = build_population()
    for person in population.named:
        assert f"| `{person.fnr}` | {person.name} |" in readme
    for orgnr in (*ACTIVE_BANKS, HAVBRIS, SKOGLY, TINDEVIK):
        assert f"| `{orgnr}` | {population.organisations[orgnr].navn} |" in readme
