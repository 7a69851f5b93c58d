"""The gateway as benchmarked: the real app, with the bench consent in an in-memory lookup.

uvicorn --factory bench.oauth.app:create_bench_app (env: SAMTYKKE_*, BENCH_RUN_DIR)
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI

from gateway.app import create_app
from gateway.oauth.consents import ConsentView, InMemoryConsentLookup


def create_bench_app() -> FastAPI:
    bank = json.loads((Path(os.environ["BENCH_RUN_DIR"]) / "bank.json").read_text())
    consent = bank["consent"]
    app = create_app()
    app.state.consent_lookup = InMemoryConsentLookup(
        [
            ConsentView(
                id=consent["id"],
                status="accepted",
                person=consent["person"],
                bank_organisation_number=consent["bank"],
                valid_to=datetime.fromisoformat(consent["valid_to"]),
                accepted_at=datetime.fromisoformat(consent["accepted_at"]),
                consent_rights=[
                    {
                        "action": ["consent"],
                        "resource": [
                            {
                                "type": "urn:altinn:resource",
                                "value": "ske-samtykke-sbl-summert-skattegrunnlag",
                            }
                        ],
                        "metadata": {"inntektsaar": "2024"},
                    }
                ],
            )
        ]
    )
    return app
