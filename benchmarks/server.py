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

CPU time per request (``--cpu``). Requests/second swing by 20 % from one run to the
next on shared 2-core machines; the CPU time the *server process* spends on a
request does not count the time it waits for the client, the network or a neighbour
holding the processor (it still grows when neighbours share the caches: see
docs/performance.rst for how steady it was there). Each case is paired with the raw
WSGI application doing the same work (:data:`CPU_PAIRS`: the same body bytes and
headers, checked over the wire first and reported in the ``same`` column), measured
at the case's path. A measurement of a pair opens one keep-alive connection to a
server process of each, sends one request on each (so that accepting the connection
is not counted), then ``--requests`` requests to each, one after another, in
``--slices`` slices taking turns (ABBA...), so that both see the same load of the
machine. Around each slice the parent asks the process for its CPU time (user +
system, all its threads): the process answers ``time.process_time_ns()`` on a line of
its stdout when the parent writes ``cpu`` on its stdin. The CPU time over the
requests, divided by their number, is the CPU time per request. The pairs are
interleaved in rounds (every pair once per round, in reverse order every other
round; round ``k`` takes the ``k``-th server process of every application), each
round gives a ratio case / raw per pair, and the table reports the median of these
ratios, with the median microseconds. ``raw text, next process`` measures the raw
application against its own other processes: the noise. The target is at most
1.05x the raw application's CPU time; PASS/FAIL is printed, and the exit status is
0 whatever the numbers. waitress closes the connection after a body without
``Content-Length`` (a streamed one), so the streamed pair opens one per request.

    .venv/bin/python benchmarks/server.py --cpu     # about 3 minutes on 2 loaded cores
    .venv/bin/python benchmarks/server.py --quick   # --cpu --requests 300 --rounds 3 -p 2
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from bench_apps import CASES, MANY_ROUTES, Skip, build

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

#: ``--cpu``: each case and the raw application doing the same work (the same body
#: bytes and headers), whose CPU time per request it must stay within
#: :data:`CPU_LIMIT` of. ``@view dict``'s is the raw application calling the encoder
#: respond_mw uses (:func:`json_floor`).
CPU_PAIRS: dict[str, str] = {
    "@view str": "raw text",
    "@view dict": "raw orjson",
    f"Middleware {MANY_ROUTES} routes": "raw text",
    "Middleware pass-through": "raw text",
    "Middleware pass-through webob": "legacy webob app",
    "@view generator": "raw generator",
    "@view Path": "raw file",
}
CPU_LIMIT = 1.05


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
    except Exception as error:  # a case that is broken in the working tree, for now
        message = " ".join(f"{type(error).__name__}: {error}".split())
        print(f"skip it does not work: {message[:300]}", flush=True)
        return 0
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    print(f"port {server.socket.getsockname()[1]}", flush=True)

    def stop_on_eof() -> None:
        # The parent asks for our CPU time with "cpu" lines, and closes our stdin when
        # it is done (or dies).
        for line in iter(sys.stdin.readline, ""):
            if line.strip() == "cpu":
                print(f"cpu {time.process_time_ns()}", flush=True)
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
    """A child process serving one case; :meth:`ready` waits until it serves."""

    def __init__(self, case: str, threads: int, lifetime: float) -> None:
        self.case = case
        self.skip = ""
        self.port = 0
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

    def ready(self) -> Server:
        line = self._stdout().readline().strip()
        self.skip = line[5:] if line.startswith("skip ") else ""
        self.port = int(line[5:]) if line.startswith("port ") else 0
        if not self.port and not self.skip:
            self.stop()
            raise RuntimeError(f"server for {self.case!r} did not start: {line!r}")
        return self

    def cpu_ns(self) -> int:
        """The CPU time (user + system, all threads) the process has used so far."""
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.write("cpu\n")
        stdin.flush()
        line = self._stdout().readline()
        if not line.startswith("cpu "):
            raise RuntimeError(f"server for {self.case!r} answered {line!r}")
        return int(line[4:])

    def _stdout(self) -> IO[str]:
        return self.process.stdout  # type: ignore[return-value]

    def stop(self) -> None:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        with contextlib.suppress(OSError):  # a server that died has closed the pipe
            stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start(
    names: list[str], processes: int, threads: int, lifetime: float, servers: list[Server]
) -> dict[str, list[Server]]:
    """Start ``processes`` servers per case, all at once; wait until they serve.

    Every server started is appended to ``servers`` (for the caller to stop); the
    result maps each case that could be built to its servers.
    """
    started = {name: [Server(name, threads, lifetime) for _ in range(processes)] for name in names}
    for group in started.values():
        servers.extend(group)
    by_case: dict[str, list[Server]] = {}
    for name, group in started.items():
        for server in group:
            server.ready()
        if group[0].skip:
            print(f"skipped: {name}: {group[0].skip}")
        else:
            by_case[name] = group
    return by_case


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
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="measure the server process's CPU time per request instead (see above)",
    )
    parser.add_argument(
        "--requests", type=int, default=1000, help="--cpu: requests per measurement"
    )
    parser.add_argument("--rounds", type=int, default=15, help="--cpu: interleaved rounds")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="--cpu smoke run (about 30 s): --requests 300 --rounds 3 --processes 2",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=5,
        help="--cpu: a case and its raw application take turns in this many slices",
    )
    parser.add_argument(
        "cases",
        nargs="*",
        help=f"cases (default: {', '.join(DEFAULT_CASES)}; with --cpu: {', '.join(CPU_PAIRS)})",
    )
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.threads, args.lifetime)
    if args.quick:
        args.cpu = True
        args.requests, args.rounds, args.processes = 300, 3, 2
    if args.cpu:
        return main_cpu(parser, args)
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
        by_case = start(names, args.processes, args.threads, lifetime, servers)
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


# ------------------------------------------------------------- CPU time (--cpu)


def json_floor() -> str:
    """The raw JSON application giving ``@view dict``'s bytes with its encoder."""
    return "raw orjson" if importlib.util.find_spec("orjson") else "raw json compact"


def cpu_reference(name: str) -> str:
    """The raw application doing the same work as case ``name`` (itself for a raw one)."""
    reference = CPU_PAIRS.get(name)
    kind = next(c.kind for c in CASES if c.name == name)
    if reference is None:
        if name.startswith("raw ") or name in CPU_PAIRS.values():
            return name
        reference = "raw orjson" if kind == "json" else "raw text"
    return json_floor() if reference == "raw orjson" else reference


def fetch(conn: http.client.HTTPConnection, path: str) -> bool:
    """One request on the connection ``conn``; whether the server closed it after.

    waitress closes the connection after a body without ``Content-Length`` (a
    streamed one) on HTTP/1.1; ``conn`` then opens a new one for the next request.
    """
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path}: status {response.status}")
    return bool(response.will_close)


def answer(port: int, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (but ``Date``, sorted) and body of one request at ``path``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    headers = sorted((k.lower(), v) for k, v in response.getheaders() if k.lower() != "date")
    return response.status, headers, body


class Client:
    """One keep-alive connection to ``server`` asking for ``path``, adding up the CPU
    time the server process spends on the requests it sends.

    It sends one request when created, so that accepting the connection is not
    counted; if the server closes the connection after each response (see
    :func:`fetch`), each request counted opens one.
    """

    def __init__(self, server: Server, path: str) -> None:
        self.server = server
        self.path = path
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.cpu_ns = self.requests = self.closed = 0
        fetch(self.conn, path)

    def run(self, requests: int) -> None:
        before = self.server.cpu_ns()
        self.closed += sum(fetch(self.conn, self.path) for _ in range(requests))
        self.cpu_ns += self.server.cpu_ns() - before
        self.requests += requests

    @property
    def us(self) -> float:
        """Microseconds of CPU time per request counted so far."""
        return self.cpu_ns / self.requests / 1000

    def close(self) -> None:
        self.conn.close()
        if self.closed not in (0, self.requests):
            raise RuntimeError(
                f"{self.path}: {self.closed} of {self.requests} responses closed the connection"
            )


def measure(server: Server, path: str, requests: int) -> Client:
    """``requests`` requests to ``server`` at ``path``, on a connection of their own."""
    client = Client(server, path)
    try:
        client.run(requests)
    finally:
        client.close()
    return client


def measure_pair(
    case: tuple[Server, str], raw: tuple[Server, str], requests: int, slices: int, flip: bool
) -> tuple[Client, Client]:
    """``requests`` requests to each of ``case`` and ``raw`` (a server and a path), in
    ``slices`` alternating slices (ABBA..., BAAB... if ``flip``), so that both see
    the same load of the machine."""
    clients = Client(*case), Client(*raw)
    try:
        sizes = [requests // slices + (i < requests % slices) for i in range(slices)]
        for index, size in enumerate(sizes):
            first = (index + flip) % 2
            clients[first].run(size)
            clients[1 - first].run(size)
    finally:
        for client in clients:
            client.close()
    return clients


def differences(ours: tuple[int, list[tuple[str, str]], bytes], raw: tuple[Any, ...]) -> str:
    """What differs between two answers (``""``: nothing)."""
    found = []
    if ours[0] != raw[0]:
        found.append(f"status {ours[0]} vs {raw[0]}")
    if ours[1] != raw[1]:
        only_ours = [h for h in ours[1] if h not in raw[1]]
        only_raw = [h for h in raw[1] if h not in ours[1]]
        found.append(f"headers {only_ours} vs {only_raw}")
    if ours[2] != raw[2]:
        found.append(f"body {ours[2][:40]!r} vs {raw[2][:40]!r}")
    return "; ".join(found)


#: The A/A row of ``--cpu``: the raw application's other processes against its own.
CONTROL = "raw text, next process"


def main_cpu(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from inprocess import machine, table, versions

    if not (
        10 <= args.requests <= 200_000
        and 1 <= args.rounds <= 51
        and 1 <= args.slices <= args.requests
        and 1 <= args.processes <= 8
    ):
        parser.error(
            "with --cpu: 10 <= requests <= 200000, 1 <= rounds <= 51, "
            "1 <= slices <= requests, 1 <= processes <= 8"
        )
    names = args.cases or list(CPU_PAIRS)
    unknown = [n for n in names if n not in {c.name for c in CASES}]
    if unknown:
        parser.error(f"unknown cases: {unknown}")
    references = {name: cpu_reference(name) for name in names}
    needed = list(dict.fromkeys([*names, *references.values()]))
    processes = min(args.processes, args.rounds)  # round k takes process k of each case

    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    print(
        f"CPU time (user+sys) of the waitress process (threads={args.threads}) over "
        f"{args.requests} requests to a case and as many to its raw application, on one "
        f"keep-alive connection each, in {args.slices} alternating slices; {args.rounds} "
        f"interleaved rounds over {processes} server processes per case; median of the "
        "per-round ratios"
    )
    lifetime = 300 + args.rounds * 2 * len(names) * (args.requests * 0.004 + 5)
    servers: list[Server] = []
    # (label, case's servers, reference label, reference's servers, path, process offset
    # of the case's servers in round k: k + offset)
    pairs: list[tuple[str, list[Server], str, list[Server], str, int]] = []
    alone: list[tuple[str, list[Server]]] = []  # raw applications asked for by name
    try:
        by_case = start(needed, processes, args.threads, lifetime, servers)
        for name in names:
            reference = references[name]
            if name not in by_case or reference not in by_case:
                continue
            path = path_of(name)
            if reference == name:
                alone.append((name, by_case[name]))
                continue
            label = reference if path == path_of(reference) else f"{reference} at {path}"
            pairs.append((name, by_case[name], label, by_case[reference], path, 0))
        if "raw text" in by_case and processes > 1:  # what two processes of one app differ by
            group = by_case["raw text"]
            pairs.append((CONTROL, group, "raw text", group, path_of("raw text"), 1))
        warm = max(50, min(500, args.requests // 3))
        for _, group, _, raw_group, path, _ in pairs:  # imports, first requests, caches
            for server in (*group, *raw_group):
                measure(server, path, warm)
        for name, group in alone:
            for server in group:
                measure(server, path_of(name), warm)
        same = {}
        for name, group, _, raw_group, path, _ in pairs:
            same[name] = differences(answer(group[0].port, path), answer(raw_group[0].port, path))
        samples: dict[str, list[tuple[float, float]]] = {pair[0]: [] for pair in pairs}
        alone_us: dict[str, list[float]] = {name: [] for name, _ in alone}
        closing: set[str] = set()  # rows whose responses close the connection
        for round_ in range(args.rounds):
            for name, group, label, raw_group, path, offset in (
                pairs if round_ % 2 == 0 else pairs[::-1]
            ):
                ours, raw = measure_pair(
                    (group[(round_ + offset) % len(group)], path),
                    (raw_group[round_ % len(raw_group)], path),
                    args.requests,
                    args.slices,
                    flip=round_ % 2 == 1,
                )
                samples[name].append((ours.us, raw.us))
                closing |= {row for row, c in ((name, ours), (label, raw)) if c.closed}
            for name, group in alone:
                alone_us[name].append(
                    measure(group[round_ % len(group)], path_of(name), args.requests).us
                )
    finally:
        for server in servers:
            server.stop()

    lines = []
    verdicts = []
    for name, _, label, _, _, _ in pairs:
        ratios = [ours / raw for ours, raw in samples[name]]
        ratio = statistics.median(ratios)
        verdict = "PASS" if ratio <= CPU_LIMIT else "FAIL"
        if name == CONTROL:
            verdict = "-"
            verdicts.append(f"INFO {CONTROL} / raw text CPU/request (the noise): {ratio:.3f}x")
        else:
            verdicts.append(f"{verdict} {name} <= {CPU_LIMIT}x {label} CPU/request: {ratio:.3f}x")
        lines.append(
            (
                name,
                label,
                f"{statistics.median(ours for ours, _ in samples[name]):.1f}",
                f"{statistics.median(raw for _, raw in samples[name]):.1f}",
                f"{ratio:.3f}x",
                f"{min(ratios):.3f}-{max(ratios):.3f}",
                "no" if same[name] else "yes",
                verdict,
            )
        )
    for name, values in alone_us.items():
        lines.append((name, "-", f"{statistics.median(values):.1f}", *["-"] * 5))
    header = ("case", "raw application", "us", "raw us", "x raw", "rounds min-max", "same")
    print()
    print(table((*header, f"<= {CPU_LIMIT}x"), lines, rst=True))
    print()
    print("us: median CPU microseconds per request; x raw: median of the per-round ratios;")
    print("same: the same status, headers (but Date) and body as the raw application")
    for name, difference in same.items():
        if difference:
            print(f"  {name} differs: {difference}")
    if closing:
        print(
            "a new connection per request (waitress closes it after a body without "
            f"Content-Length): {', '.join(sorted(closing))}"
        )
    print()
    for verdict in verdicts:
        print(verdict)
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
