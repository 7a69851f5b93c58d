"""Tables of the authorization server.

`used_jtis` makes "every jti is used once" hold across gateway processes: the
primary key is the namespace and the jti, so a second insert of the same pair
fails in the database, whichever process tries it. Rows are kept until the
assertion or proof they guard could no longer be accepted anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base


class UsedJti(Base):
    __tablename__ = "used_jtis"

    # "client-assertion:<client_id>" or "dpop:<jkt>": a jti is unique per issuer of the JWT.
    namespace: Mapped[str] = mapped_column(String(128), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_used_jtis_expires_at", "expires_at"),)


class IssuedToken(Base):
    """One row per access token issued, for introspection and revocation."""

    __tablename__ = "issued_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_issued_tokens_expires_at", "expires_at"),)
