"""Requests per second under waitress on 127.0.0.1, as a ratio to the raw app.

Each application runs in waitress processes of its own on free loopback ports. The
load comes from ``wrk`` when it is installed (``apt-get install -y wrk``), else from a
Python client with a fixed number of threads, each sending keep-alive requests over
one ``http.client`` connection, bounded in count and time. Measurements of the
applications are interleaved and repeated; the median is reported.

Two processes serving the same application differ by about 2 % in requests/second,
for as long as they run (their memory layouts differ), which is as much as some of
the differences measured here. So each application is served by several processes
(``--processes``, 3 by default), the repeats take them in turn, and the median is
over all of them.

One keep-alive connection is the default: with several, waitress's hand-offs between
its I/O thread and its worker threads (each waiting for the GIL) make the rate swing
by several times from one run to the next, which hides the application's cost.

Each case is compared with the raw application answering the same request: a case
requested at another path than the raw one (a route, a legacy page) has the raw
application measured at that path too (``raw text at /section999/items/42``), so that
the application is the only difference (a longer request line is more for waitress and
the client to parse; in the runs of docs/performance.rst that difference stayed within
the noise, from 0.97x to 1.01x).

    .venv/bin/python benchmarks/server.py                       # about a minute
    .venv/bin/python benchmarks/server.py --client python -d 0.2 -r 1   # smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from bench_apps import CASES, Skip, build

DEFAULT_CASES = [
    "raw text",
    "@view str",
    "Middleware 1000 routes",
    "Middleware pass-through",
    "raw json.dumps",
    "@view dict",
    "flask str",
]
#: Each must reach 0.95x the requests/second of its raw application (:func:`raw_of`)
#: answering the same request.
TARGETS = ["@view str", "@view dict", "Middleware 1000 routes", "Middleware pass-through"]
LIMIT = 0.95


# ---------------------------------------------------------------------- the server


def serve(name: str, threads: int, lifetime: float) -> int:
    """Child process: serve case ``name``; print the port; stop at EOF on stdin."""
    from waitress.server import create_server

    case = next(c for c in CASES if c.name == name)
    try:
        app = build(case)
    except Skip as reason:
        print(f"skip {reason}", flush=True)
        return 0
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    print(f"port {server.socket.getsockname()[1]}", flush=True)

    def stop_on_eof() -> None:
        sys.stdin.read()  # the parent closes our stdin (or dies)
        server.close()

    def stop_on_timeout() -> None:
        time.sleep(lifetime)
        server.close()

    threading.Thread(target=stop_on_eof, daemon=True).start()
    threading.Thread(target=stop_on_timeout, daemon=True).start()
    with contextlib.suppress(OSError, ValueError):  # the socket was closed under the loop
        server.run()
    return 0


class Server:
    """A child process serving one case."""

    def __init__(self, case: str, threads: int, lifetime: float) -> None:
        self.case = case
        self.process = subprocess.Popen(
            [
                *(sys.executable, str(Path(__file__)), "--serve", case),
                *("--threads", str(threads), "--lifetime", str(lifetime)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        stdout: IO[str] = self.process.stdout  # type: ignore[assignment]
        line = stdout.readline().strip()
        self.skip = line[5:] if line.startswith("skip ") else ""
        self.port = int(line[5:]) if line.startswith("port ") else 0
        if not self.port and not self.skip:
            self.stop()
            raise RuntimeError(f"server for {case!r} did not start: {line!r}")

    def stop(self) -> None:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# ---------------------------------------------------------------------- the clients


def path_of(case: str) -> str:
    return next(c.path for c in CASES if c.name == case)


def load_wrk(port: int, path: str, seconds: float, connections: int) -> float:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    match = re.search(r"Requests/sec:\s*([0-9.]+)", out)
    if match is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return float(match[1])


def load_python(port: int, path: str, seconds: float, connections: int, limit: int) -> float:
    """``connections`` threads, each at most ``limit`` requests or ``seconds`` long."""
    done = [0] * connections
    errors: list[BaseException] = []
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for _ in range(limit):
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"status {response.status}")
                done[index] += 1
                if time.monotonic() > deadline:
                    break
        except BaseException as error:
            errors.append(error)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - begin
    if errors:
        raise RuntimeError(f"client errors: {errors[:3]}")
    return sum(done) / elapsed


# ------------------------------------------------------------------------- driving


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--lifetime", type=float, default=900, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads")
    parser.add_argument(
        "-c",
        "--connections",
        type=int,
        default=1,
        help="client connections (more than one measures waitress's thread hand-offs, "
        "which swing by 5x from run to run, more than the application)",
    )
    parser.add_argument("-d", "--duration", type=float, default=2.0, help="seconds per run")
    parser.add_argument("-r", "--repeats", type=int, default=6, help="repeats per case")
    parser.add_argument(
        "-p", "--processes", type=int, default=3, help="server processes per case, in turn"
    )
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument("--limit", type=int, default=100_000, help="python client: max/thread")
    parser.add_argument("cases", nargs="*", help=f"cases (default: {', '.join(DEFAULT_CASES)})")
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.threads, args.lifetime)
    if not (
        0 < args.duration <= 60
        and 1 <= args.repeats <= 30
        and 1 <= args.connections <= 64
        and 1 <= args.processes <= 8
    ):
        parser.error(
            "0 < duration <= 60, 1 <= repeats <= 30, 1 <= connections <= 64, 1 <= processes <= 8"
        )
    names = args.cases or DEFAULT_CASES
    unknown = [n for n in names if n not in {c.name for c in CASES}]
    if unknown:
        parser.error(f"unknown cases: {unknown}")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and args.duration < 1:
        client = "python"  # wrk counts whole seconds

    def load(port: int, path: str) -> float:
        if client == "wrk":
            return load_wrk(port, path, args.duration, args.connections)
        return load_python(port, path, args.duration, args.connections, args.limit)

    print(
        f"waitress threads={args.threads}, client={client}, connections={args.connections}, "
        f"{args.duration:g} s x {args.repeats} interleaved repeats over {args.processes} "
        "server processes per case, median reported"
    )
    lifetime = 60 + args.repeats * len(names) * 2 * (args.duration + 5)
    servers: list[Server] = []
    try:
        by_case: dict[str, list[Server]] = {}
        for name in names:
            for _ in range(args.processes):
                server = Server(name, args.threads, lifetime)
                servers.append(server)
                if server.skip:
                    print(f"skipped: {name}: {server.skip}")
                    break
                by_case.setdefault(name, []).append(server)
        # (row, servers, path): every case at its path, and the raw application of
        # each case at the case's path when it differs from the raw one's
        runs = [(name, group, path_of(name)) for name, group in by_case.items()]
        for name in by_case:
            raw_name = raw_of(name)
            if raw_name in by_case and path_of(name) != path_of(raw_name):
                row = f"{raw_name} at {path_of(name)}"
                if row not in {r[0] for r in runs}:
                    runs.append((row, by_case[raw_name], path_of(name)))
        for _, group, path in runs:  # warm up: imports, first requests
            for server in group:
                load_python(server.port, path, 0.2, 2, 200)
        samples: dict[str, list[float]] = {row: [] for row, _, _ in runs}
        for repeat in range(args.repeats):
            for row, group, path in runs:
                samples[row].append(load(group[repeat % len(group)].port, path))
    finally:
        for server in servers:
            server.stop()
    rates = {row: statistics.median(values) for row, values in samples.items()}
    print()
    width = max(len(row) for row in rates)
    print(f"{'case'.ljust(width)}  {'req/s':>9}  x raw  min-max of the repeats")
    print(f"{'=' * width}  =========  =====  ======================")
    for row, rate in rates.items():
        raw = rates.get(reference_row(row, rates))
        times = f"{rate / raw:.2f}x" if raw else "-"
        spread = f"{min(samples[row]):.0f}-{max(samples[row]):.0f}"
        print(f"{row.ljust(width)}  {rate:9.0f}  {times}  {spread}")
    print()
    for name in TARGETS:
        reference = reference_row(name, rates)
        if name not in rates or reference not in rates:
            continue
        ratio = rates[name] / rates[reference]
        verdict = "PASS" if ratio >= LIMIT else "FAIL"
        print(f"{verdict} {name} >= {LIMIT}x {reference} req/s: {ratio:.2f}x")
    return 0


def raw_of(name: str) -> str:
    """The raw application a case is compared with."""
    return "raw json.dumps" if "json" in name or "dict" in name else "raw text"


def reference_row(row: str, rates: dict[str, float]) -> str:
    """The row a row is compared with: the raw application at the same path, if
    measured there, else at its own path."""
    if row in {"raw text", "raw json.dumps"} or " at /" in row:
        return row.split(" at /")[0]
    same_path = f"{raw_of(row)} at {path_of(row)}"
    return same_path if same_path in rates else raw_of(row)


if __name__ == "__main__":
    sys.exit(main())
