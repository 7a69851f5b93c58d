"""The client registry table."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base


class ClientKind(StrEnum):
    BANK = "bank"  # requests consent and fetches consented data
    AGENCY = "agency"  # reads the audit log


class ClientStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


def _now() -> datetime:
    return datetime.now(UTC)


class Client(Base):
    __tablename__ = "clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    organisation_number: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(200))
    # Exactly one of jwks (keys by value) and jwks_uri is set.
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    jwks_uri: Mapped[str | None] = mapped_column(String(2000))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_products: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=ClientStatus.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_now, onupdate=_now
    )

    __table_args__ = (Index("ix_clients_organisation_number", "organisation_number"),)

    @property
    def is_active(self) -> bool:
        return self.status == ClientStatus.ACTIVE.value
