"""A real waitress server on 127.0.0.1 and a free port, for functional tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from waitress import wasyncore
from waitress.server import create_server


@contextmanager
def serve(app: Any, *, threads: int = 4, **options: Any) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port; yield its base URL.

    The server runs in a daemon thread and is closed when the block exits.
    """
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, **options)
    host, port = server.socket.getsockname()[:2]
    stop = threading.Event()

    def run() -> None:
        # The loop is stopped by a flag rather than by closing its sockets under it
        # (select() on a closed descriptor fails in this thread).
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)

    thread = threading.Thread(target=run, name="waitress-test", daemon=True)
    thread.start()
    _wait_listening(host, port)
    try:
        yield f"http://{host}:{port}"
    finally:
        # Let running tasks finish while the loop still flushes their output, then
        # stop the loop, then close every socket from this thread.
        server.task_dispatcher.shutdown(timeout=10)
        stop.set()
        thread.join(timeout=10)
        wasyncore.close_all(server._map)


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
