"""The demo bank's reading of a loan-application bundle, and its chart, without servers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from examples.demo_bank.chart import monthly_income_chart
from examples.demo_bank.figures import figures_of, kroner, oslo_time
from examples.demo_bank.products import (
    INNTEKT,
    LOSORE,
    SKATTEGRUNNLAG,
    last_complete_months,
    latest_assessed_year,
)


def post(name: str, amount: float, category: str) -> dict[str, Any]:
    return {"tekniskNavn": name, "beloep": amount, "kategori": category}


def ok(data: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "data": data}


def pay(month: str, *amounts: float) -> dict[str, Any]:
    return {"kalendermaaned": month, "inntekt": [{"beloep": amount} for amount in amounts]}


ASSESSMENT = {
    "inntektsaar": 2025,
    "grunnlag": [
        post("samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt", 600_000.0, "inntekt"),
        post("renteinntektAvBankinnskudd", 4_000.0, "inntekt"),
        post("alminneligInntektFoerSaerfradrag", 520_000.0, "inntekt"),
        post("bruttoformue", 1_500_000.0, "formue"),
        post("samletGjeld", 2_000_000.0, "formuesfradrag"),
    ],
}


def test_income_leaves_out_derived_totals_and_net_wealth_may_be_negative() -> None:
    figures = figures_of({SKATTEGRUNNLAG: ok(ASSESSMENT)})
    assert figures.assessment is not None
    assert figures.assessment.income == 604_000
    assert figures.assessment.debt == 2_000_000
    # No nettoformue item (the register leaves zeros out): gross wealth less debt.
    assert figures.assessment.net_wealth == -500_000
    assert figures.debt_to_income() == 2_000_000 / 604_000
    assert figures.debt_to_income(1_000_000) == 3_000_000 / 604_000


def test_a_stated_nettoformue_is_used_as_it_stands() -> None:
    data = {**ASSESSMENT, "grunnlag": [*ASSESSMENT["grunnlag"], post("nettoformue", 7.0, "formue")]}
    figures = figures_of({SKATTEGRUNNLAG: ok(data)})
    assert figures.assessment is not None
    assert figures.assessment.net_wealth == 7


def test_monthly_pay_sums_employers_and_shows_months_without_reports() -> None:
    data = {
        "fraogmed": "2025-11",
        "tilogmed": "2026-01",
        "oppgaveInntektsmottaker": [
            pay("2025-11", 30_000.0),
            pay("2025-11", 10_000.5),
            pay("2026-01", 41_000.0),
        ],
    }
    figures = figures_of({INNTEKT: ok(data)})
    assert [(m.month, m.amount, m.reports) for m in figures.pay or []] == [
        ("2025-11", 40_000, 2),
        ("2025-12", 0, 0),
        ("2026-01", 41_000, 1),
    ]
    assert figures.average_pay == 40_500  # months without pay are not averaged in
    assert figures.debt_to_income() is None  # no assessment, no ratio


def test_failed_parts_are_listed_and_never_guessed() -> None:
    problem = {"code": "registry-timeout", "title": "The registry did not answer in time"}
    figures = figures_of(
        {
            SKATTEGRUNNLAG: {"status": "failed", "problem": problem},
            LOSORE: ok({"rettsstiftelser": []}),
        }
    )
    assert figures.assessment is None
    assert figures.liens == []
    (failure,) = figures.failures
    assert (failure.source, failure.code) == ("Skatteetaten", "registry-timeout")
    assert "svarte ikke" in failure.explanation


def test_the_chart_has_a_bar_per_month_under_a_round_top() -> None:
    data = {
        "fraogmed": "2026-01",
        "tilogmed": "2026-03",
        "oppgaveInntektsmottaker": [pay("2026-01", 55_000.0), pay("2026-03", 27_500.0)],
    }
    chart = monthly_income_chart(figures_of({INNTEKT: ok(data)}).pay or [])
    assert chart is not None
    assert [bar.label for bar in chart.bars] == ["jan", "feb", "mar"]
    assert chart.grid[-1].label == "100\u00a0000"
    tallest, empty, half = (bar.height for bar in chart.bars)
    assert empty == 0
    assert half == tallest / 2
    assert monthly_income_chart([]) is None


def test_norwegian_amounts_and_default_periods() -> None:
    assert kroner(-1_234_567) == "\u22121\u00a0234\u00a0567\u00a0kr"
    assert latest_assessed_year(date(2026, 5, 31)) == 2024
    assert latest_assessed_year(date(2026, 6, 1)) == 2025
    assert last_complete_months(date(2026, 1, 15)) == ("2025-01", "2025-12")


def test_a_shielded_assessment_has_no_figures_and_no_ratio() -> None:
    """Skjermet: no amounts come, and that is not a person with nothing."""
    shielded = {"inntektsaar": 2025, "grunnlag": [], "skjermet": True}
    figures = figures_of({SKATTEGRUNNLAG: ok(shielded)})
    assert figures.assessment is not None
    assert figures.assessment.shielded
    assert figures.debt_to_income() is None
    assert figures.debt_to_income(1_000_000) is None
    assert not figures_of({SKATTEGRUNNLAG: ok(ASSESSMENT)}).assessment.shielded  # type: ignore[union-attr]


def test_a_month_not_reported_yet_is_left_out_of_the_average() -> None:
    """A reported month of 0 kr counts; a month no employer has reported yet does not."""
    data = {
        "fraogmed": "2026-09",
        "tilogmed": "2026-11",
        "oppgaveInntektsmottaker": [pay("2026-09", 40_000.0), pay("2026-10", 0.0)],
    }
    figures = figures_of({INNTEKT: ok(data)})
    assert [(m.month, m.reported) for m in figures.pay or []] == [
        ("2026-09", True),
        ("2026-10", True),
        ("2026-11", False),
    ]
    assert figures.average_pay == 20_000
    chart = monthly_income_chart(figures.pay or [])
    assert chart is not None
    assert chart.bars[-1].title == "nov. 2026: ikke rapportert ennå"


def test_a_failed_part_keeps_the_latest_year_there_is() -> None:
    problem = {"code": "no-data-for-period", "title": "No data", "latestAvailableYear": 2024}
    (failure,) = figures_of({SKATTEGRUNNLAG: {"status": "failed", "problem": problem}}).failures
    assert failure.latest_available_year == 2024
    assert failure.message.en.startswith("The registry has nothing for this period yet")


def test_times_are_norwegian_with_their_zone() -> None:
    assert oslo_time(datetime(2026, 12, 4, 17, 5, tzinfo=UTC)) == "04.12.2026 kl. 18:05 CET"
    assert oslo_time(datetime(2026, 6, 1, 10, 0, tzinfo=UTC)) == "01.06.2026 kl. 12:00 CEST"
