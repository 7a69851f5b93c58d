"""Routes of the citizen's pages: parse, call the service, render a template or redirect."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from gateway.citizen import authorization, oidc, service, web_security
from gateway.citizen.service import PageError
from gateway.citizen.texts import TEXTS, language_or_default
from gateway.clock import Now
from gateway.database import DbSession
from gateway.enterprises.authority import RolesRegistry
from gateway.receipts.service import signed_receipt
from gateway.registries import Registries
from gateway.settings import Settings

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix=web_security.CITIZEN_PREFIX, include_in_schema=False)

PERSON = "person"
LANGUAGE = "lang"
NEXT = "next"
FLASH = "flash"
HOME = "/citizen/consents"
CsrfField = Annotated[str, Form(alias=web_security.CSRF_FIELD, max_length=128)]


class LoginRequiredError(Exception):
    """No one is logged in; the browser is sent to log in and brought back."""


def _language(request: Request) -> str:
    return language_or_default(request.session.get(LANGUAGE))


def _person(request: Request) -> str:
    person = request.session.get(PERSON)
    if not isinstance(person, str):
        request.session[NEXT] = request.url.path
        raise LoginRequiredError
    return person


def _roles_registry(request: Request) -> RolesRegistry:
    """Enhetsregisteret, through the process's Brønnøysund connector."""
    registries: Registries = request.app.state.registries
    return registries.brreg


def _check_csrf(request: Request, offered: str) -> None:
    if not web_security.csrf_valid(request, offered):
        raise PageError(403, "csrf_title", "csrf")


def _render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    language = _language(request)
    return templates.TemplateResponse(
        request,
        template,
        {
            "t": TEXTS[language],
            "lang": language,
            "logged_in": PERSON in request.session,
            "csrf_token": web_security.csrf_token(request),
            "csrf_field": web_security.CSRF_FIELD,
            **context,
        },
        status_code=status_code,
    )


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
async def login(request: Request) -> Response:
    settings: Settings = request.app.state.settings
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
async def login_callback(request: Request) -> Response:
    try:
        person = await oidc.finish_login(request)
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
    request.session[PERSON] = person
    if language:
        request.session[LANGUAGE] = language
    return _see_other(next_path)


@router.post("/logout")
def logout(request: Request, csrf: CsrfField) -> RedirectResponse:
    _check_csrf(request, csrf)
    language = request.session.get(LANGUAGE)
    request.session.clear()
    if language:
        request.session[LANGUAGE] = language
    return _see_other(HOME)


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
    return _render(request, "consent_request.html", {"consent": view})


@router.post("/consentrequests/{consent_id}/answer")
def answer_consent_request(
    consent_id: str,
    *,
    request: Request,
    session: DbSession,
    now: Now,
    csrf: CsrfField,
    decision: Annotated[str, Form(pattern="^(accept|refuse)$")],
) -> RedirectResponse:
    _check_csrf(request, csrf)
    back_to_bank = service.answer(
        session,
        consent_id,
        person=_person(request),
        accept=decision == "accept",
        now=now,
        registry=_roles_registry(request),
    )
    return _see_other(back_to_bank)


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
    return _render(request, "authorize.html", {"consent": view})


@router.post("/authorize/{interaction_id}/answer")
def answer_authorization(
    interaction_id: str,
    *,
    request: Request,
    session: DbSession,
    now: Now,
    csrf: CsrfField,
    decision: Annotated[str, Form(pattern="^(accept|refuse)$")],
    organisation: Annotated[str | None, Form(max_length=16)] = None,
) -> RedirectResponse:
    _check_csrf(request, csrf)
    settings: Settings = request.app.state.settings
    back_to_bank = authorization.answer(
        session,
        interaction_id,
        person=_person(request),
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


@router.post("/consents/{consent_id}/revoke")
def revoke_consent(
    consent_id: str, request: Request, session: DbSession, now: Now, csrf: CsrfField
) -> RedirectResponse:
    _check_csrf(request, csrf)
    bank = service.revoke(session, consent_id, person=_person(request), now=now)
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
    app.add_exception_handler(LoginRequiredError, _on_login_required)
    web_security.install(app, settings)
