"""One row per citizen session; the browser holds only a random id whose hash is the key.

A stolen database gives no usable cookie (only hashes are stored), and a
copied cookie stops working everywhere the moment its row goes: at logout,
after the absolute lifetime, or after the idle time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base


class CitizenSession(Base):
    __tablename__ = "citizen_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256, hex
    # The logged-in person; None before login (the session then carries only login state).
    person: Mapped[str | None] = mapped_column(String(11))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    logged_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # ID-porten's session id (`sid`), for its front-channel logout.
    idporten_sid: Mapped[str | None] = mapped_column(String(255))
    # CSRF secret, language, the page to return to, the OIDC transaction.
    state: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_citizen_sessions_created_at", "created_at"),
        Index("ix_citizen_sessions_last_used_at", "last_used_at"),
    )
