"""Middleware on a real waitress server on 127.0.0.1: concurrency and streaming."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from webob import Response

from respond_mw import Middleware, current_request
from tests.server import serve

pytestmark = pytest.mark.functional

CLIENTS = 16
REQUESTS_PER_CLIENT = 4


def legacy_echo(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    """A legacy app that streams the query string back, in several chunks."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    query = environ.get("QUERY_STRING", "")
    for part in ("legacy", ":", query):
        time.sleep(0.001)
        yield part.encode()


def build_app() -> Middleware:
    mw = Middleware(legacy_echo)

    @mw.route("/echo/<int:client>/<int:number>")
    def echo(client: int, number: int) -> Iterator[str]:
        yield f'{{"client": {client}, '
        time.sleep(0.002)  # let other threads interleave while streaming
        yield f'"number": {number}, '
        yield f'"query": {json.dumps(current_request().params.get("token"))}}}'

    @mw.after_request
    def tag(response: Response) -> Response:
        response.headers["X-Token"] = current_request().params.get("token", "")
        return response

    return mw


def test_sixteen_concurrent_clients_each_get_their_own_data() -> None:
    results: dict[tuple[int, int], tuple[Any, ...]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS, timeout=20)

    def client(url: str, n: int) -> None:
        try:
            start.wait()
            for i in range(REQUESTS_PER_CLIENT):
                token = f"t{n}-{i}"
                with urllib.request.urlopen(f"{url}/echo/{n}/{i}?token={token}", timeout=20) as r:
                    routed = (json.loads(r.read()), r.headers["X-Token"])
                with urllib.request.urlopen(f"{url}/legacy?token={token}", timeout=20) as r:
                    passed = (r.read(), r.headers["X-Token"])
                results[(n, i)] = (*routed, *passed)
        except BaseException as error:
            errors.append(error)

    with serve(build_app(), threads=8) as url:
        threads = [threading.Thread(target=client, args=(url, n)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    expected = {
        (n, i): (
            {"client": n, "number": i, "query": f"t{n}-{i}"},
            f"t{n}-{i}",
            f"legacy:token=t{n}-{i}".encode(),
            f"t{n}-{i}",
        )
        for n in range(CLIENTS)
        for i in range(REQUESTS_PER_CLIENT)
    }
    assert results == expected


def _read_until(sock: socket.socket, needle: bytes, received: bytearray, deadline: float) -> bool:
    while needle not in received:
        if time.monotonic() > deadline:
            return False
        try:
            data = sock.recv(4096)
        except TimeoutError:
            continue
        if not data:
            return needle in received
        received.extend(data)
    return True


@pytest.mark.parametrize("hooks", [False, True], ids=["plain", "with-hooks"])
def test_legacy_stream_is_not_buffered(hooks: bool) -> None:
    release = threading.Event()
    produced: list[str] = []
    closed = threading.Event()

    def legacy_stream(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            produced.append("first")
            yield b"first-chunk|"
            release.wait(timeout=20)
            produced.append("last")
            yield b"last-chunk|"
        finally:
            closed.set()

    mw = Middleware(legacy_stream)
    torn: list[Any] = []
    if hooks:
        mw.after_request(lambda response: response)
        mw.teardown_request(torn.append)
        mw.register_error_handler(404, lambda error: "not found")

    with serve(mw) as url:
        parts = urlsplit(url)
        assert parts.hostname is not None
        assert parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=1) as sock:
            sock.sendall(b"GET /stream HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            received = bytearray()
            deadline = time.monotonic() + 20
            try:
                got_first = _read_until(sock, b"first-chunk|", received, deadline)
                # the first chunk crossed the socket while the last is not produced yet
                assert got_first
                assert produced == ["first"]
            finally:
                release.set()
            assert _read_until(sock, b"last-chunk|", received, deadline)
        assert received.startswith(b"HTTP/1.1 200 OK\r\n")
        assert closed.wait(timeout=10)
    assert produced == ["first", "last"]
    if hooks:
        assert torn == [None]


def test_demo_legacy_runs_with_python_m() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "demo.legacy", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello/demo", timeout=5) as r:
                    assert json.loads(r.read()) == {"hello": "demo"}
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
