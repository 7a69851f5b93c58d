"""The bank's pages: start, off to the consent page, back, and the figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from samtykke_client import SamtykkeError, TransportError

from examples.demo_bank import enterprise, messages, products
from examples.demo_bank.applications import Application
from examples.demo_bank.chart import monthly_income_chart
from examples.demo_bank.figures import DEBT_TO_INCOME_LIMIT, figures_of
from examples.demo_bank.forms import (
    ApplicationForm,
    FormError,
    read_form,
    read_precheck,
    years_offered,
)
from examples.demo_bank.messages import Message
from examples.demo_bank.service import ApplicationRefusedError, LoanDesk, NotRegisteredError

router = APIRouter()


def _desk(request: Request) -> LoanDesk:
    desk: LoanDesk = request.app.state.desk
    return desk


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _message(request: Request, message: Message, status_code: int) -> HTMLResponse:
    return _page(request, "message.html", status_code, message=message)


def _start_page(
    request: Request,
    *,
    error: Message | None = None,
    status_code: int = 200,
    loan_amount: str = "",
    year: int | None = None,
) -> HTMLResponse:
    today = date.today()
    years = years_offered(today)
    fraogmed, tilogmed = products.last_complete_months(today)
    return _page(
        request,
        "start.html",
        status_code,
        error=error,
        loan_amount=loan_amount,
        years=years,
        selected_year=year if year in years else years[0],
        fraogmed=fraogmed,
        tilogmed=tilogmed,
        registered=bool(_desk(request).settings.client_id),
    )


# The statuses of a consent that was given: its page shows the figures, or why they are gone.
ONCE_ACCEPTED = frozenset({"accepted", "revoked", "expired", "used", "deleted"})


def _accepted_application(request: Request, application_id: str) -> Application | None:
    application = _desk(request).applications.get(application_id)
    return application if application is not None and application.status in ONCE_ACCEPTED else None


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def start(request: Request, inntektsaar: int | None = None) -> HTMLResponse:
    """The form; `inntektsaar` preselects a year (offered when a year has no assessment yet)."""
    return _start_page(request, year=inntektsaar)


@router.post("/applications", response_model=None)
def apply(request: Request, form: Annotated[ApplicationForm, Form()]) -> Response:
    """Ask the gateway for consent, then send the browser to the consent page."""

    def start() -> Application:
        loan = read_form(form, date.today())
        return _desk(request).start(loan.person, loan.loan_amount, loan.choice)

    return _consent_asked(request, form, start)


@router.post("/forhandssjekk", response_model=None)
def precheck(request: Request, form: Annotated[ApplicationForm, Form()]) -> Response:
    """Ask consent to yes-or-no answers only, then send the browser to the consent page."""

    def start() -> Application:
        person, loan_amount = read_precheck(form)
        return _desk(request).start_precheck(person, loan_amount)

    return _consent_asked(request, form, start)


def _consent_asked(
    request: Request, form: ApplicationForm, start: Callable[[], Application]
) -> Response:
    """The consent page for the application `start` asked for, or the form with why not."""
    try:
        application = start()
    except FormError as error:
        error_text, status_code = error.message, 400
    except NotRegisteredError:
        error_text, status_code = messages.NOT_REGISTERED, 503
    except ApplicationRefusedError as refused:
        error_text, status_code = messages.request_refusal(refused.code), 400
    except TransportError:
        error_text, status_code = messages.UNREACHABLE, 503
    else:
        return RedirectResponse(application.view_uri, status_code=303)
    return _start_page(
        request, error=error_text, status_code=status_code, loan_amount=form.laanebeloep
    )


@router.post("/applications/{application_id}/full", response_model=None)
def full_application(request: Request, application_id: str) -> Response:
    """After a pre-check: ask for the figures themselves, with a consent of their own."""
    application = _accepted_application(request, application_id)
    if application is None or not application.precheck:
        return _message(request, messages.NO_SUCH_APPLICATION, status_code=404)
    today = date.today()
    choice = products.Choice(
        inntektsaar=products.latest_assessed_year(today),
        months=products.last_complete_months(today),
        losore=True,
    )
    try:
        full = _desk(request).start(application.person, application.loan_amount, choice)
    except NotRegisteredError:
        return _message(request, messages.NOT_REGISTERED, 503)
    except ApplicationRefusedError as refused:
        return _message(request, messages.request_refusal(refused.code), 400)
    except TransportError:
        return _message(request, messages.UNREACHABLE, 503)
    return RedirectResponse(full.view_uri, status_code=303)


@router.get("/bedrift", response_class=HTMLResponse)
def enterprise_start(request: Request) -> HTMLResponse:
    return _page(
        request,
        "enterprise_start.html",
        error=None,
        registered=bool(_desk(request).settings.client_id),
    )


@router.post("/bedrift/soknader", response_model=None)
def enterprise_apply(
    request: Request,
    fodselsnummer: Annotated[str, Form(max_length=16)],
    organisasjonsnummer: Annotated[str, Form(max_length=16)],
    kind: Annotated[str, Form(pattern="^(landbruk|havbruk)$")],
    laanebeloep: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Ask for the enterprise's consent, then send the browser to the consent page."""
    person = fodselsnummer.replace(" ", "")
    organisation = organisasjonsnummer.replace(" ", "")
    amount = laanebeloep.replace(" ", "")
    error_text, status_code = "", 400
    if not person.isdigit() or len(person) != 11:
        error_text = "Fødselsnummeret må ha 11 siffer."
    elif not enterprise.ORGANISATION_NUMBER.match(organisation):
        error_text = "Organisasjonsnummeret må ha 9 siffer."
    else:
        try:
            application = _desk(request).start_enterprise(
                person, organisation, kind, int(amount) if amount.isdigit() else 0
            )
        except NotRegisteredError:
            error_text, status_code = "Banken er ikke registrert hos samtykkeløsningen.", 503
        except ApplicationRefusedError as refused:
            error_text = f"Samtykkeløsningen avviste forespørselen: {refused}"
        except TransportError:
            error_text = "Vi får ikke kontakt med samtykkeløsningen nå. Prøv igjen om litt."
            status_code = 503
        else:
            return RedirectResponse(application.view_uri, status_code=303)
    return _page(
        request,
        "enterprise_start.html",
        status_code,
        error=error_text,
        registered=bool(_desk(request).settings.client_id),
    )


@router.get("/return", response_model=None)
def returned(request: Request, consentRequestId: str = "") -> Response:  # noqa: N803
    """Back from the consent page. The status is read from the gateway, not from the URL."""
    desk = _desk(request)
    application = desk.applications.get(consentRequestId)
    if application is None:
        return _message(request, messages.NO_SUCH_APPLICATION, status_code=404)
    try:
        status = desk.refresh_status(application)
    except (SamtykkeError, TransportError):
        return _message(request, messages.UNREACHABLE, 503)
    if status == "accepted":
        return RedirectResponse(f"/applications/{application.id}", status_code=303)
    if status == "rejected":
        return _page(request, "rejected.html", application=application)
    return _page(
        request,
        "not_answered.html",
        application=application,
        status=status,
        message=messages.status_message(status),
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def result(request: Request, application_id: str) -> HTMLResponse:
    application = _accepted_application(request, application_id)
    if application is None:
        return _message(request, messages.NO_SUCH_APPLICATION, status_code=404)
    if application.precheck:
        return _precheck_result(request, application)
    if application.bundle is None and application.refusal is None:
        _desk(request).fetch(application)
    if application.bundle is None:
        return _page(
            request,
            "refused.html",
            application=application,
            code=application.refusal,
            message=messages.fetch_refusal(application.refusal or ""),
        )
    if application.enterprise is not None:
        return _page(
            request,
            "enterprise_result.html",
            application=application,
            figures=enterprise.figures_of(application.bundle.get("parts") or {}),
            loan=enterprise.KINDS[application.kind or "landbruk"],
        )
    figures = figures_of(application.bundle.get("parts") or {})
    return _page(
        request,
        "result.html",
        application=application,
        figures=figures,
        chart=monthly_income_chart(figures.pay or []),
        debt_to_income=figures.debt_to_income(),
        debt_to_income_with_loan=figures.debt_to_income(application.loan_amount),
        limit=DEBT_TO_INCOME_LIMIT,
        shielded=messages.SHIELDED,
        refusal=messages.fetch_refusal(application.refusal) if application.refusal else None,
    )


def _precheck_result(request: Request, application: Application) -> HTMLResponse:
    if application.answers is None and application.refusal is None:
        _desk(request).ask_answers(application)
    if application.answers is None:
        return _page(
            request,
            "refused.html",
            application=application,
            code=application.refusal,
            message=messages.fetch_refusal(application.refusal or ""),
        )
    return _page(
        request,
        "precheck_result.html",
        application=application,
        answers=application.answers,
        all_good=all(answer.good for answer in application.answers),
    )


@router.post("/applications/{application_id}/fetch", response_model=None)
def fetch_again(request: Request, application_id: str) -> Response:
    application = _accepted_application(request, application_id)
    if application is None:
        return _message(request, messages.NO_SUCH_APPLICATION, status_code=404)
    if application.precheck:
        _desk(request).ask_answers(application)
    else:
        _desk(request).fetch(application)
    return RedirectResponse(f"/applications/{application.id}", status_code=303)
