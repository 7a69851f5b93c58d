"""Tables of the authorization server.

`used_jtis` makes "every jti is used once" hold across gateway processes: the
primary key is the namespace and the jti, so a second insert of the same pair
fails in the database, whichever process tries it. Rows are kept until the
assertion or proof they guard could no longer be accepted anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base


class UsedJti(Base):
    __tablename__ = "used_jtis"

    # "client-assertion:<client_id>" or "dpop:<jkt>": a jti is unique per issuer of the JWT.
    namespace: Mapped[str] = mapped_column(String(128), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_used_jtis_expires_at", "expires_at"),)


class RevokedToken(Base):
    """An access token revoked before its expiry (RFC 7009).

    Tokens are self-contained JWTs, so only revocations are stored: issuing a
    token costs no write, and rows can go once the token has expired.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_revoked_tokens_expires_at", "expires_at"),)


class PushedAuthorizationRequest(Base):
    """A pushed authorization request (RFC 9126), later the citizen's pending interaction.

    The request_uri is handed out once and works once (`used_at`); the
    interaction id it turns into is what the consent page works with.
    """

    __tablename__ = "pushed_authorization_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the request_uri's secret part
    client_id: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    interaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthorizationCode(Base):
    """An authorization code, stored only as its SHA-256 hash; it lives 60 s and works once."""

    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(500))
    authorization_details: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    person: Mapped[str] = mapped_column(String(11))
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
