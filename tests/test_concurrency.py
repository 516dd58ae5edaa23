"""Load and concurrency on 127.0.0.1: many keep-alive clients, streaming views reading
current_request() between yields; waitress threads and gunicorn worker processes."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.concurrency_app import app
from tests.hostile_support import address
from tests.server import serve

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
REQUESTS = 30


def _request(n: int, i: int) -> tuple[str, str, bytes]:
    """Request ``i`` of client ``n``: its path, token and the exact expected body."""
    token = f"c{n}-r{i}"
    kind = i % 3
    if kind == 0:  # streamed by the wrapped @view
        path = f"/echo?client={n}&i={i}"
        return path, token, "".join(f"{token}|{path}|{k};" for k in range(5)).encode()
    if kind == 1:  # streamed by a route
        path = f"/routed/{token}"
        return path, token, "".join(f"{token}|{token}|{k};" for k in range(5)).encode()
    path = f"/json/{token}"  # buffered: the connection must stay open
    return path, token, f'{{"token":"{token}","header":"{token}"}}'.encode()


def _drive(host: str, port: int, clients: int = CLIENTS, requests: int = REQUESTS) -> list[str]:
    """Run the clients; return the problems seen (empty when all is well).

    Each client keeps its connection alive; servers close it after a streamed body
    without Content-Length (waitress does), and the client then reconnects.
    """
    problems: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            for i in range(requests):
                path, token, expected = _request(n, i)
                conn.request("GET", path, headers={"X-Token": token})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200 or body != expected:
                    with lock:
                        problems.append(f"{path}: {resp.status} {body[:120]!r}")
                if resp.will_close:
                    if path.startswith("/json/"):
                        with lock:
                            problems.append(f"{path}: keep-alive connection closed")
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=10)
        except Exception as error:  # reported, not raised in the thread
            with lock:
                problems.append(f"client {n}: {error!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    return problems


@pytest.mark.functional
def test_waitress_many_keep_alive_clients_no_errors_no_cross_talk() -> None:
    with serve(app, threads=8) as url:
        host, port = address(url)
        problems = _drive(host, port)
    assert problems == []


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gunicorn exited early"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/pid")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer in time")


@pytest.mark.functional
def test_gunicorn_worker_processes_no_errors_no_cross_talk() -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    listener = _free_socket()
    port = listener.getsockname()[1]
    command = [
        str(gunicorn),
        "--bind", f"fd://{listener.fileno()}",
        "--workers", "2",
        "--worker-class", "gthread",
        "--threads", "8",
        "--keep-alive", "30",
        "--graceful-timeout", "2",
        "--log-level", "warning",
        "tests.concurrency_app:app",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        pass_fds=(listener.fileno(),),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    listener.close()  # gunicorn holds it now
    try:
        _wait_ready(port, proc)
        problems = _drive("127.0.0.1", port)
        pids: set[int] = set()
        for _ in range(200):  # fresh connections until both workers have answered
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/pid", headers={"Connection": "close"})
            pids.add(int(conn.getresponse().read().split(b":")[1].rstrip(b"}")))
            conn.close()
            if len(pids) >= 2:
                break
    finally:
        proc.terminate()
        try:
            _, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate(timeout=10)
    assert problems == [], stderr.decode(errors="replace")[-2000:]
    assert len(pids) >= 2, "only one worker process answered"
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-2000:]
