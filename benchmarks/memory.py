"""Peak memory while streaming a large generated body (1 GiB by default).

Each case runs in a fresh child process, so that one case's peak cannot hide
another's. Two ways of streaming are measured:

``inprocess``
    the child calls the application through the WSGI interface and drains the body
    (64 KiB ``str`` chunks, which respond_mw encodes one by one); reported is the
    growth of the child's peak RSS over its RSS before the request, and the peak of
    memory allocated by Python while streaming (``tracemalloc``).
``waitress``
    the child serves the application with waitress on 127.0.0.1 and this process
    reads the body over a socket; reported is the growth of the server's peak RSS
    (``VmHWM`` from ``/proc``, Linux only).

A flat profile -- a few MiB, never proportional to the body -- is expected.

    .venv/bin/python benchmarks/memory.py                 # 1 GiB per case
    .venv/bin/python benchmarks/memory.py --size 1048576  # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from bench_apps import App, Skip, _middleware_class, environ_template

CHUNK = 64 * 1024
MiB = 1024 * 1024


def _chunks(size: int) -> Iterator[str]:
    piece = "x" * CHUNK
    whole, rest = divmod(size, CHUNK)
    for _ in range(whole):
        yield piece
    if rest:
        yield piece[:rest]


def _bytes_chunks(size: int) -> Iterator[bytes]:
    for piece in _chunks(size):
        yield piece.encode()


def raw_app(size: int) -> App:
    def raw(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return _bytes_chunks(size)

    return raw


def view_app(size: int) -> App:
    from respond_mw import view

    @view(content_type="application/octet-stream")
    def big() -> Iterator[str]:
        return _chunks(size)

    return big


def middleware_route_app(size: int) -> App:
    middleware = _middleware_class()(raw_app(0))
    middleware.route("/big")(lambda: _chunks(size))
    return middleware  # type: ignore[no-any-return]


def middleware_passthrough_app(size: int) -> App:
    middleware = _middleware_class()(raw_app(size))
    middleware.route("/other")(lambda: "not this one")
    return middleware  # type: ignore[no-any-return]


CASES: dict[str, Callable[[int], App]] = {
    "raw generator": raw_app,
    "@view generator": view_app,
    "Middleware route generator": middleware_route_app,
    "Middleware pass-through": middleware_passthrough_app,
}


def rss_kib(field: str = "VmRSS", pid: str = "self") -> int:
    """A memory field of ``/proc/<pid>/status`` in KiB (0 where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ------------------------------------------------------------------- child process


def child_inprocess(name: str, size: int) -> str:
    app = CASES[name](size)
    environ = environ_template("/big")
    environ["wsgi.input"] = io.BytesIO()
    before = rss_kib()
    tracemalloc.start()
    begin = time.perf_counter()
    captured: list[Any] = []
    result = app(environ, lambda status, headers, exc_info=None: captured.append(status))
    total = 0
    try:
        for chunk in result:
            total += len(chunk)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    seconds = time.perf_counter() - begin
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # ru_maxrss is in KiB on Linux.
    grown = max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    return f"{captured[0][:3]} {total} {seconds:.2f} {grown / 1024:.1f} {peak / MiB:.1f}"


def child_serve(name: str, size: int) -> None:
    from waitress.server import create_server

    server = create_server(CASES[name](size), host="127.0.0.1", port=0, threads=1)
    print(f"port {server.socket.getsockname()[1]}", flush=True)

    def stop_on_eof() -> None:
        sys.stdin.read()
        server.close()

    threading.Thread(target=stop_on_eof, daemon=True).start()
    with contextlib.suppress(OSError, ValueError):
        server.run()


# ------------------------------------------------------------------ parent process


def run_inprocess(name: str, size: int, timeout: float) -> str:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--child", name, "--size", str(size)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return f"error: {last}"
    return out.stdout.strip().splitlines()[-1]


def run_waitress(name: str, size: int, timeout: float) -> str:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--child-serve", name, "--size", str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout: IO[str] = process.stdout  # type: ignore[assignment]
        line = stdout.readline().strip()
        if not line.startswith("port "):
            return f"error: {line or 'server did not start'}"
        pid = str(process.pid)
        before = rss_kib("VmRSS", pid)
        conn = http.client.HTTPConnection("127.0.0.1", int(line[5:]), timeout=30)
        begin = time.perf_counter()
        deadline = time.monotonic() + timeout
        conn.request("GET", "/big")
        response = conn.getresponse()
        total = 0
        while time.monotonic() < deadline:
            data = response.read(CHUNK * 4)
            if not data:
                break
            total += len(data)
        seconds = time.perf_counter() - begin
        conn.close()
        grown = max(0, rss_kib("VmHWM", pid) - before)
        return f"{response.status} {total} {seconds:.2f} {grown / 1024:.1f} -"
    finally:
        stdin: IO[str] = process.stdin  # type: ignore[assignment]
        stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1024 * MiB, help="body size in bytes")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per case")
    parser.add_argument(
        "--mode", choices=["both", "inprocess", "waitress"], default="both", help="how to stream"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0 < args.size <= 16 * 1024 * MiB or not 0 < args.timeout <= 600:
        parser.error("0 < size <= 16 GiB, 0 < timeout <= 600")
    if args.child:
        try:
            print(child_inprocess(args.child, args.size))
        except Skip as reason:
            print(f"skip {reason}")
        return 0
    if args.child_serve:
        try:
            child_serve(args.child_serve, args.size)
        except Skip as reason:
            print(f"skip {reason}", flush=True)
        return 0

    modes = ["inprocess", "waitress"] if args.mode == "both" else [args.mode]
    print(f"body: {args.size / MiB:g} MiB in {CHUNK // 1024} KiB chunks")
    print()
    header = f"{'case':<28}  {'mode':<9}  status  {'MiB sent':>9}  {'s':>6}  "
    print(header + "peak RSS growth MiB  tracemalloc peak MiB")
    print("=" * (len(header) + 41))
    verdicts = []
    for name in CASES:
        for mode in modes:
            runner = run_inprocess if mode == "inprocess" else run_waitress
            line = runner(name, args.size, args.timeout)
            if line.startswith(("skip", "error")):
                print(f"{name:<28}  {mode:<9}  {line}")
                continue
            status, total, seconds, grown, peak = line.split()
            print(
                f"{name:<28}  {mode:<9}  {status:<6}  {int(total) / MiB:9.1f}  {seconds:>6}  "
                f"{grown:>19}  {peak:>20}"
            )
            flat = float(grown) <= 64 and int(total) == args.size and status == "200"
            verdicts.append(f"{'PASS' if flat else 'FAIL'} {name} ({mode}): {grown} MiB")
    print()
    print("flat memory: peak RSS growth <= 64 MiB and the whole body received")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
