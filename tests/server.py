"""A real waitress server on 127.0.0.1 and a free port, for functional tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waitress.server import create_server


@contextmanager
def serve(app: Any, *, threads: int = 4, **options: Any) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port; yield its base URL.

    The server runs in a daemon thread and is closed when the block exits.
    """
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, **options)
    host, port = server.socket.getsockname()[:2]
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    _wait_listening(host, port)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.close()
        thread.join(timeout=10)


def _wait_listening(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
