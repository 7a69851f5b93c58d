"""Prepare a token benchmark: migrate the database, register a bank, describe one consent.

usage: python -m bench.oauth.setup_bench <database-url> <run-dir>
Writes <run-dir>/bank.json with the client id, its private key and the consent.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from joserfc.jwk import ECKey

from consent.storage.database import create_database_engine, create_session_factory
from consent.storage.migrate import upgrade_database
from gateway.clients import service
from gateway.clients.organisations import InMemoryOrganisationLookup, Organisation
from gateway.clients.schemas import ClientRegistration

BANK_ORG = "984851006"
PERSON = "21818297804"


def main() -> None:
    database_url, run_dir = sys.argv[1], Path(sys.argv[2])
    upgrade_database(database_url)
    key = ECKey.generate_key("P-256", private=True)
    key.ensure_kid()
    lookup = InMemoryOrganisationLookup([Organisation(BANK_ORG, "Bench Bank", "64.190")])
    engine = create_database_engine(database_url, pool_size=1)
    with create_session_factory(engine)() as session:
        client = service.register(
            session,
            lookup,
            ClientRegistration(
                organisation_number=BANK_ORG,
                name="Bench Bank",
                jwks={"keys": [key.as_dict(private=False)]},
                data_products=["summert-skattegrunnlag"],
            ),
            registered_by="bench",
        )
        session.commit()
    engine.dispose()
    now = datetime.now(UTC)
    bank = {
        "client_id": client.client_id,
        "key": key.as_dict(private=True),
        "consent": {
            "id": str(uuid.uuid4()),
            "person": PERSON,
            "bank": BANK_ORG,
            "accepted_at": now.isoformat(),
            "valid_to": (now + timedelta(days=30)).isoformat(),
        },
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "bank.json").write_text(json.dumps(bank))
    print(f"registered bench client {client.client_id}", file=sys.stderr)


if __name__ == "__main__":
    main()
