"""The blocking client: tokens, consent requests, consented data and the agency audit API."""

from __future__ import annotations

import contextlib
import hmac
import secrets
from collections.abc import Iterator
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx

from samtykke_client import calls, code_flow
from samtykke_client._core import (
    Call,
    ClientAuthenticated,
    ClientCore,
    error_from,
    json_of,
    needs_nonce,
    result_of,
    token_cache_key,
)
from samtykke_client.calls import (
    AUDIT_SCOPE,
    CONSENT_DETAILS_TYPE,
    CONSENT_REQUESTS_SCOPE,
    DATA_SCOPE,
    PERSON_URN_PREFIX,
)
from samtykke_client.code_flow import AuthorizedConsent, PendingAuthorization
from samtykke_client.errors import (
    AuthorizationResponseError,
    OAuthError,
    PartyMismatchError,
    SamtykkeError,
    TransportError,
)
from samtykke_client.proofs import DPoPKey
from samtykke_client.types import (
    AuditEntry,
    AuditFilters,
    AuditSearchPage,
    Checkpoint,
    ConsistencyProof,
    ExportFormat,
    InclusionProof,
    PushedAuthorizationRequest,
    TokenResponse,
)

__all__ = [
    "AUDIT_SCOPE",
    "CONSENT_DETAILS_TYPE",
    "CONSENT_REQUESTS_SCOPE",
    "DATA_SCOPE",
    "PERSON_URN_PREFIX",
    "SamtykkeClient",
]


class SamtykkeClient:
    """A bank's or an agency's connection to one gateway. Thread-safe; reuse one per process."""

    consent_details = staticmethod(calls.consent_details)

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
        self._core = ClientCore(
            base_url, client_id=client_id, private_jwk=private_jwk, dpop_key=dpop_key
        )
        self._http = http or httpx.Client(timeout=timeout)
        self._owns_http = http is None

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def client_id(self) -> str:
        return self._core.client_id

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
        self._core.remember_nonce(request, response)
        return response

    def metadata(self) -> dict[str, Any]:
        """The authorization server's RFC 8414 metadata (fetched once)."""
        if self._core.metadata is None:
            response = self._send(self._core.metadata_request(self._http))
            if response.status_code != 200:
                raise error_from(response)
            self._core.metadata = json_of(response, "metadata")
        return self._core.metadata

    def _post_authenticated(self, post: ClientAuthenticated) -> dict[str, Any]:
        """A private_key_jwt-authenticated form POST, once more with the server's DPoP nonce."""
        for _attempt in range(2):
            request = self._core.client_authenticated_request(self._http, self.metadata(), post)
            response = self._send(request)
            if needs_nonce(response):
                continue
            if response.status_code >= 400:
                raise error_from(response)
            body: dict[str, Any] = json_of(response, post.endpoint_name) if response.content else {}
            return body
        raise error_from(response)

    # -- tokens ----------------------------------------------------------------
    def access_token(
        self, scope: str, authorization_details: list[dict[str, Any]] | None = None
    ) -> str:
        """A DPoP-bound access token for `scope`, from the cache while it is fresh."""
        key = token_cache_key(scope, authorization_details)
        cached = self._core.cached_token(key)
        if cached is not None:
            return cached
        body = self._post_authenticated(calls.client_credentials(scope, authorization_details))
        return self._core.store_token(key, body)

    def forget_tokens(self) -> None:
        self._core.forget_tokens()

    def _run(self, call: Call) -> Any:
        if call.scope is None:
            return result_of(call, self._send(self._core.call_request(self._http, call, None)))
        retried_token = False
        for _attempt in range(3):
            token = self.access_token(call.scope, call.authorization_details)
            response = self._send(self._core.call_request(self._http, call, token))
            if needs_nonce(response):
                continue
            if response.status_code == 401 and not retried_token:
                # The token may have been revoked or have expired in flight: get a new one once.
                retried_token = True
                self.forget_tokens()
                continue
            return result_of(call, response)
        raise error_from(response)

    # -- the code flow (FAPI 2.0) and token management ---------------------------
    def push_authorization_request(
        self,
        authorization_details: list[dict[str, Any]],
        *,
        redirect_uri: str,
        code_challenge: str,
        state: str,
    ) -> PushedAuthorizationRequest:
        """Push a consent request (PAR); send the browser to `authorization_url(request_uri)`."""
        post = calls.pushed_authorization_request(
            authorization_details,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            state=state,
        )
        return cast(PushedAuthorizationRequest, self._post_authenticated(post))

    def authorization_url(self, request_uri: str) -> str:
        return self._core.authorization_url(self.metadata(), request_uri)

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenResponse:
        """Redeem the code the browser brought back; check `state` and `iss` first."""
        post = calls.authorization_code(
            code, redirect_uri=redirect_uri, code_verifier=code_verifier
        )
        return cast(TokenResponse, self._post_authenticated(post))

    def start_authorization(
        self,
        *,
        redirect_uri: str,
        products: list[str],
        purpose: str,
        valid_to: str,
        metadata: dict[str, str] | None = None,
        one_time: bool = False,
        expected_person: str | None = None,
        expected_organisation: str | None = None,
    ) -> PendingAuthorization:
        """Push a consent request (PAR) and return where to send the browser.

        Name the party you expect to consent, always: `expected_person` (the
        applicant's national identity number, sent as `from` so that no one else
        may answer) or `expected_organisation`. :meth:`finish_authorization`
        refuses a token whose consent names anyone else. The number travels in
        the pushed request's body, never in the browser's URL.
        """
        party = code_flow.expected_party(expected_person, expected_organisation)
        detail: dict[str, Any] = {
            "type": code_flow.CONSENT_REQUEST_TYPE,
            "products": products,
            "purpose": purpose,
            "validTo": valid_to,
            "metadata": metadata or {},
            "oneTime": one_time,
        }
        if party.startswith(code_flow.PERSON_URN_PREFIX):
            detail["from"] = party
        verifier = code_flow.code_verifier()
        state = secrets.token_urlsafe(24)
        pushed = self.push_authorization_request(
            [detail],
            redirect_uri=redirect_uri,
            code_challenge=code_flow.s256(verifier),
            state=state,
        )
        return PendingAuthorization(
            authorization_url=self.authorization_url(pushed["request_uri"]),
            state=state,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            expected_party=party,
        )

    def finish_authorization(
        self, pending: PendingAuthorization, callback_url: str
    ) -> AuthorizedConsent:
        """Check the browser's return, redeem the code, and check whose consent it is.

        Raises :class:`AuthorizationResponseError` when `state` or `iss` is not
        ours, :class:`OAuthError` when the citizen refused (`access_denied`) or
        the code is refused, and :class:`PartyMismatchError` when the consent
        names another party than `pending.expected_party` (the token is then
        revoked and the consent withdrawn).
        """
        params = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
        if not hmac.compare_digest(params.get("state", ""), pending.state):
            raise AuthorizationResponseError("The state differs from the one this client sent.")
        if params.get("iss") != self.metadata()["issuer"]:
            raise AuthorizationResponseError("The response names another issuer (RFC 9207).")
        if "error" in params:
            raise OAuthError(400, params["error"], params.get("error_description", ""))
        if not params.get("code"):
            raise AuthorizationResponseError("The response carries no code.")
        body: dict[str, Any] = dict(
            self.exchange_code(
                params["code"],
                redirect_uri=pending.redirect_uri,
                code_verifier=pending.code_verifier,
            )
        )
        access_token = str(body["access_token"])
        named = code_flow.consent_of(body)
        if named is None:
            self._revoke_quietly(access_token)
            raise TransportError("The token response names no single consent.")
        consent_id, party = named
        if not hmac.compare_digest(party, pending.expected_party):
            self._refuse_stranger(access_token, consent_id)
            raise PartyMismatchError(consent_id)
        authorized = AuthorizedConsent(
            consent_id=consent_id,
            party=party,
            access_token=access_token,
            expires_in=float(body["expires_in"]),
            authorization_details=list(body["authorization_details"]),
        )
        if authorized.person is not None:
            # The data calls for this consent use this token while it is fresh.
            key = token_cache_key(DATA_SCOPE, self.consent_details(consent_id, authorized.person))
            self._core.store_token(key, body)
        return authorized

    def _revoke_quietly(self, token: str) -> None:
        # Should this fail, the token dies on its own within minutes; the bank never uses it.
        with contextlib.suppress(SamtykkeError, TransportError):
            self.revoke(token)

    def _refuse_stranger(self, token: str, consent_id: str) -> None:
        """Make a stranger's consent useless: revoke its token and withdraw the consent."""
        self._revoke_quietly(token)
        # Refused when it is not the bank's to withdraw, or already final; the token is revoked.
        with contextlib.suppress(SamtykkeError, TransportError):
            self.withdraw_consent_request(consent_id)

    def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662, for this client's own tokens."""
        return self._post_authenticated(calls.introspect(token))

    def revoke(self, token: str) -> None:
        """RFC 7009, for this client's own tokens."""
        self._post_authenticated(calls.revoke(token))

    # -- consent requests --------------------------------------------------------
    def create_consent_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Create (or, with the same id and body, fetch again) a consent request."""
        return cast(dict[str, Any], self._run(calls.create_consent_request(request)))

    def get_consent_request(self, consent_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self._run(calls.get_consent_request(consent_id)))

    def withdraw_consent_request(self, consent_id: str) -> None:
        self._run(calls.withdraw_consent_request(consent_id))

    def consent_events(self, continuation_token: str | None = None) -> dict[str, Any]:
        """One page of the bank's consent event feed; pass on its continuation token."""
        return cast(dict[str, Any], self._run(calls.consent_events(continuation_token)))

    def receipt(self, consent_id: str) -> str:
        """The signed receipt of an accepted consent: a compact JWS (consent-receipt+jws);
        verify it with `receipt_keys()`."""
        return cast(str, self._run(calls.receipt(consent_id)))

    def receipt_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify receipts; no token needed."""
        return cast(dict[str, Any], self._run(calls.receipt_keys()))

    # -- consented data ------------------------------------------------------------
    def _data(
        self, path: str, consent_id: str, person: str, params: dict[str, str | None]
    ) -> dict[str, Any]:
        return cast(dict[str, Any], self._run(calls.data(path, consent_id, person, params)))

    def summert_skattegrunnlag(
        self, consent_id: str, person: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar}
        return self._data("/data/v1/summertskattegrunnlag", consent_id, person, params)

    def inntekt(
        self,
        consent_id: str,
        person: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmed": fraogmed, "tilogmed": tilogmed}
        return self._data("/data/v1/inntekt", consent_id, person, params)

    def rettsstiftelser(self, consent_id: str, person: str) -> dict[str, Any]:
        return self._data("/data/v1/rettsstiftelser", consent_id, person, {})

    def loan_application(self, consent_id: str, person: str) -> dict[str, Any]:
        """Every product the consent covers, fetched together (`person`: the party, a person's
        number or an enterprise's organisation number)."""
        return self._data("/data/v1/loan-application", consent_id, person, {})

    # -- an enterprise's data, under the enterprise's consent --------------------------
    def produksjonstilskudd(
        self,
        consent_id: str,
        organisation: str,
        fraogmedomgang: str | None = None,
        tilogmedomgang: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmedomgang": fraogmedomgang, "tilogmedomgang": tilogmedomgang}
        return self._data("/data/v1/produksjonstilskudd", consent_id, organisation, params)

    def akvakultur_tillatelser(self, consent_id: str, organisation: str) -> dict[str, Any]:
        return self._data("/data/v1/akvakultur/tillatelser", consent_id, organisation, {})

    def akvakultur_biomasse(
        self,
        consent_id: str,
        organisation: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmed": fraogmed, "tilogmed": tilogmed}
        return self._data("/data/v1/akvakultur/biomasse", consent_id, organisation, params)

    def rettsstiftelser_virksomhet(self, consent_id: str, organisation: str) -> dict[str, Any]:
        return self._data("/data/v1/rettsstiftelser-virksomhet", consent_id, organisation, {})

    def summert_skattegrunnlag_enk(
        self, consent_id: str, organisation: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar}
        return self._data("/data/v1/summertskattegrunnlag-enk", consent_id, organisation, params)

    # -- derived answers: a signed yes or no, never the figures -------------------------
    def answer(
        self, consent_id: str, party: str, question: str, **parameters: str
    ) -> dict[str, Any]:
        """The answer to a derived question the consent covers (`party`: the person's or
        the enterprise's number): {consentId, question, parameters, answer, reason?,
        answersLeft, statement}. Parameters left out are the consented ones; check the
        `statement` with an :class:`~samtykke_client.AnswerStatementVerifier`."""
        call = calls.answer(question, consent_id, party, parameters)
        return cast(dict[str, Any], self._run(call))

    def answer_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify answers' statements; no token needed."""
        return cast(dict[str, Any], self._run(calls.answer_keys()))

    # -- the agency audit API (scope audit:read) -----------------------------------
    def search_audit_entries(
        self,
        filters: AuditFilters | None = None,
        *,
        page_size: int = 100,
        cursor: str | None = None,
    ) -> AuditSearchPage:
        """One page of matching entries, oldest first; pass `nextCursor` back as `cursor`."""
        call = calls.search_audit_entries(filters, page_size, cursor)
        return cast(AuditSearchPage, self._run(call))

    def iter_audit_entries(
        self, filters: AuditFilters | None = None, *, page_size: int = 100
    ) -> Iterator[AuditEntry]:
        """Every matching entry, page after page."""
        cursor: str | None = None
        while True:
            page = self.search_audit_entries(filters, page_size=page_size, cursor=cursor)
            yield from page["entries"]
            cursor = page["nextCursor"]
            if cursor is None:
                return

    def export_audit_entries(
        self, filters: AuditFilters | None = None, *, export_format: ExportFormat = "jsonl"
    ) -> str:
        """Every matching entry as JSON Lines or CSV text."""
        return cast(str, self._run(calls.export_audit_entries(filters, export_format)))

    def latest_checkpoint(self) -> Checkpoint:
        return cast(Checkpoint, self._run(calls.latest_checkpoint()))

    def checkpoint(self, tree_size: int) -> Checkpoint:
        return cast(Checkpoint, self._run(calls.checkpoint(tree_size)))

    def inclusion_proof(
        self,
        *,
        sequence_number: int | None = None,
        entry_id: str | None = None,
        tree_size: int | None = None,
    ) -> InclusionProof:
        """Proof that an entry (by sequence number or entry id) is in a checkpointed tree."""
        call = calls.inclusion_proof(sequence_number, entry_id, tree_size)
        return cast(InclusionProof, self._run(call))

    def consistency_proof(self, old_size: int, new_size: int) -> ConsistencyProof:
        """Proof that the checkpointed tree of `new_size` extends the one of `old_size`."""
        return cast(ConsistencyProof, self._run(calls.consistency_proof(old_size, new_size)))

    def checkpoint_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify audit checkpoints; no token needed."""
        return cast(dict[str, Any], self._run(calls.checkpoint_keys()))
