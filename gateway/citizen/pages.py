"""Routes of the citizen's pages: parse, call the service, render a template or redirect."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from gateway.citizen import authorization, oidc, receipt_page, service, web_security
from gateway.citizen.service import AuditedPageRefusal, PageError
from gateway.citizen.texts import TEXTS, language_or_default
from gateway.citizen.web_security import citizen_session
from gateway.clock import Now
from gateway.database import DbSession
from gateway.enterprises.authority import RolesRegistry
from gateway.problems import AuditedRefusal
from gateway.receipts.service import RECEIPT_KEYS_PATH, signed_receipt
from gateway.registries import Registries
from gateway.settings import Settings

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix=web_security.CITIZEN_PREFIX, include_in_schema=False)

LANGUAGE = "lang"
NEXT = "next"
FLASH = "flash"
HOME = "/citizen/consents"
# A form without the field is refused (and audited) as a failed CSRF check, like a wrong one.
LOGGED_OUT = "/citizen/logged-out"
CsrfField = Annotated[str, Form(alias=web_security.CSRF_FIELD, max_length=128)]


class LoginRequiredError(Exception):
    """No one is logged in; the browser is sent to log in and brought back."""


class SessionEndedError(AuditedRefusal):
    """A form came after its session ended (logout, idle or lifetime): a page explains.

    An audited refusal, so the request's session keeps its audit record.
    """

    def __init__(self, back: str) -> None:
        super().__init__(403, "session-ended", "The session has ended")
        self.back = back


def _language(request: Request) -> str:
    return language_or_default(request.session.get(LANGUAGE))


def _person(request: Request) -> str:
    person = citizen_session(request).person
    if person is None:
        request.session[NEXT] = request.url.path
        raise LoginRequiredError
    return person


def _roles_registry(request: Request) -> RolesRegistry:
    """Enhetsregisteret, through the process's Brønnøysund connector."""
    registries: Registries = request.app.state.registries
    return registries.brreg


def _answering_person(
    request: Request,
    session: Session,
    offered_csrf: str,
    back: str,
    *,
    action: str,
    now: datetime,
    consent_id: str | None = None,
    interaction_id: str | None = None,
) -> str:
    """The person sending a form, whose CSRF token must match their session's.

    A form sent after its session ended gets a page that offers to log in again
    and come `back`, rather than a bare refusal.
    """
    person = citizen_session(request).person
    if person is None:
        service.record_refusal(
            session,
            code="session-ended",
            person=None,
            action=action,
            consent_id=consent_id,
            interaction_id=interaction_id,
            now=now,
        )
        raise SessionEndedError(back)
    _check_csrf(
        request,
        session,
        offered_csrf,
        action=action,
        now=now,
        consent_id=consent_id,
        interaction_id=interaction_id,
    )
    return person


def _check_csrf(
    request: Request,
    session: Session,
    offered: str,
    *,
    action: str,
    now: datetime,
    consent_id: str | None = None,
    interaction_id: str | None = None,
) -> None:
    if not web_security.csrf_valid(request, offered):
        raise service.refuse(
            session,
            PageError(403, "csrf_title", "csrf"),
            code="csrf-failed",
            person=citizen_session(request).person,
            action=action,
            consent_id=consent_id,
            interaction_id=interaction_id,
            now=now,
        )


def masked(person: str) -> str:
    """The birth date part and the rest hidden, as Norwegian services show a logged-in person.

    ID-porten tells the gateway the number only, not the name."""
    return person[:6] + "\u00a0" + "*" * (len(person) - 6)


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    *,
    form_targets: list[str] | None = None,
) -> HTMLResponse:
    """Render a page; `form_targets` are origins its forms may end at (a bank's, by redirect)."""
    language = _language(request)
    person = citizen_session(request).person
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": TEXTS[language],
            "lang": language,
            "logged_in": person is not None,
            "logged_in_as": masked(person) if person is not None else None,
            "csrf_token": web_security.csrf_token(request),
            "csrf_field": web_security.CSRF_FIELD,
            **context,
        },
        status_code=status_code,
    )
    if form_targets:
        response.headers["content-security-policy"] = web_security.policy_with_form_targets(
            form_targets
        )
    return response


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _local_path(candidate: object) -> str:
    """Only paths of these pages are followed after login or a language switch."""
    if isinstance(candidate, str) and candidate.startswith("/citizen/") and "//" not in candidate:
        return candidate
    return HOME


@router.get("/")
def home() -> RedirectResponse:
    return _see_other(HOME)


@router.get("/login")
async def login(
    request: Request, back: Annotated[str | None, Query(alias=NEXT, max_length=500)] = None
) -> Response:
    settings: Settings = request.app.state.settings
    if back is not None:
        request.session[NEXT] = _local_path(back)
    try:
        return await oidc.start_login(request, settings)
    except oidc.LoginFailedError:
        return _render(
            request,
            "error.html",
            {"title": "login_failed_title", "message": "login_failed", "retry": True},
            status_code=503,
        )


@router.get("/login/callback")
async def login_callback(request: Request, now: Now) -> Response:
    try:
        login = await oidc.finish_login(request)
    except oidc.LoginFailedError:
        return _render(
            request,
            "error.html",
            {"title": "login_failed_title", "message": "login_failed", "retry": True},
            status_code=400,
        )
    next_path = _local_path(request.session.get(NEXT))
    language = request.session.get(LANGUAGE)
    # A new session at login: nothing from before it (an attacker's planted cookie) survives.
    request.session.clear()
    if language:
        request.session[LANGUAGE] = language
    citizen_session(request).log_in(login.person, login.idporten_sid, now)
    return _see_other(next_path)


@router.post("/logout")
def logout(
    request: Request, session: DbSession, now: Now, csrf: CsrfField = ""
) -> RedirectResponse:
    if citizen_session(request).person is None:
        return _see_other(LOGGED_OUT)  # already ended: nothing to do
    _check_csrf(request, session, csrf, action="logout", now=now)
    language = request.session.get(LANGUAGE)
    request.session.clear()
    if language:
        request.session[LANGUAGE] = language
    # The session's row goes now: a copy of the cookie opens nothing, in any process.
    citizen_session(request).log_out()
    # A page of our own, not a login: browsers check form-action along the redirects
    # after a form, and the way to ID-porten would leave 'self'.
    return _see_other(LOGGED_OUT)


@router.get("/logged-out", response_class=HTMLResponse)
def logged_out(request: Request) -> HTMLResponse:
    return _render(
        request,
        "error.html",
        {"title": "logged_out_title", "message": "logged_out", "log_in_again": HOME},
    )


@router.get("/language/{language}")
def switch_language(request: Request, language: str, back: str = HOME) -> RedirectResponse:
    request.session[LANGUAGE] = language_or_default(language)
    return _see_other(_local_path(back))


@router.get("/consentrequests/{consent_id}", response_class=HTMLResponse)
def consent_request_page(
    consent_id: str, request: Request, session: DbSession, now: Now
) -> HTMLResponse:
    view = service.consent_page(
        session,
        consent_id,
        person=_person(request),
        language=_language(request),
        now=now,
        registry=_roles_registry(request),
    )
    return _render(
        request, "consent_request.html", {"consent": view}, form_targets=[view.return_origin]
    )


@router.post("/consentrequests/{consent_id}/answer")
def answer_consent_request(
    consent_id: str,
    *,
    request: Request,
    session: DbSession,
    now: Now,
    decision: Annotated[str, Form(pattern="^(accept|refuse)$")],
    csrf: CsrfField = "",
) -> RedirectResponse:
    person = _answering_person(
        request,
        session,
        csrf,
        back=f"{web_security.CITIZEN_PREFIX}/consentrequests/{consent_id}",
        action="answer",
        now=now,
        consent_id=consent_id,
    )
    back_to_bank = service.answer(
        session,
        consent_id,
        person=person,
        accept=decision == "accept",
        now=now,
        registry=_roles_registry(request),
    )
    return _see_other(back_to_bank)


@router.get("/consentrequests/{consent_id}/answer")
def consent_answer_by_link(consent_id: str) -> RedirectResponse:
    """An answer's address opened as a page (a bookmark, a login's way back): show the request."""
    return _see_other(f"{web_security.CITIZEN_PREFIX}/consentrequests/{consent_id}")


@router.get("/authorize/{interaction_id}/answer")
def authorization_answer_by_link(interaction_id: str) -> RedirectResponse:
    return _see_other(f"{web_security.CITIZEN_PREFIX}/authorize/{interaction_id}")


@router.get("/authorize/{interaction_id}", response_class=HTMLResponse)
def authorization_page(
    interaction_id: str, request: Request, session: DbSession, now: Now
) -> HTMLResponse:
    """The consent page of the FAPI 2.0 code flow (the authorization endpoint sends the browser)."""
    view = authorization.authorization_page(
        session,
        interaction_id,
        person=_person(request),
        language=_language(request),
        now=now,
        registry=_roles_registry(request),
    )
    return _render(request, "authorize.html", {"consent": view}, form_targets=[view.return_origin])


@router.post("/authorize/{interaction_id}/answer")
def answer_authorization(
    interaction_id: str,
    *,
    request: Request,
    session: DbSession,
    now: Now,
    decision: Annotated[str, Form(pattern="^(accept|refuse)$")],
    csrf: CsrfField = "",
    organisation: Annotated[str | None, Form(max_length=16)] = None,
) -> RedirectResponse:
    person = _answering_person(
        request,
        session,
        csrf,
        back=f"{web_security.CITIZEN_PREFIX}/authorize/{interaction_id}",
        action="answer",
        now=now,
        interaction_id=interaction_id,
    )
    settings: Settings = request.app.state.settings
    back_to_bank = authorization.answer(
        session,
        interaction_id,
        person=person,
        accept=decision == "accept",
        issuer=settings.issuer_url,
        now=now,
        registry=_roles_registry(request),
        organisation=organisation,
    )
    return _see_other(back_to_bank)


@router.get("/consents", response_class=HTMLResponse)
def my_consents(request: Request, session: DbSession, now: Now) -> HTMLResponse:
    groups = service.my_consents(
        session, person=_person(request), language=_language(request), now=now
    )
    flash = request.session.pop(FLASH, None)
    return _render(request, "my_consents.html", {"groups": groups, "flash": flash})


@router.get("/consents/{consent_id}/revoke", response_class=HTMLResponse)
def confirm_revocation(
    consent_id: str, request: Request, session: DbSession, now: Now
) -> HTMLResponse:
    """Asks first: the revocation is the form on this page, so it works without script."""
    view = service.revocable_consent(
        session, consent_id, person=_person(request), language=_language(request), now=now
    )
    return _render(request, "revoke_confirm.html", {"consent": view})


@router.post("/consents/{consent_id}/revoke")
def revoke_consent(
    consent_id: str, request: Request, session: DbSession, now: Now, csrf: CsrfField = ""
) -> RedirectResponse:
    person = _answering_person(
        request, session, csrf, back=HOME, action="revoke", now=now, consent_id=consent_id
    )
    bank = service.revoke(session, consent_id, person=person, now=now)
    request.session[FLASH] = TEXTS[_language(request)]["revoked_done"].format(bank=bank)
    return _see_other(HOME)


@router.get("/consents/{consent_id}/receipt")
def download_receipt(consent_id: str, request: Request, session: DbSession, now: Now) -> Response:
    consent = service.receipt_consent(session, consent_id, person=_person(request), now=now)
    receipt = signed_receipt(
        session, request.app.state.settings, request.app.state.keys, consent, now=now
    )
    return Response(
        receipt,
        media_type="application/jose",
        headers={
            "Content-Disposition": f'attachment; filename="samtykkekvittering-{consent.id}.jws"'
        },
    )


@router.get("/consents/{consent_id}/receipt.html", response_class=HTMLResponse)
def show_receipt(consent_id: str, request: Request, session: DbSession, now: Now) -> HTMLResponse:
    """The receipt to read and print, built from the signed one it embeds."""
    person = _person(request)
    consent = service.receipt_consent(session, consent_id, person=person, now=now)
    if consent.accepted_at is None:
        raise PageError(409, "no_receipt_title", "no_receipt")
    settings: Settings = request.app.state.settings
    signed = signed_receipt(session, settings, request.app.state.keys, consent, now=now)
    view = receipt_page.receipt_view(signed, person=masked(person), language=_language(request))
    return _render(
        request,
        "receipt.html",
        {"receipt": view, "keys_url": settings.issuer_url + RECEIPT_KEYS_PATH},
    )


async def _on_page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return _render(
        request,
        "error.html",
        {
            "title": exc.title,
            "message": exc.message,
            "consent_status": exc.consent_status,
            "code": exc.code,
        },
        status_code=exc.status,
    )


async def _on_audited_page_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuditedPageRefusal)
    return await _on_page_error(request, exc.page)


async def _on_session_ended(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SessionEndedError)
    return _render(
        request,
        "error.html",
        {
            "title": "session_ended_title",
            "message": "session_ended",
            "log_in_again": f"{web_security.CITIZEN_PREFIX}/login?{urlencode({'next': exc.back})}",
        },
        status_code=403,
    )


async def _on_login_required(request: Request, exc: Exception) -> Response:
    return _see_other(f"{web_security.CITIZEN_PREFIX}/login")


def install(app: FastAPI, settings: Settings) -> None:
    app.state.oidc = oidc.make_oauth(settings)
    app.include_router(router)
    app.mount(
        f"{web_security.CITIZEN_PREFIX}/static",
        StaticFiles(directory=HERE / "static"),
        name="citizen-static",
    )
    app.add_exception_handler(PageError, _on_page_error)
    app.add_exception_handler(AuditedPageRefusal, _on_audited_page_refusal)
    app.add_exception_handler(LoginRequiredError, _on_login_required)
    app.add_exception_handler(SessionEndedError, _on_session_ended)
    web_security.install(app, settings)
