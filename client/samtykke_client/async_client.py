"""The async client, on httpx.AsyncClient: the same calls as SamtykkeClient, awaited.

For banks and agencies whose services run on asyncio: tokens, consent requests,
consented data and the agency audit API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, cast

import httpx

from samtykke_client import calls
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
from samtykke_client.errors import TransportError
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

__all__ = ["AsyncSamtykkeClient"]


class AsyncSamtykkeClient:
    """A bank's or an agency's connection to one gateway. Reuse one per event loop."""

    consent_details = staticmethod(calls.consent_details)

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        private_jwk: dict[str, Any],
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
        dpop_key: DPoPKey | None = None,
    ) -> None:
        self._core = ClientCore(
            base_url, client_id=client_id, private_jwk=private_jwk, dpop_key=dpop_key
        )
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def client_id(self) -> str:
        return self._core.client_id

    # -- lifecycle -------------------------------------------------------------
    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncSamtykkeClient:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- transport -------------------------------------------------------------
    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as error:
            raise TransportError(f"{request.method} {request.url.path}: {error}") from error
        self._core.remember_nonce(request, response)
        return response

    async def metadata(self) -> dict[str, Any]:
        """The authorization server's RFC 8414 metadata (fetched once)."""
        if self._core.metadata is None:
            response = await self._send(self._core.metadata_request(self._http))
            if response.status_code != 200:
                raise error_from(response)
            self._core.metadata = json_of(response, "metadata")
        return self._core.metadata

    async def _post_authenticated(self, post: ClientAuthenticated) -> dict[str, Any]:
        """A private_key_jwt-authenticated form POST, once more with the server's DPoP nonce."""
        for _attempt in range(2):
            request = self._core.client_authenticated_request(
                self._http, await self.metadata(), post
            )
            response = await self._send(request)
            if needs_nonce(response):
                continue
            if response.status_code >= 400:
                raise error_from(response)
            body: dict[str, Any] = json_of(response, post.endpoint_name) if response.content else {}
            return body
        raise error_from(response)

    # -- tokens ----------------------------------------------------------------
    async def access_token(
        self, scope: str, authorization_details: list[dict[str, Any]] | None = None
    ) -> str:
        """A DPoP-bound access token for `scope`, from the cache while it is fresh."""
        key = token_cache_key(scope, authorization_details)
        cached = self._core.cached_token(key)
        if cached is not None:
            return cached
        body = await self._post_authenticated(
            calls.client_credentials(scope, authorization_details)
        )
        return self._core.store_token(key, body)

    def forget_tokens(self) -> None:
        self._core.forget_tokens()

    async def _run(self, call: Call) -> Any:
        if call.scope is None:
            return result_of(
                call, await self._send(self._core.call_request(self._http, call, None))
            )
        retried_token = False
        for _attempt in range(3):
            token = await self.access_token(call.scope, call.authorization_details)
            response = await self._send(self._core.call_request(self._http, call, token))
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
    async def push_authorization_request(
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
        return cast(PushedAuthorizationRequest, await self._post_authenticated(post))

    async def authorization_url(self, request_uri: str) -> str:
        return self._core.authorization_url(await self.metadata(), request_uri)

    async def exchange_code(
        self, code: str, *, redirect_uri: str, code_verifier: str
    ) -> TokenResponse:
        """Redeem the code the browser brought back; check `state` and `iss` first."""
        post = calls.authorization_code(
            code, redirect_uri=redirect_uri, code_verifier=code_verifier
        )
        return cast(TokenResponse, await self._post_authenticated(post))

    async def introspect(self, token: str) -> dict[str, Any]:
        """RFC 7662, for this client's own tokens."""
        return await self._post_authenticated(calls.introspect(token))

    async def revoke(self, token: str) -> None:
        """RFC 7009, for this client's own tokens."""
        await self._post_authenticated(calls.revoke(token))

    # -- consent requests --------------------------------------------------------
    async def create_consent_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Create (or, with the same id and body, fetch again) a consent request."""
        return cast(dict[str, Any], await self._run(calls.create_consent_request(request)))

    async def get_consent_request(self, consent_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], await self._run(calls.get_consent_request(consent_id)))

    async def withdraw_consent_request(self, consent_id: str) -> None:
        await self._run(calls.withdraw_consent_request(consent_id))

    async def consent_events(self, continuation_token: str | None = None) -> dict[str, Any]:
        """One page of the bank's consent event feed; pass on its continuation token."""
        return cast(dict[str, Any], await self._run(calls.consent_events(continuation_token)))

    async def receipt(self, consent_id: str) -> str:
        """The signed receipt of an accepted consent: a compact JWS (consent-receipt+jws);
        verify it with `receipt_keys()`."""
        return cast(str, await self._run(calls.receipt(consent_id)))

    async def receipt_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify receipts; no token needed."""
        return cast(dict[str, Any], await self._run(calls.receipt_keys()))

    # -- consented data ------------------------------------------------------------
    async def _data(
        self, path: str, consent_id: str, person: str, params: dict[str, str | None]
    ) -> dict[str, Any]:
        return cast(dict[str, Any], await self._run(calls.data(path, consent_id, person, params)))

    async def summert_skattegrunnlag(
        self, consent_id: str, person: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar}
        return await self._data("/data/v1/summertskattegrunnlag", consent_id, person, params)

    async def inntekt(
        self,
        consent_id: str,
        person: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmed": fraogmed, "tilogmed": tilogmed}
        return await self._data("/data/v1/inntekt", consent_id, person, params)

    async def rettsstiftelser(self, consent_id: str, person: str) -> dict[str, Any]:
        return await self._data("/data/v1/rettsstiftelser", consent_id, person, {})

    async def loan_application(self, consent_id: str, person: str) -> dict[str, Any]:
        """Every product the consent covers, fetched together."""
        return await self._data("/data/v1/loan-application", consent_id, person, {})

    # -- an enterprise's data, under the enterprise's consent --------------------------
    async def produksjonstilskudd(
        self,
        consent_id: str,
        organisation: str,
        fraogmedomgang: str | None = None,
        tilogmedomgang: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmedomgang": fraogmedomgang, "tilogmedomgang": tilogmedomgang}
        return await self._data("/data/v1/produksjonstilskudd", consent_id, organisation, params)

    async def akvakultur_tillatelser(self, consent_id: str, organisation: str) -> dict[str, Any]:
        return await self._data("/data/v1/akvakultur/tillatelser", consent_id, organisation, {})

    async def akvakultur_biomasse(
        self,
        consent_id: str,
        organisation: str,
        fraogmed: str | None = None,
        tilogmed: str | None = None,
    ) -> dict[str, Any]:
        params = {"fraogmed": fraogmed, "tilogmed": tilogmed}
        return await self._data("/data/v1/akvakultur/biomasse", consent_id, organisation, params)

    async def rettsstiftelser_virksomhet(
        self, consent_id: str, organisation: str
    ) -> dict[str, Any]:
        return await self._data("/data/v1/rettsstiftelser-virksomhet", consent_id, organisation, {})

    async def summert_skattegrunnlag_enk(
        self, consent_id: str, organisation: str, inntektsaar: str | None = None
    ) -> dict[str, Any]:
        params = {"inntektsaar": inntektsaar}
        return await self._data(
            "/data/v1/summertskattegrunnlag-enk", consent_id, organisation, params
        )

    # -- derived answers: a signed yes or no, never the figures -------------------------
    async def answer(
        self, consent_id: str, party: str, question: str, **parameters: str
    ) -> dict[str, Any]:
        """The answer to a derived question the consent covers (`party`: the person's or
        the enterprise's number): {consentId, question, parameters, answer, reason?,
        answersLeft, statement}. Parameters left out are the consented ones; check the
        `statement` with an :class:`~samtykke_client.AnswerStatementVerifier`."""
        call = calls.answer(question, consent_id, party, parameters)
        return cast(dict[str, Any], await self._run(call))

    async def answer_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify answers' statements; no token needed."""
        return cast(dict[str, Any], await self._run(calls.answer_keys()))

    # -- the agency audit API (scope audit:read) -----------------------------------
    async def search_audit_entries(
        self,
        filters: AuditFilters | None = None,
        *,
        page_size: int = 100,
        cursor: str | None = None,
    ) -> AuditSearchPage:
        """One page of matching entries, oldest first; pass `nextCursor` back as `cursor`."""
        call = calls.search_audit_entries(filters, page_size, cursor)
        return cast(AuditSearchPage, await self._run(call))

    async def iter_audit_entries(
        self, filters: AuditFilters | None = None, *, page_size: int = 100
    ) -> AsyncIterator[AuditEntry]:
        """Every matching entry, page after page."""
        cursor: str | None = None
        while True:
            page = await self.search_audit_entries(filters, page_size=page_size, cursor=cursor)
            for entry in page["entries"]:
                yield entry
            cursor = page["nextCursor"]
            if cursor is None:
                return

    async def export_audit_entries(
        self, filters: AuditFilters | None = None, *, export_format: ExportFormat = "jsonl"
    ) -> str:
        """Every matching entry as JSON Lines or CSV text."""
        return cast(str, await self._run(calls.export_audit_entries(filters, export_format)))

    async def latest_checkpoint(self) -> Checkpoint:
        return cast(Checkpoint, await self._run(calls.latest_checkpoint()))

    async def checkpoint(self, tree_size: int) -> Checkpoint:
        return cast(Checkpoint, await self._run(calls.checkpoint(tree_size)))

    async def inclusion_proof(
        self,
        *,
        sequence_number: int | None = None,
        entry_id: str | None = None,
        tree_size: int | None = None,
    ) -> InclusionProof:
        """Proof that an entry (by sequence number or entry id) is in a checkpointed tree."""
        call = calls.inclusion_proof(sequence_number, entry_id, tree_size)
        return cast(InclusionProof, await self._run(call))

    async def consistency_proof(self, old_size: int, new_size: int) -> ConsistencyProof:
        """Proof that the checkpointed tree of `new_size` extends the one of `old_size`."""
        return cast(ConsistencyProof, await self._run(calls.consistency_proof(old_size, new_size)))

    async def checkpoint_keys(self) -> dict[str, Any]:
        """The public keys (JWKS) that verify audit checkpoints; no token needed."""
        return cast(dict[str, Any], await self._run(calls.checkpoint_keys()))
