"""Signed tree heads: a tree size, its root hash and a time, signed as a JWS.

The payload is compact JSON with sorted keys:
`{"origin": ..., "rootHash": <hex>, "timestamp": <RFC 3339 UTC>, "treeSize": n}`.
The signing key is passed in (the gateway keeps its keys), so this module
needs no configuration; verification needs only the public JWKS.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

from consent.audit.canonical import format_timestamp

CHECKPOINT_TYPE = "audit-checkpoint+jws"
DEFAULT_ORIGIN = "samtykke-audit-log"
ALGORITHMS = ("Ed25519", "ES256")


class CheckpointSignatureError(ValueError):
    """A checkpoint's signature or payload does not verify."""


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class CheckpointSigner:
    key: ECKey | OKPKey
    algorithm: str
    origin: str = DEFAULT_ORIGIN

    @property
    def key_id(self) -> str:
        return str(self.key.kid)

    def sign(self, tree_size: int, root_hash: bytes, signed_at: datetime) -> str:
        payload = {
            "origin": self.origin,
            "rootHash": root_hash.hex(),
            "timestamp": format_timestamp(signed_at),
            "treeSize": tree_size,
        }
        header = {"alg": self.algorithm, "kid": self.key_id, "typ": CHECKPOINT_TYPE}
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return jws.serialize_compact(header, body, self.key, algorithms=[self.algorithm])


@dataclass(frozen=True)
class VerifiedCheckpoint:
    tree_size: int
    root_hash: bytes
    timestamp: str
    origin: str
    key_id: str


def verify_checkpoint(signature: str, jwks: dict[str, Any]) -> VerifiedCheckpoint:
    """Check a checkpoint's signature against a public JWKS and return what it says."""
    try:
        key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        verified = jws.deserialize_compact(signature, key_set, algorithms=list(ALGORITHMS))
        if verified.headers().get("typ") != CHECKPOINT_TYPE:
            raise CheckpointSignatureError("not a checkpoint")
        payload = json.loads(verified.payload)
        return VerifiedCheckpoint(
            tree_size=int(payload["treeSize"]),
            root_hash=bytes.fromhex(str(payload["rootHash"])),
            timestamp=str(payload["timestamp"]),
            origin=str(payload["origin"]),
            key_id=str(verified.headers().get("kid")),
        )
    except (JoseError, ValueError, KeyError, TypeError) as error:
        if isinstance(error, CheckpointSignatureError):
            raise
        raise CheckpointSignatureError(f"checkpoint signature does not verify: {error}") from error
