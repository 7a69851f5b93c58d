"""The gateway's own signing keys, one key set per purpose, kept as JWK files in `key_dir`.

Each purpose has a current key (the first in its file) and the keys it
replaced, which stay published so that what they signed still verifies
after a rotation. Keys are made on first use; several processes sharing a
key folder agree on the same key because a file is created exclusively
and written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from enum import StrEnum
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeyParameters, KeySet, OKPKey

Key = ECKey | OKPKey

# How many replaced keys stay published after a rotation.
RETAINED_PREVIOUS_KEYS = 2


class KeyPurpose(StrEnum):
    ACCESS_TOKEN = "access-token"  # noqa: S105  (a purpose's name, not a secret)
    REGISTRY_CLIENT = "registry-client"
    AUDIT_CHECKPOINT = "audit-checkpoint"
    RECEIPT = "receipt"
    SECURITY_EVENT = "security-event"  # consent events pushed to banks (RFC 8417)
    ANSWER = "answer"  # signed statements of derived answers


# The algorithm each purpose signs with. Checkpoints use Ed25519 so that
# verifiers can rely on deterministic signatures; "Ed25519" is its fully
# specified JOSE name (RFC 9864 deprecates the polymorphic "EdDSA").
ALGORITHMS: dict[KeyPurpose, str] = {
    KeyPurpose.ACCESS_TOKEN: "ES256",
    KeyPurpose.REGISTRY_CLIENT: "ES256",
    KeyPurpose.AUDIT_CHECKPOINT: "Ed25519",
    KeyPurpose.RECEIPT: "ES256",
    KeyPurpose.SECURITY_EVENT: "ES256",
    KeyPurpose.ANSWER: "ES256",
}


def generate_key(algorithm: str) -> Key:
    parameters: KeyParameters = {"use": "sig", "alg": algorithm}
    key: Key
    if algorithm in {"EdDSA", "Ed25519"}:
        key = OKPKey.generate_key("Ed25519", parameters=parameters, private=True)
    else:
        key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    key.ensure_kid()
    return key


def import_key(data: dict[str, Any]) -> Key:
    if data["kty"] == "OKP":
        return OKPKey.import_key(data)
    return ECKey.import_key(data)


class KeyStore:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._keys: dict[KeyPurpose, list[Key]] = {}
        self._loaded_versions: dict[KeyPurpose, int] = {}
        # Registry calls run in parallel threads; the first of them must create a missing
        # key while the others wait, not read a file that is not written yet.
        self._lock = threading.Lock()

    def _path(self, purpose: KeyPurpose) -> Path:
        return self.key_dir / f"{purpose.value}.jwks.json"

    def _complete_file(self, keys: list[Key]) -> str:
        """Write `keys` to a new private temporary file in the key folder; returns its path."""
        self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        document = {"keys": [key.as_dict(private=True) for key in keys]}
        handle, temporary = tempfile.mkstemp(dir=self.key_dir, prefix=".tmp-")
        with os.fdopen(handle, "w") as file:
            json.dump(document, file, indent=2)
        os.chmod(temporary, 0o600)
        return temporary

    def _write(self, purpose: KeyPurpose, keys: list[Key]) -> None:
        os.replace(self._complete_file(keys), self._path(purpose))

    def _create_once(self, purpose: KeyPurpose) -> None:
        """Create the first key of `purpose` unless another process got there first.

        The file is written in full under a temporary name and then linked into
        place, which fails if the name exists: a reader never sees a half-written
        file, and when several processes race, the first link wins and the
        others read it.
        """
        temporary = self._complete_file([generate_key(ALGORITHMS[purpose])])
        try:
            os.link(temporary, self._path(purpose))
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)

    def _load(self, purpose: KeyPurpose) -> list[Key]:
        path = self._path(purpose)
        if not path.exists():
            self._create_once(purpose)
        document = json.loads(path.read_text())
        return [import_key(data) for data in document["keys"]]

    def _version(self, purpose: KeyPurpose) -> int:
        try:
            return self._path(purpose).stat().st_mtime_ns
        except FileNotFoundError:
            return -1

    def keys(self, purpose: KeyPurpose) -> list[Key]:
        # A rotation by another process (`samtykke keys rotate`) replaces the file;
        # its new modification time makes every running process reload it.
        with self._lock:
            version = self._version(purpose)
            if purpose not in self._keys or self._loaded_versions.get(purpose) != version:
                self._keys[purpose] = self._load(purpose)
                self._loaded_versions[purpose] = self._version(purpose)
            return self._keys[purpose]

    def signing_key(self, purpose: KeyPurpose) -> Key:
        """The current private key of `purpose`."""
        return self.keys(purpose)[0]

    def algorithm(self, purpose: KeyPurpose) -> str:
        return ALGORITHMS[purpose]

    def verification_keys(self, purpose: KeyPurpose) -> KeySet:
        """Every published key of `purpose`, current first."""
        return KeySet(list(self.keys(purpose)))

    def public_jwks(self, purpose: KeyPurpose) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self.keys(purpose)]}

    def rotate(self, purpose: KeyPurpose) -> str:
        """Make a new current key; keep the replaced ones published. Returns the new kid."""
        fresh = generate_key(ALGORITHMS[purpose])
        keys = [fresh, *self.keys(purpose)][: RETAINED_PREVIOUS_KEYS + 1]
        self._write(purpose, keys)
        self._keys[purpose] = keys
        self._loaded_versions[purpose] = self._version(purpose)
        assert fresh.kid is not None
        return fresh.kid

    def reload(self) -> None:
        """Forget cached keys, so a rotation made by another process is seen."""
        self._keys.clear()
        self._loaded_versions.clear()
