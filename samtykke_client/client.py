"""The bank's client for the gateway: tokens, consent requests and consented data."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from samtykke_client.errors import OAuthError, SamtykkeError, TransportError
from samtykke_client.keys import import_private_jwk
from samtykke_client.proofs import CLIENT_ASSERTION_TYPE, DPoPKey, client_assertion

CONSENT_REQUESTS_SCOPE = "samtykke:consentrequests"
DATA_SCOPE = "samtykke:data"
CONSENT_DETAILS_TYPE = "urn:samtykke:consent"
PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"
# A cached token is renewed this long before it expires, so that it never
# expires on its way to the gateway.
TOKEN_RENEWAL_MARGIN_SECONDS = 15


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: float

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - TOKEN_RENEWAL_MARGIN_SECONDS


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _error_from(response: httpx.Response) -> SamtykkeError:
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
            retry_after=_retry_after(response),
        )
    return SamtykkeError(
        response.status_code,
        str(body.get("code", "unknown")),
        str(body.get("title", "")),
        body.get("detail"),
        problem=body,
        retry_after=_retry_after(response),
    )


def _needs_nonce(response: httpx.Response) -> bool:
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


class SamtykkeClient:
    """A bank's connection to one gateway. Thread-safe; reuse one per process."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        private_jwk: dict[str, Any],
        timeout: float = 10.0,
        http: httpx.Client | None = None,
        dpop_key: DPoPKey | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._signing_key = import_private_jwk(private_jwk)
        # A bank that keeps its DPoP key across restarts passes it in; tokens are bound to it.
        self._dpop = dpop_key or DPoPKey()
        self._http = http or httpx.Client(timeout=timeout)
        self._owns_http = http is None
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}
        self._nonces: dict[str, str] = {}
        self._metadata: dict[str, Any] | None = None

    # -- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> SamtykkeClient:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- transport -------------------------------------------------------------
    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._http.send(request)
        except httpx.HTTPError as error:
            raise TransportError(f"{request.method} {request.url.path}: {error}") from error
        nonce = response.headers.get("dpop-nonce")
        if nonce:
            self._nonces[urlsplit(str(request.url)).netloc] = nonce
        return response

    def _nonce_for(self, url: str) -> str | None:
        return self._nonces.get(urlsplit(url).netloc)

    def metadata(self) -> dict[str, Any]:
        """The authorization server's RFC 8414 metadata (fetched once)."""
        if self._metadata is None:
            url = f"{self.base_url}/.well-known/oauth-authorization-server"
            response = self._send(self._http.build_request("GET", url))
            if response.status_code != 200:
                raise _error_from(response)
            self._metadata = response.json()
        return self._metadata

    # -- tokens ----------------------------------------------------------------
    def access_token(
        self, scope: str, authorization_details: list[dict[str, Any]] | None = None
    ) -> str:
        """A DPoP-bound access token for `scope`, from the cache while it is fresh."""
        cache_key = json.dumps([scope, authorization_details], sort_keys=True)
        with self._lock:
            cached = self._tokens.get(cache_key)
            if cached is not None and cached.fresh(time.time()):
                return cached.value
        token = self._request_token(scope, authorization_details)
        with self._lock:
            self._tokens[cache_key] = token
        return token.value

    def forget_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def _request_token(
        self, scope: str, authorization_details: list[dict[str, Any]] | None
    ) -> Token:
        metadata = self.metadata()
        endpoint = str(metadata["token_endpoint"])
        for _attempt in range(2):
            form = {
                "grant_type": "client_credentials",
                "scope": scope,
                "client_id": self.client_id,
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": client_assertion(
                    self._signing_key, client_id=self.client_id, audience=str(metadata["issuer"])
                ),
            }
            if authorization_details is not None:
                form["authorization_details"] = json.dumps(authorization_details)
            proof = self._dpop.proof("POST", endpoint, nonce=self._nonce_for(endpoint))
            request = self._http.build_request("POST", endpoint, data=form, headers={"DPoP": proof})
            response = self._send(request)
            if _needs_nonce(response):
                continue
            if response.status_code != 200:
                raise _error_from(response)
            body = response.json()
            return Token(str(body["access_token"]), time.time() + float(body["expires_in"]))
        raise _error_from(response)

    # -- authorised calls ------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        scope: str,
        authorization_details: list[dict[str, Any]] | None = None,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        expect_body: bool = True,
    ) -> Any:
        url = f"{self.base_url}{path}"
        retried_token = False
        for _attempt in range(3):
            token = self.access_token(scope, authorization_details)
            proof = self._dpop.proof(method, url, access_token=token, nonce=self._nonce_for(url))
            request = self._http.build_request(
                method,
                url,
                json=json_body,
                params=params,
                headers={"Authorization": f"DPoP {token}", "DPoP": proof},
            )
            response = self._send(request)
            if _needs_nonce(response):
                continue
            if response.status_code == 401 and not retried_token:
                # The token may have been revoked or have expired in flight: get a new one once.
                retried_token = True
                self.forget_tokens()
                continue
            if response.status_code >= 400:
                raise _error_from(response)
            if not expect_body or response.status_code == 204:
                return None
            try:
                return response.json()
            except ValueError as error:
                raise TransportError(f"{method} {path}: the answer is not JSON") from error
        raise _error_from(response)

    # -- consent requests --------------------------------------------------------
    def create_consent_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Create (or, with the same id and body, fetch again) a consent request."""
        result: dict[str, Any] = self._call(
            "POST", "/consent/v1/consentrequests", scope=CONSENT_REQUESTS_SCOPE, json_body=request
        )
        return result

    def get_consent_request(self, consent_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET", f"/consent/v1/consentrequests/{consent_id}", scope=CONSENT_REQUESTS_SCOPE
        )
        return result

    def withdraw_consent_request(self, consent_id: str) -> None:
        self._call(
            "DELETE",
            f"/consent/v1/consentrequests/{consent_id}",
            scope=CONSENT_REQUESTS_SCOPE,
            expect_body=False,
        )

    def consent_events(self, continuation_token: str | None = None) -> dict[str, Any]:
        """One page of the bank's consent event feed; pass on its continuation token."""
        params = {"continuationToken": continuation_token} if continuation_token else None
        result: dict[str, Any] = self._call(
            "GET", "/consent/v1/consentrequest-events", scope=CONSENT_REQUESTS_SCOPE, params=params
        )
        return result

    # -- consented data ------------------------------------------------------------
    @staticmethod
    def consent_details(consent_id: str, party: str) -> list[dict[str, Any]]:
        """The consent a data token is for; `party` is the person's national identity number
        (11 digits) or, for an enterprise's consent, its organisation number (9 digits)."""
        prefix = ORGANISATION_URN_PREFIX if len(party) == 9 else PERSON_URN_PREFIX
        return [{"type": CONSENT_DETAILS_TYPE, "id": consent_id, "from": prefix + party}]

    def _data(
        self, path: str, consent_id: str, person: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "GET",
            path,
            scope=DATA_SCOPE,
            authorization_details=self.consent_details(consent_id, person),
            params=params,
        )
        return result

    def summert_skattegrunnlag(
        self, consent_id: str, person: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar} if inntektsaar else None
        return self._data("/data/v1/summertskattegrunnlag", consent_id, person, params)

    def inntekt(
        self,
        consent_id: str,
        person: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {
            name: value for name, value in (("fraogmed", fraogmed), ("tilogmed", tilogmed)) if value
        }
        return self._data("/data/v1/inntekt", consent_id, person, params or None)

    def rettsstiftelser(self, consent_id: str, person: str) -> dict[str, Any]:
        return self._data("/data/v1/rettsstiftelser", consent_id, person)

    def loan_application(self, consent_id: str, person: str) -> dict[str, Any]:
        """Every product the consent covers, fetched together (`person`: the party, a person
        or an enterprise's organisation number)."""
        return self._data("/data/v1/loan-application", consent_id, person)

    # -- an enterprise's data, under the enterprise's consent --------------------------
    def produksjonstilskudd(
        self,
        consent_id: str,
        organisation: str,
        fraogmedomgang: str | None = None,
        tilogmedomgang: str | None = None,
    ) -> dict[str, Any]:
        params = {
            name: value
            for name, value in (
                ("fraogmedomgang", fraogmedomgang),
                ("tilogmedomgang", tilogmedomgang),
            )
            if value
        }
        return self._data("/data/v1/produksjonstilskudd", consent_id, organisation, params or None)

    def akvakultur_tillatelser(self, consent_id: str, organisation: str) -> dict[str, Any]:
        return self._data("/data/v1/akvakultur/tillatelser", consent_id, organisation)

    def akvakultur_biomasse(
        self,
        consent_id: str,
        organisation: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {
            name: value for name, value in (("fraogmed", fraogmed), ("tilogmed", tilogmed)) if value
        }
        return self._data("/data/v1/akvakultur/biomasse", consent_id, organisation, params or None)

    def rettsstiftelser_virksomhet(self, consent_id: str, organisation: str) -> dict[str, Any]:
        return self._data("/data/v1/rettsstiftelser-virksomhet", consent_id, organisation)

    def summert_skattegrunnlag_enk(
        self, consent_id: str, organisation: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar} if inntektsaar else None
        return self._data("/data/v1/summertskattegrunnlag-enk", consent_id, organisation, params)
