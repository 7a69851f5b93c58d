"""What can go wrong when asking a registry, as one exception hierarchy.

    RegistryError                 anything a connector raises
    ├── PersonNotFound            the registry does not know the person
    ├── NoDataForPeriod           the person is known, the year or months are not
    ├── OrganisationNotFound      no such organisation number, ever
    ├── OrganisationRemoved       the organisation was removed from the register
    ├── RequestRejected           the registry found our request invalid (4xx)
    ├── CredentialsRejected       the registry refused our token (401/403)
    ├── MalformedResponse         the answer is not what the registry documents
    └── UpstreamFailure           the registry did not answer usefully; may be retried later
        ├── UpstreamUnavailable   5xx or the connection failed; carries Retry-After
        ├── UpstreamTimeout       no answer within the timeouts or the total deadline
        └── CircuitOpen           recent calls failed; this one was not attempted

Messages say what happened and never carry a national identity number.
`code` is the registry's own error code when it sent one (e.g. ``SSG-007``),
`correlation_id` its ``korrelasjonsid``, for support requests.
"""

from __future__ import annotations

from datetime import date


class RegistryError(Exception):
    def __init__(
        self,
        registry: str,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(f"{registry}: {message}")
        self.registry = registry
        self.message = message
        self.code = code
        self.status = status
        self.correlation_id = correlation_id


class PersonNotFound(RegistryError):
    pass


class NoDataForPeriod(RegistryError):
    """The registry has nothing for that year or those months.

    `latest_available` is the latest income year the registry has for the
    person, when the connector could learn it.
    """

    def __init__(
        self,
        registry: str,
        message: str,
        *,
        latest_available: int | None = None,
        code: str | None = None,
        status: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(registry, message, code=code, status=status, correlation_id=correlation_id)
        self.latest_available = latest_available


class OrganisationNotFound(RegistryError):
    pass


class OrganisationRemoved(RegistryError):
    def __init__(self, registry: str, message: str, *, removed_on: date | None = None) -> None:
        super().__init__(registry, message, status=410)
        self.removed_on = removed_on


class RequestRejected(RegistryError):
    pass


class CredentialsRejected(RegistryError):
    pass


class MalformedResponse(RegistryError):
    pass


class UpstreamFailure(RegistryError):
    pass


class UpstreamUnavailable(UpstreamFailure):
    def __init__(
        self,
        registry: str,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
        status: int | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(registry, message, code=code, status=status, correlation_id=correlation_id)
        self.retry_after = retry_after


class UpstreamTimeout(UpstreamFailure):
    pass


class CircuitOpen(UpstreamFailure):
    def __init__(self, registry: str, *, retry_after: float) -> None:
        super().__init__(registry, "recent calls failed; not calling until the circuit closes")
        self.retry_after = retry_after
