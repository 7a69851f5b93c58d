"""ID-porten: an OpenID Connect provider for citizen login with synthetic persons.

Authorization code flow with PKCE (S256 required), ``state`` and ``nonce``
required, ``iss`` in the authorization response (RFC 9207), 303 redirects,
codes that live 60 seconds and work once. The gateway is a confidential
client authenticating with client_secret_basic or client_secret_post. The
ID token (RS256, like ID-porten's) carries ``pid`` (the national identity
number), ``acr`` ``idporten-loa-high``, ``amr``, ``nonce`` and ``sid``; ``sub``
is pairwise per client.

The login page lists the named test persons and takes any other synthetic
number; non-synthetic numbers are refused. Faults can be injected as in
the registries (`mock_registries.faults`), answered as OAuth errors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from html import escape
from typing import Any, Final
from urllib.parse import unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from mock_registries.common import add_health_and_faults
from mock_registries.identifiers import parse_national_identity_number
from mock_registries.population import Population, build_population
from mock_registries.settings import MockSettings

ACR: Final = "idporten-loa-high"
CODE_LIFETIME_SECONDS: Final = 60
TOKEN_LIFETIME_SECONDS: Final = 120
AUTHORIZE_PARAMETERS: Final = (
    "client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
    "code_challenge", "code_challenge_method",
)  # fmt: skip


@dataclass(frozen=True)
class PendingCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    scope: str
    pid: str
    expires_at: float


@dataclass(frozen=True)
class IssuedAccessToken:
    sub: str
    pid: str
    expires_at: float


class AuthorizeError(Exception):
    """An error the client must hear about at its redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="idporten"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def error_body(_path: str, status: int) -> dict[str, Any]:
    """What an injected fault answers: an OAuth error, as every endpoint here speaks OAuth."""
    error = "temporarily_unavailable" if status == 503 else "server_error"
    return {"error": error, "error_description": f"injected fault ({status})"}


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Provider:
    """The provider's state: its signing key, pending codes and issued access tokens."""

    def __init__(self, settings: MockSettings, issuer: str, population: Population) -> None:
        self.settings = settings
        self.issuer = issuer.rstrip("/")
        self.population = population
        self.key = RSAKey.generate_key(
            2048, parameters={"use": "sig", "alg": "RS256"}, private=True
        )
        self.key.ensure_kid()
        self.codes: dict[str, PendingCode] = {}
        self.access_tokens: dict[str, IssuedAccessToken] = {}
        self._pairwise_secret = hashlib.sha256(f"idporten-{settings.seed}".encode()).digest()

    def discovery(self) -> dict[str, Any]:
        # The browser is sent to the authorization endpoint; only the gateway calls the others.
        back_channel = self.settings.idporten_back_channel_url.rstrip("/") or self.issuer
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{back_channel}/token",
            "userinfo_endpoint": f"{back_channel}/userinfo",
            "jwks_uri": f"{back_channel}/jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["iss", "aud", "sub", "pid", "acr", "amr", "nonce", "sid"],
            "acr_values_supported": ["idporten-loa-substantial", ACR],
            "authorization_response_iss_parameter_supported": True,
        }

    def check_client(self, params: dict[str, str]) -> str | None:
        """Why the request cannot even be redirected back, or None when it can."""
        if params.get("client_id") != self.settings.idporten_client_id:
            return "Unknown client_id."
        if params.get("redirect_uri") not in self.settings.idporten_redirect_uris:
            return "The redirect_uri is not registered for this client."
        return None

    def check_request(self, params: dict[str, str]) -> None:
        if params.get("response_type") != "code":
            raise AuthorizeError("unsupported_response_type", "only response_type=code")
        if "openid" not in params.get("scope", "").split():
            raise AuthorizeError("invalid_scope", "the scope must include openid")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise AuthorizeError(
                "invalid_request", "PKCE with code_challenge_method=S256 is required"
            )
        if not params.get("state") or not params.get("nonce"):
            raise AuthorizeError("invalid_request", "state and nonce are required")

    def redirect(self, params: dict[str, str], answer: dict[str, str]) -> RedirectResponse:
        query = urlencode({**answer, "state": params.get("state", ""), "iss": self.issuer})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=303)

    def issue_code(self, params: dict[str, str], pid: str) -> str:
        now = time.time()
        self.codes = {c: p for c, p in self.codes.items() if p.expires_at > now}
        code = secrets.token_urlsafe(32)
        self.codes[code] = PendingCode(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            nonce=params["nonce"],
            scope=params["scope"],
            pid=pid,
            expires_at=now + CODE_LIFETIME_SECONDS,
        )
        return code

    def pairwise_sub(self, client_id: str, pid: str) -> str:
        mac = hmac.new(self._pairwise_secret, f"{client_id}|{pid}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")

    def tokens_for(self, pending: PendingCode) -> dict[str, Any]:
        now = int(time.time())
        sub = self.pairwise_sub(pending.client_id, pending.pid)
        claims = {
            "iss": self.issuer,
            "aud": pending.client_id,
            "sub": sub,
            "pid": pending.pid,
            "acr": ACR,
            "amr": ["TestID"],
            "nonce": pending.nonce,
            "sid": secrets.token_urlsafe(16),
            "auth_time": now,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "jti": secrets.token_urlsafe(16),
        }
        header = {"alg": "RS256", "typ": "JWT", "kid": str(self.key.kid)}
        id_token = jwt.encode(header, claims, self.key)
        access_token = secrets.token_urlsafe(32)
        self.access_tokens[access_token] = IssuedAccessToken(
            sub=sub, pid=pending.pid, expires_at=now + TOKEN_LIFETIME_SECONDS
        )
        return {
            "access_token": access_token,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "scope": pending.scope,
        }

    def authenticate_client(self, request: Request, form: dict[str, str]) -> bool:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode()
            except (ValueError, UnicodeDecodeError):
                return False
            raw_id, _, raw_secret = decoded.partition(":")
            client_id, secret = unquote(raw_id), unquote(raw_secret)
        return (
            client_id == self.settings.idporten_client_id
            and secret is not None
            and hmac.compare_digest(secret, self.settings.idporten_client_secret)
        )


def _roles_note(population: Population, fnr: str) -> str:
    """E.g. " DAGL i STRANDVIK HAVBRUK AS (911001004).", for the enterprise test cases."""
    notes = [
        f"{holding.kode}{' (fratrådt)' if holding.fratraadt else ''} i "
        f"{organisation.navn} ({organisation.organisasjonsnummer})"
        for organisation, holding in population.roles_of(fnr)
    ]
    return escape(" " + "; ".join(notes) + ".") if notes else ""


def _login_page(provider: Provider, params: dict[str, str], error: str | None = None) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">'
        for name in AUTHORIZE_PARAMETERS
    )
    persons = "".join(
        f'<li><form method="post" action="/authorize/login">{hidden}'
        f'<input type="hidden" name="pid" value="{p.fnr}">'
        f'<button type="submit">{escape(p.name)}</button> '
        f"<small>{escape(p.description)}{_roles_note(provider.population, p.fnr)}</small>"
        "</form></li>"
        for p in provider.population.named
    )
    problem = f'<p role="alert" class="error">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>ID-porten (test)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
li{{margin:.5rem 0}} button{{font:inherit;padding:.3rem .8rem}} .error{{color:#a00}}</style>
</head><body>
<h1>ID-porten (test environment)</h1>
<p>Log in as a synthetic test person. Only synthetic numbers (month + 80) are accepted.</p>
{problem}
<h2>Named test persons</h2><ul>{persons}</ul>
<h2>Any synthetic person</h2>
<form method="post" action="/authorize/login">{hidden}
<label for="pid">National identity number</label>
<input id="pid" name="pid" inputmode="numeric" pattern="[0-9]{{11}}" required autocomplete="off">
<button type="submit">Log in</button></form>
</body></html>"""


def create_app(
    settings: MockSettings | None = None,
    *,
    population: Population | None = None,
    issuer: str | None = None,
) -> FastAPI:
    settings = settings or MockSettings()
    provider = Provider(
        settings,
        issuer or settings.public_url(settings.idporten_port),
        population or build_population(settings.seed, settings.population_size),
    )
    app = FastAPI(
        title="ID-porten (mock)",
        version="1.0.0",
        description="OpenID Connect provider for citizen login with synthetic persons.",
    )
    app.state.provider = provider

    @app.get("/.well-known/openid-configuration", summary="OpenID Connect discovery")
    def discovery() -> dict[str, Any]:
        return provider.discovery()

    @app.get("/jwks", summary="The keys ID tokens are signed with")
    def jwks() -> dict[str, Any]:
        return {"keys": [provider.key.as_dict(private=False)]}

    @app.get("/test-persons", summary="The named synthetic test persons")
    def test_persons() -> list[dict[str, Any]]:
        return [
            {
                "pid": p.fnr,
                "name": p.name,
                "traits": sorted(p.traits),
                "description": p.description,
                "roles": [
                    {
                        "organisasjonsnummer": organisation.organisasjonsnummer,
                        "navn": organisation.navn,
                        "rolle": holding.kode,
                        "fratraadt": holding.fratraadt,
                    }
                    for organisation, holding in provider.population.roles_of(p.fnr)
                ],
            }
            for p in provider.population.named
        ]

    @app.get("/authorize", response_class=HTMLResponse, summary="Start a login")
    def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        client_problem = provider.check_client(params)
        if client_problem:
            return HTMLResponse(f"<h1>Invalid request</h1><p>{escape(client_problem)}</p>", 400)
        try:
            provider.check_request(params)
        except AuthorizeError as error:
            return provider.redirect(
                params, {"error": error.error, "error_description": error.description}
            )
        return HTMLResponse(_login_page(provider, params))

    @app.post("/authorize/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        client_problem = provider.check_client(form)
        if client_problem:
            return HTMLResponse(f"<h1>Invalid request</h1><p>{escape(client_problem)}</p>", 400)
        try:
            provider.check_request(form)
        except AuthorizeError as error:
            return provider.redirect(
                form, {"error": error.error, "error_description": error.description}
            )
        pid = form.get("pid", "").strip()
        try:
            synthetic = parse_national_identity_number(pid).synthetic
        except ValueError:
            synthetic = False
        if not synthetic:
            page = _login_page(provider, form, "That is not a valid synthetic number.")
            return HTMLResponse(page, status_code=400)
        return provider.redirect(form, {"code": provider.issue_code(form, pid)})

    @app.post("/token", summary="Exchange an authorization code for tokens")
    async def token(request: Request) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if not provider.authenticate_client(request, form):
            return _oauth_error("invalid_client", "client authentication failed", 401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "only authorization_code")
        pending = provider.codes.pop(form.get("code", ""), None)
        if pending is None or pending.expires_at <= time.time():
            return _oauth_error("invalid_grant", "the code is unknown, used or expired")
        if (
            pending.client_id != provider.settings.idporten_client_id
            or pending.redirect_uri != form.get("redirect_uri")
        ):
            return _oauth_error("invalid_grant", "the code was issued for another redirect_uri")
        verifier = form.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(_s256(verifier), pending.code_challenge):
            return _oauth_error("invalid_grant", "the code_verifier does not match")
        return JSONResponse(provider.tokens_for(pending), headers={"Cache-Control": "no-store"})

    @app.get("/userinfo", summary="The logged-in person")
    def userinfo(request: Request) -> Response:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        issued = provider.access_tokens.get(value) if scheme.lower() == "bearer" else None
        if issued is None or issued.expires_at <= time.time():
            return JSONResponse(
                {"error": "invalid_token", "error_description": "unknown or expired token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse({"sub": issued.sub, "pid": issued.pid})

    add_health_and_faults(app, settings, error_body)
    return app
