"""Real HTTP servers for integration tests, with no waiting.

The listening socket is bound before the server thread starts, so a client
may connect at once: the kernel queues the connection until uvicorn
accepts it. Nothing polls and nothing sleeps.
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


# Where the kernel takes the local ports of outgoing connections from (Linux's default).
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST_PORT = 20_000


def _ephemeral_low() -> int:
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def port_for_a_child_process(host: str = "127.0.0.1") -> int:
    """A free port for a server that a child process binds itself, later.

    Taken below the kernel's ephemeral range: a port inside it that is free
    now may meanwhile become the local port of any outgoing connection (a
    database client's, an HTTP client's), and the child then cannot bind it.
    """
    low = _ephemeral_low()
    if low <= _LOWEST_PORT:
        raise RuntimeError(f"the ephemeral port range starts at {low}: no room below it")
    for _ in range(200):
        port = random.randrange(_LOWEST_PORT, low)
        try:
            with bound_socket(host, port):
                return port
        except OSError:
            continue  # taken: another test's server
    raise RuntimeError("no free port below the ephemeral range")


@contextmanager
def running_server(app: Any, *, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a background thread; yield its base URL."""
    sock = sock or bound_socket()
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
