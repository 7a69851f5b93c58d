"""Every table of the gateway, gathered so that Alembic sees the whole schema.

Each domain module defines its models on :class:`consent.storage.base.Base`;
importing them here registers them.
"""

from __future__ import annotations

from consent.audit.models import AuditEntry
from consent.authorization.models import (
    AuthorizationCode,
    PushedAuthorizationRequest,
    RevokedToken,
    UsedJti,
)
from consent.clients.models import Client
from consent.storage.base import Base

__all__ = [
    "AuditEntry",
    "AuthorizationCode",
    "Base",
    "Client",
    "PushedAuthorizationRequest",
    "RevokedToken",
    "UsedJti",
]
