"""Request and response bodies, with Altinn 3's field names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

PERSON_URN_PREFIX = "urn:altinn:person:identifier-no:"
ORGANISATION_URN_PREFIX = "urn:altinn:organization:identifier-no:"

MessageText = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
MetadataValue = Annotated[str, StringConstraints(max_length=32)] | int


class _Altinn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Resource(_Altinn):
    type: Literal["urn:altinn:resource"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class ConsentRight(_Altinn):
    action: list[Literal["consent"]] = Field(min_length=1, max_length=1)
    resource: list[Resource] = Field(min_length=1, max_length=1)
    metadata: dict[str, MetadataValue] = Field(default_factory=dict, max_length=8)


class RequestMessage(_Altinn):
    nb: MessageText | None = None
    nn: MessageText | None = None
    en: MessageText | None = None


class ConsentRequestIn(_Altinn):
    id: uuid.UUID = Field(description="Chosen by the bank; sending it again is idempotent.")
    from_: str = Field(
        alias="from",
        max_length=64,
        description="The person: urn:altinn:person:identifier-no:<national identity number>.",
    )
    to: str = Field(
        max_length=64,
        description="The bank: urn:altinn:organization:identifier-no:<organisation number>.",
    )
    valid_to: AwareDatetime
    consent_rights: list[ConsentRight] = Field(min_length=1, max_length=10)
    request_message: RequestMessage
    redirect_url: str = Field(max_length=2000)
    one_time: bool = Field(
        default=False, description="Used up by the first successful fetch of data."
    )


class PerformedBy(_Altinn):
    type: Literal["citizen", "bank", "system"]


class ConsentRequestEventOut(_Altinn):
    model_config = ConfigDict(alias_generator=None, populate_by_name=True)

    consentEventID: str  # noqa: N815  (Altinn's spelling)
    consentRequestID: str  # noqa: N815
    eventType: str  # noqa: N815
    created: datetime
    performedBy: PerformedBy  # noqa: N815


class ConsentRequestOut(_Altinn):
    id: str
    from_: str = Field(alias="from")
    to: str
    valid_to: datetime
    consented: datetime | None
    consent_rights: list[dict[str, Any]]
    request_message: dict[str, str]
    redirect_url: str
    one_time: bool
    status: str
    view_uri: str
    consent_request_events: list[ConsentRequestEventOut]


class ConsentRequestEventPage(_Altinn):
    consent_request_events: list[ConsentRequestEventOut]
    continuation_token: str = Field(
        description="Pass it back to read the events that follow; it never expires."
    )
