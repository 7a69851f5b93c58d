"""``python -m mock_registries serve [--host H]`` and ``python -m mock_registries openapi write``.

`serve` runs the registries in one process on their own ports (8101 Tax
Administration, 8102 Brønnøysund, 8103 ID-porten, 8104 Landbruksdirektoratet,
8105 Fiskeridirektoratet by default), sharing one synthetic population.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from mock_registries.apps import OPENAPI_DOCUMENTS, MockServers, render_openapi
from mock_registries.settings import MockSettings


async def serve(settings: MockSettings) -> None:
    servers = MockServers(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, servers.stop)
    print(
        f"Mock registries on {settings.host}: Skatteetaten :{settings.skatteetaten_port}, "
        f"Brønnøysund :{settings.brreg_port}, ID-porten :{settings.idporten_port}, "
        f"Landbruksdirektoratet :{settings.landbruk_port}, "
        f"Fiskeridirektoratet :{settings.fiskeri_port} "
        f"(seed {settings.seed}; test persons at "
        f"{settings.public_url(settings.idporten_port)}/test-persons)",
        file=sys.stderr,
        flush=True,
    )
    await servers.run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mock_registries")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="Run the mock registries.")
    serve_parser.add_argument("--host", help="Address to listen on (default from settings).")
    openapi_parser = commands.add_parser("openapi", help="The committed OpenAPI documents.")
    openapi_parser.add_argument("action", choices=["write"])
    arguments = parser.parse_args(argv)

    if arguments.command == "serve":
        settings = MockSettings()
        if arguments.host:
            settings = settings.model_copy(update={"host": arguments.host})
        asyncio.run(serve(settings))
    else:
        for name, path in OPENAPI_DOCUMENTS.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_openapi(name), encoding="utf-8")
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
