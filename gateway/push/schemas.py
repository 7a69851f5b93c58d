"""Request and response bodies of push registration, failed deliveries and replay."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class PushEndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=2000,
        description="Where the gateway POSTs the client's consent events (https).",
        examples=["https://bank.example/samtykke/events"],
    )


class PushEndpointView(BaseModel):
    client_id: str
    url: str
    created_at: datetime
    updated_at: datetime
    pending: int = Field(description="Events queued for this endpoint and not yet delivered.")


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class FailedDelivery(_Camel):
    consent_event_id: str = Field(alias="consentEventID")
    consent_request_id: str = Field(alias="consentRequestID")
    attempts: int
    queued: datetime
    last_attempt: datetime | None
    last_status: int | None = Field(description="The HTTP status of the last answer, if any.")
    last_error: str | None
    replay_from: str = Field(
        description="The continuation token just before this event: replay from it."
    )


class FailedDeliveryList(_Camel):
    failed_deliveries: list[FailedDelivery]


class PushReplayIn(_Camel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    continuation_token: str | None = Field(
        default=None,
        max_length=64,
        description="Replay the events after this feed position; none: from the beginning.",
    )


class PushReplayOut(_Camel):
    queued: int = Field(description="How many events are queued for delivery again.")
    continuation_token: str = Field(
        description="The feed position reached; when `complete` is false, replay again from it."
    )
    complete: bool
