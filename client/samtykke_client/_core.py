"""What the blocking and the async client share: building requests and reading answers.

Nothing here does I/O. Each client sends the requests built here with its own httpx
client (httpx.Client or httpx.AsyncClient) and hands the answers back, so both speak
to the gateway in exactly the same way.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

import httpx

from samtykke_client.errors import OAuthError, SamtykkeError, TransportError
from samtykke_client.keys import import_private_jwk
from samtykke_client.proofs import CLIENT_ASSERTION_TYPE, DPoPKey, client_assertion

# A cached token is renewed this long before it expires, so that it never
# expires on its way to the gateway.
TOKEN_RENEWAL_MARGIN_SECONDS = 15
METADATA_PATH = "/.well-known/oauth-authorization-server"

Result = Literal["json", "text", "none"]


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - TOKEN_RENEWAL_MARGIN_SECONDS


@dataclass(frozen=True)
class Call:
    """One gateway endpoint call: without `scope` it needs no token (public keys)."""

    method: str
    path: str
    scope: str | None = None
    authorization_details: list[dict[str, Any]] | None = None
    json_body: Any = None
    params: dict[str, str] | None = None
    result: Result = "json"


@dataclass(frozen=True)
class ClientAuthenticated:
    """A form POST to an authorization server endpoint, authenticated with private_key_jwt."""

    endpoint_name: str  # the RFC 8414 metadata member naming the endpoint
    form: dict[str, str] = field(default_factory=dict)
    dpop: bool = True


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def error_from(response: httpx.Response) -> SamtykkeError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return SamtykkeError(
            response.status_code, "unexpected-response", response.reason_phrase or ""
        )
    if "error" in body and "code" not in body:
        return OAuthError(
            response.status_code,
            str(body["error"]),
            str(body.get("error_description", "")),
            problem=body,
            retry_after=retry_after(response),
        )
    return SamtykkeError(
        response.status_code,
        str(body.get("code", "unknown")),
        str(body.get("title", "")),
        body.get("detail"),
        problem=body,
        retry_after=retry_after(response),
    )


def needs_nonce(response: httpx.Response) -> bool:
    if "dpop-nonce" not in response.headers:
        return False
    if response.status_code == 401:
        return "use_dpop_nonce" in response.headers.get("www-authenticate", "")
    if response.status_code == 400:
        try:
            return bool(response.json().get("error") == "use_dpop_nonce")
        except ValueError:
            return False
    return False


def json_of(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise TransportError(f"{what}: the answer is not JSON") from error


def token_cache_key(scope: str, authorization_details: list[dict[str, Any]] | None) -> str:
    return json.dumps([scope, authorization_details], sort_keys=True)


class ClientCore:
    """A client's identity and state: signing key, DPoP key, cached tokens, server nonces."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        private_jwk: dict[str, Any],
        dpop_key: DPoPKey | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.signing_key = import_private_jwk(private_jwk)
        # A client that keeps its DPoP key across restarts passes it in; tokens are bound to it.
        self.dpop = dpop_key or DPoPKey()
        self.lock = threading.Lock()
        self.tokens: dict[str, Token] = {}
        self.nonces: dict[str, str] = {}
        self.metadata: dict[str, Any] | None = None

    # -- nonces and tokens -------------------------------------------------------
    def remember_nonce(self, request: httpx.Request, response: httpx.Response) -> None:
        nonce = response.headers.get("dpop-nonce")
        if nonce:
            self.nonces[urlsplit(str(request.url)).netloc] = nonce

    def nonce_for(self, url: str) -> str | None:
        return self.nonces.get(urlsplit(url).netloc)

    def cached_token(self, key: str) -> str | None:
        with self.lock:
            cached = self.tokens.get(key)
            return cached.value if cached is not None and cached.fresh(time.time()) else None

    def store_token(self, key: str, body: dict[str, Any]) -> str:
        token = Token(str(body["access_token"]), time.time() + float(body["expires_in"]))
        with self.lock:
            self.tokens[key] = token
        return token.value

    def forget_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # -- requests ----------------------------------------------------------------
    def metadata_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request("GET", self.base_url + METADATA_PATH)

    def endpoint(self, metadata: dict[str, Any], name: str) -> str:
        try:
            return str(metadata[name])
        except KeyError:
            raise TransportError(f"the gateway's metadata names no {name}") from None

    def client_authenticated_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        metadata: dict[str, Any],
        post: ClientAuthenticated,
    ) -> httpx.Request:
        endpoint = self.endpoint(metadata, post.endpoint_name)
        form = {
            **post.form,
            "client_id": self.client_id,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": client_assertion(
                self.signing_key, client_id=self.client_id, audience=str(metadata["issuer"])
            ),
        }
        headers = {}
        if post.dpop:
            headers["DPoP"] = self.dpop.proof("POST", endpoint, nonce=self.nonce_for(endpoint))
        return http.build_request("POST", endpoint, data=form, headers=headers)

    def call_request(
        self, http: httpx.Client | httpx.AsyncClient, call: Call, token: str | None
    ) -> httpx.Request:
        url = self.base_url + call.path
        headers = {}
        if token is not None:
            proof = self.dpop.proof(call.method, url, access_token=token, nonce=self.nonce_for(url))
            headers = {"Authorization": f"DPoP {token}", "DPoP": proof}
        return http.build_request(
            call.method, url, json=call.json_body, params=call.params, headers=headers
        )

    def authorization_url(self, metadata: dict[str, Any], request_uri: str) -> str:
        endpoint = self.endpoint(metadata, "authorization_endpoint")
        return f"{endpoint}?{urlencode({'client_id': self.client_id, 'request_uri': request_uri})}"


def result_of(call: Call, response: httpx.Response) -> Any:
    """The answer's body as the call expects it; SamtykkeError for every refusal."""
    if response.status_code >= 400:
        raise error_from(response)
    if call.result == "none" or response.status_code == 204:
        return None
    if call.result == "text":
        return response.text
    return json_of(response, f"{call.method} {call.path}")
