"""One pooled httpx client per registry, with the resilience rules every connector shares.

`RegistryHttp.fetch` asks the registry and hands any answer below 500 to
the connector's reader (which maps its registry's 4xx bodies and validates
the rest); everything else becomes the exceptions of `connectors.errors`:
timeouts, failed or dropped connections and 5xx are retried for idempotent
calls with jittered back-off inside the total deadline. The circuit breaker
counts every call that got no usable answer: no answer at all, and an
answer the reader found malformed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from connectors.errors import (
    CredentialsRejected,
    MalformedResponse,
    RegistryError,
    RequestRejected,
    UpstreamFailure,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from connectors.resilience import (
    CircuitBreaker,
    Clock,
    ResilienceSettings,
    backoff_delay,
    default_random,
)

TokenProvider = Callable[[str], str]
"""Given a scope, a bearer token for it (the gateway signs and caches them)."""

USER_AGENT = "samtykke-gateway"

ResultT = TypeVar("ResultT")


def _as_is(response: httpx.Response) -> httpx.Response:
    return response


class RegistryHttp:
    def __init__(
        self,
        registry: str,
        base_url: str,
        *,
        token_provider: TokenProvider | None = None,
        settings: ResilienceSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = default_random,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings or ResilienceSettings()
        self.breaker = CircuitBreaker(registry, self.settings, clock=clock)
        self._token_provider = token_provider
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            headers={
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                **(default_headers or {}),
            },
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def _timeout(self, remaining: float) -> httpx.Timeout:
        return httpx.Timeout(
            connect=min(self.settings.connect_timeout, remaining),
            read=min(self.settings.read_timeout, remaining),
            write=min(self.settings.read_timeout, remaining),
            pool=min(self.settings.connect_timeout, remaining),
        )

    def _headers(self, scope: str | None, headers: Mapping[str, str] | None) -> dict[str, str]:
        result = dict(headers or {})
        if scope is not None:
            if self._token_provider is None:
                raise RuntimeError(f"{self.registry}: a scope needs a token provider")
            result["Authorization"] = f"Bearer {self._token_provider(scope)}"
        return result

    def get(
        self,
        path: str,
        *,
        scope: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET is idempotent, so failures are retried within the deadline."""
        return self.fetch(path, _as_is, scope=scope, params=params, headers=headers)

    def fetch(
        self,
        path: str,
        read: Callable[[httpx.Response], ResultT],
        *,
        scope: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ResultT:
        """GET, then `read` the answer (or raise the registry's error) inside the breaker's count.

        A malformed answer counts as a failure of the registry, like no answer;
        a well-formed refusal (an unknown person, say) shows the registry works.
        """
        self.breaker.before_call()
        try:
            result = read(self._get_with_retries(path, scope, params, headers))
        except (UpstreamFailure, MalformedResponse):
            self.breaker.record_failure()
            raise
        except RegistryError:
            self.breaker.record_success()
            raise
        except BaseException:
            self.breaker.record_abandoned()
            raise
        self.breaker.record_success()
        return result

    def _get_with_retries(
        self,
        path: str,
        scope: str | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        deadline = self._clock() + self.settings.deadline
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise UpstreamTimeout(self.registry, "the total deadline passed")
            failure: UpstreamFailure
            try:
                response = self._client.get(
                    path,
                    params=params,
                    headers=self._headers(scope, headers),
                    timeout=self._timeout(remaining),
                )
            except httpx.TimeoutException:
                failure = UpstreamTimeout(self.registry, "no answer within the timeout")
            except httpx.TransportError as error:
                failure = UpstreamUnavailable(self.registry, connection_failure(error))
            except httpx.DecodingError:
                # The body could not be decoded (e.g. a broken gzip stream): not retried,
                # the same bytes would come back.
                raise MalformedResponse(self.registry, "the body could not be decoded") from None
            else:
                if response.status_code < 500:
                    return response
                failure = unavailable_from_response(self.registry, response)
            attempt += 1
            if attempt >= self.settings.max_attempts:
                raise failure
            delay = backoff_delay(attempt - 1, self.settings, self._rand)
            if isinstance(failure, UpstreamUnavailable) and failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            if self._clock() + delay >= deadline:
                raise failure
            self._sleep(delay)


def connection_failure(error: httpx.TransportError) -> str:
    """What went wrong with the connection, in words a bank can read.

    Messages travel into problem bodies, so they never name the HTTP
    library's exception classes or repeat its text (which may carry a URL
    with a national identity number in it).
    """
    if isinstance(error, httpx.ConnectError):
        return "the registry could not be reached"
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError):
        return "the registry closed the connection before its answer was complete"
    return "the connection to the registry failed"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare enough that the back-off decides


def unavailable_from_response(registry: str, response: httpx.Response) -> UpstreamUnavailable:
    code, correlation_id = error_code_of(response)
    return UpstreamUnavailable(
        registry,
        f"the registry answered {response.status_code}",
        retry_after=_retry_after(response),
        code=code,
        status=response.status_code,
        correlation_id=correlation_id,
    )


def error_code_of(response: httpx.Response) -> tuple[str | None, str | None]:
    """The registry's own error code and correlation id, when its body carries them."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    code = body.get("kode")
    correlation = body.get("korrelasjonsid")
    return (
        str(code) if code is not None else None,
        str(correlation) if correlation is not None else None,
    )


@dataclass(frozen=True)
class ErrorCodes:
    """What a registry's `{kode, melding, korrelasjonsid}` error codes mean for the caller.

    `absent` maps the codes that say the party or its data is not there to an
    outcome and a message (`{what}` names what was asked for).
    """

    registry: str
    credentials: frozenset[str]
    rejected: frozenset[str]
    absent: Mapping[str, tuple[type[RegistryError], str]]

    def error_of(self, response: httpx.Response, *, what: str) -> RegistryError:
        """Map a 4xx answer to an exception."""
        code, correlation_id = error_code_of(response)
        status = response.status_code

        def error(kind: type[RegistryError], message: str) -> RegistryError:
            return kind(
                self.registry, message, code=code, status=status, correlation_id=correlation_id
            )

        if code in self.credentials or (code is None and status in (401, 403)):
            return error(CredentialsRejected, f"the registry refused our token ({status})")
        if code is not None and code in self.absent:
            kind, message = self.absent[code]
            return error(kind, message.format(what=what))
        if code in self.rejected:
            return error(RequestRejected, f"the registry refused the request ({code})")
        return error(MalformedResponse, f"unexpected answer {status} with code {code or 'none'}")


def json_body(registry: str, response: httpx.Response) -> Any:
    """The decoded JSON of a successful answer, or MalformedResponse."""
    content_type = response.headers.get("Content-Type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise MalformedResponse(registry, f"expected JSON, got content type {media_type or 'none'}")
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedResponse(registry, "the body is not valid JSON") from None


class RegistryClient:
    """The base of each registry's client: one pooled `RegistryHttp`, named by `REGISTRY`."""

    REGISTRY: str

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider,
        settings: ResilienceSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        http: RegistryHttp | None = None,
    ) -> None:
        self.http = http or RegistryHttp(
            self.REGISTRY,
            base_url,
            token_provider=token_provider,
            settings=settings,
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()
