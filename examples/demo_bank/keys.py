"""The bank's signing key: generated on first run, kept in the state folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from samtykke_client import generate_private_jwk

PRIVATE_KEY_FILE = "private-jwk.json"


def load_or_create_private_jwk(state_dir: Path) -> dict[str, Any]:
    path = state_dir / PRIVATE_KEY_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        # Written readable by the owner only, and never replaced once it exists.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(generate_private_jwk("ES256"), file)
    key: dict[str, Any] = json.loads(path.read_text())
    return key
