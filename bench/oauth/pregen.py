"""Pre-generate distinct token requests: "<form body>\t<DPoP proof>" per line.

usage: python -m bench.oauth.pregen <run-dir> <count> <out-file> <issuer>
Each line is the Norwegian-model grant: client_credentials + authorization_details
for the bench consent, a fresh private_key_jwt assertion and a fresh DPoP proof.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from joserfc import jws, jwt
from joserfc.jwk import ECKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def main() -> None:
    run_dir, count, out, issuer = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    bank = json.loads((run_dir / "bank.json").read_text())
    key = ECKey.import_key(bank["key"])
    dpop_key = ECKey.generate_key("P-256", private=True)
    dpop_header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": dpop_key.as_dict(private=False)}
    consent = bank["consent"]
    details = json.dumps(
        [
            {
                "type": "urn:samtykke:consent",
                "id": consent["id"],
                "from": f"urn:altinn:person:identifier-no:{consent['person']}",
            }
        ]
    )
    client_id = bank["client_id"]
    now = int(time.time())
    with open(out, "w") as file:
        for _ in range(count):
            assertion = jwt.encode(
                {"alg": "ES256", "kid": key.kid},
                {
                    "iss": client_id,
                    "sub": client_id,
                    "aud": issuer,
                    "iat": now,
                    "exp": now + 120,
                    "jti": str(uuid.uuid4()),
                },
                key,
            )
            body = urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "authorization_details": details,
                }
            )
            claims = {"htm": "POST", "htu": issuer + "/oauth/token", "iat": now}
            claims["jti"] = str(uuid.uuid4())  # type: ignore[assignment]
            proof = jws.serialize_compact(dpop_header, json.dumps(claims).encode(), dpop_key)
            file.write(f"{body}\t{proof}\n")


if __name__ == "__main__":
    main()
