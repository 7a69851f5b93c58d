"""`python -m examples.demo_bank [serve | registration]`.

serve         run the bank (the default)
registration  print the JSON body to register the bank with the gateway's admin API
"""

from __future__ import annotations

import json
import sys

import uvicorn

from examples.demo_bank.app import create_app
from examples.demo_bank.registration import registration_request
from examples.demo_bank.settings import BankSettings


def main(argv: list[str]) -> int:
    settings = BankSettings()
    command = argv[0] if argv else "serve"
    if command == "registration":
        sys.stdout.write(json.dumps(registration_request(settings)) + "\n")
        return 0
    if command == "serve":
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
        return 0
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
