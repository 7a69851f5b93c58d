"""Request and response bodies, with Altinn 3's field names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from consent.parties import ORGANISATION_URN_PREFIX, PERSON_URN_PREFIX

__all__ = ["ORGANISATION_URN_PREFIX", "PERSON_URN_PREFIX"]

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
        description=(
            "The party: a person, urn:altinn:person:identifier-no:<national identity number>, "
            "or an enterprise, urn:altinn:organization:identifier-no:<organisation number>."
        ),
    )
    required_delegator: str | None = Field(
        default=None,
        max_length=64,
        description=(
            "For an enterprise: the person who is to consent on its behalf, "
            "urn:altinn:person:identifier-no:<national identity number>. Their authority is "
            "checked against Enhetsregisteret's roles when they answer."
        ),
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
    party: str = Field(description="The consent's party: a person's or an enterprise's URN.")
    created: datetime
    performedBy: PerformedBy  # noqa: N815


class Authority(_Altinn):
    """Who consented for an enterprise, by which role, and the enterprise's registered name."""

    role: str
    organisation_name: str


class ConsentRequestOut(_Altinn):
    id: str
    from_: str = Field(alias="from")
    required_delegator: str | None = Field(
        default=None, description="For an enterprise: the person who answers for it."
    )
    authority: Authority | None = Field(
        default=None,
        description="For an accepted enterprise consent: the role that gave authority.",
    )
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
