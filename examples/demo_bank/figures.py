"""What the bank reads out of a loan-application bundle: the figures a case officer looks at.

Pure functions from the gateway's JSON to small records the templates show;
nothing here talks HTTP.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from examples.demo_bank.messages import Message, part_failure
from examples.demo_bank.products import INNTEKT, LOSORE, SKATTEGRUNNLAG, SOURCES, months_between

# Norway's lending regulation caps a borrower's total debt at five times gross income.
DEBT_TO_INCOME_LIMIT = 5.0
# A derived total, not a source of income: left out of gross income.
DERIVED_INCOME_POSTS = frozenset({"alminneligInntektFoerSaerfradrag"})
POST_LABELS = {
    "samletLoennsinntektMedTrygdeavgiftspliktOgMedTrekkplikt": "Lønnsinntekt",
    "renteinntektAvBankinnskudd": "Renteinntekter av bankinnskudd",
    "alminneligInntektFoerSaerfradrag": "Alminnelig inntekt før særfradrag",
    "renteutgiftPaaGjeld": "Renteutgifter på gjeld",
    "bruttoformue": "Bruttoformue",
    "innskudd": "Bankinnskudd",
    "formuesverdiForPrimaerbolig": "Formuesverdi av primærbolig",
    "nettoformue": "Nettoformue",
    "samletGjeld": "Samlet gjeld",
    "gjeldIInnenlandskeBanker": "Gjeld i norske banker",
}
LIEN_LABELS = {
    "UTLEGGSPANT": "Utleggspant",
    "GJELDSORDNING": "Gjeldsordning",
    "SALGSPANT": "Salgspant",
}
NORWAY = ZoneInfo("Europe/Oslo")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")


def kroner(amount: float | int) -> str:
    """Norwegian style: 1 234 567 kr, grouped with no-break spaces."""
    grouped = f"{round(amount):,}".replace(",", "\u00a0").replace("-", "\u2212")
    return f"{grouped}\u00a0kr"


def oslo_time(moment: datetime) -> str:
    """Norwegian time with its zone, as the applicant's clock shows it: 04.12.2026 kl. 18:09 CET."""
    local = moment.astimezone(NORWAY)
    return local.strftime("%d.%m.%Y kl. %H:%M ") + (local.tzname() or "")


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]}. {year}"


@dataclass(frozen=True)
class Post:
    label: str
    amount: int
    category: str


@dataclass(frozen=True)
class Assessment:
    inntektsaar: str
    stage: str
    income: int
    net_wealth: int
    debt: int
    posts: list[Post]
    # Skjermet: the Tax Administration gives no amounts. The figures above are then
    # unknown, never zero.
    shielded: bool = False


@dataclass(frozen=True)
class MonthPay:
    month: str
    label: str
    amount: int
    reports: int

    @property
    def reported(self) -> bool:
        """No employer has reported the month to A-ordningen yet: its pay is unknown, not 0."""
        return self.reports > 0


@dataclass(frozen=True)
class Lien:
    kind: str
    creditor: str
    amount: int
    registered: str
    status: str
    debt_settlement: bool


@dataclass(frozen=True)
class FailedPart:
    source: str
    code: str
    title: str
    latest_available_year: int | None = None

    @property
    def message(self) -> Message:
        return part_failure(self.code)

    @property
    def explanation(self) -> str:
        return self.message.nb


@dataclass(frozen=True)
class Figures:
    assessment: Assessment | None
    pay: list[MonthPay] | None
    liens: list[Lien] | None
    failures: list[FailedPart]

    def debt_to_income(self, new_loan: int = 0) -> float | None:
        """Total debt (with the loan applied for) over gross income from the assessment."""
        if self.assessment is None or self.assessment.shielded or self.assessment.income <= 0:
            return None
        return (self.assessment.debt + new_loan) / self.assessment.income

    @property
    def average_pay(self) -> int | None:
        paid = [month.amount for month in self.pay or [] if month.reported]
        return round(sum(paid) / len(paid)) if paid else None


def assessment_of(data: dict[str, Any]) -> Assessment:
    amounts: dict[str, int] = defaultdict(int)
    posts = []
    income = 0
    for item in data.get("grunnlag") or []:
        name, amount, category = item["tekniskNavn"], round(float(item["beloep"])), item["kategori"]
        amounts[name] += amount
        posts.append(Post(POST_LABELS.get(name, name), amount, category))
        if category == "inntekt" and name not in DERIVED_INCOME_POSTS:
            income += amount
    debt = amounts.get("samletGjeld", 0)
    # Zero items are left out of an assessment, so a missing nettoformue may mean debt > wealth.
    net_wealth = amounts.get("nettoformue", amounts.get("bruttoformue", 0) - debt)
    return Assessment(
        inntektsaar=str(data.get("inntektsaar", "")),
        stage=str(data.get("stadie", "")),
        income=income,
        net_wealth=net_wealth,
        debt=debt,
        posts=posts,
        shielded=bool(data.get("skjermet")),
    )


def pay_of(data: dict[str, Any]) -> list[MonthPay]:
    """Every month of the consented period, summed over employers.

    A month no employer has reported yet has `reports == 0`: shown as not reported and left
    out of averages, never as a month without pay.
    """
    totals: dict[str, float] = defaultdict(float)
    reports: dict[str, int] = defaultdict(int)
    for oppgave in data.get("oppgaveInntektsmottaker") or []:
        month = str(oppgave["kalendermaaned"])
        reports[month] += 1
        totals[month] += sum(float(inntekt["beloep"]) for inntekt in oppgave.get("inntekt") or [])
    months = (
        months_between(str(data["fraogmed"]), str(data["tilogmed"]))
        if data.get("fraogmed") and data.get("tilogmed")
        else sorted(totals)
    )
    return [MonthPay(m, month_label(m), round(totals[m]), reports[m]) for m in months]


def liens_of(data: dict[str, Any]) -> list[Lien]:
    liens = []
    for entry in data.get("rettsstiftelser") or []:
        creditor = next(
            (role["navn"] for role in entry.get("roller") or [] if role.get("rolleinnehaverType")
             == "VIRKSOMHET"),
            "",
        )  # fmt: skip
        amounts = (entry.get("krav") or {}).get("belop") or []
        kind = str(entry.get("type", ""))
        liens.append(
            Lien(
                kind=LIEN_LABELS.get(kind, kind.replace("_", " ").capitalize()),
                creditor=creditor,
                amount=sum(int(amount.get("belop", 0)) for amount in amounts),
                registered=str(entry.get("innkomsttidspunkt", ""))[:10],
                status=str(entry.get("status", "")).lower(),
                debt_settlement=entry.get("gjeldsordning") is not None,
            )
        )
    return liens


def _year_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def figures_of(parts: dict[str, Any]) -> Figures:
    """The figures from the bundle's parts; a failed part is listed, never guessed."""
    failures = [
        FailedPart(
            SOURCES.get(product, product),
            str(part.get("problem", {}).get("code", "unknown")),
            str(part.get("problem", {}).get("title", "")),
            _year_or_none(part.get("problem", {}).get("latestAvailableYear")),
        )
        for product, part in parts.items()
        if part.get("status") != "ok"
    ]

    def data(product: str) -> dict[str, Any] | None:
        part = parts.get(product)
        return part["data"] if part and part.get("status") == "ok" else None

    skattegrunnlag, inntekt, losore = data(SKATTEGRUNNLAG), data(INNTEKT), data(LOSORE)
    return Figures(
        assessment=assessment_of(skattegrunnlag) if skattegrunnlag is not None else None,
        pay=pay_of(inntekt) if inntekt is not None else None,
        liens=liens_of(losore) if losore is not None else None,
        failures=failures,
    )
