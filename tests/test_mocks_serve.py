"""What `samtykke mocks serve` runs: every registry in one process, on real sockets."""

from __future__ import annotations

import asyncio
import threading

import httpx

from mock_registries.apps import OPENAPI_DOCUMENTS, MockServers
from mock_registries.population import FJORDKYST, build_population
from mock_registries.settings import MockSettings
from tests.servers import bound_socket


def test_every_registry_answers_the_real_paths_and_refuses_wrong_tokens() -> None:
    sockets = {name: bound_socket() for name in OPENAPI_DOCUMENTS}
    ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    settings = MockSettings.model_validate(
        {
            "population_size": 10,
            "gateway_jwks_url": "http://127.0.0.1:9/unreachable",
            **{f"{name}_port": port for name, port in ports.items()},
        }
    )
    servers = MockServers(settings)
    thread = threading.Thread(target=lambda: asyncio.run(servers.run(sockets)), daemon=True)
    thread.start()
    try:
        kari = build_population(settings.seed, 10).named[0]
        ske = settings.public_url(ports["skatteetaten"])
        answer = httpx.get(
            f"{ske}/api/formueinntekt/summertskattegrunnlag/oppgjoer/sbl/2024/{kari.fnr}",
            headers={"Authorization": "Bearer not-a-token"},
        )
        assert answer.status_code == 401
        assert answer.json()["kode"] == "SSG-004"

        brreg = settings.public_url(ports["brreg"])
        enhet = httpx.get(f"{brreg}/enhetsregisteret/api/enheter/{FJORDKYST}").json()
        assert enhet["organisasjonsnummer"] == FJORDKYST
        assert {"naeringskode1", "organisasjonsform", "konkurs", "underAvvikling"} <= set(enhet)

        for name, port in ports.items():
            healthz = httpx.get(f"{settings.public_url(port)}/healthz")
            assert healthz.json() == {"status": "ok"}, name

        idporten = settings.public_url(ports["idporten"])
        discovery = httpx.get(f"{idporten}/.well-known/openid-configuration").json()
        assert discovery["issuer"] == idporten
    finally:
        servers.stop()
        thread.join(timeout=10)
        for sock in sockets.values():
            sock.close()
    assert not thread.is_alive()
