"""Soak test: serve the load-test application with waitress on 127.0.0.1 for a set
time, drive load from client threads, and check that RSS, open file descriptors and
thread count come back to their baseline.

Usage: scripts/soak [--seconds 60] [--clients 8]. Exit status 0 when all is well.
Linux only (reads /proc/self).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.concurrency_app import app  # noqa: E402
from tests.server import serve  # noqa: E402


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def measure() -> tuple[int, int, int]:
    gc.collect()
    return rss_kib(), open_fds(), threading.active_count()


def load(port: int, stop: threading.Event, counts: list[int], errors: list[str]) -> None:
    n = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while not stop.is_set():
            token = f"t{threading.get_ident()}-{n}"
            path = f"/json/{token}" if n % 2 else f"/routed/{token}"
            conn.request("GET", path, headers={"X-Token": token})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200 or token.encode() not in body:
                errors.append(f"{path}: {resp.status} {body[:80]!r}")
            if resp.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            n += 1
    except Exception as error:
        errors.append(repr(error))
    finally:
        conn.close()
        counts.append(n)


def soak(seconds: float, clients: int, rss_slack_kib: int = 20_000) -> list[str]:
    """Run the soak; return the problems found (empty when all is well)."""
    problems: list[str] = []
    with serve(app, threads=8) as url:
        port = int(url.rsplit(":", 1)[1])
        # Warm up (imports, caches, the server's threads) before the baseline.
        errors: list[str] = []
        counts: list[int] = []
        stop = threading.Event()
        warm = threading.Thread(target=load, args=(port, stop, counts, errors))
        warm.start()
        time.sleep(min(1.0, seconds / 4))
        stop.set()
        warm.join(timeout=30)
        baseline = measure()
        stop = threading.Event()
        threads = [
            threading.Thread(target=load, args=(port, stop, counts, errors)) for _ in range(clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        if any(t.is_alive() for t in threads):
            problems.append("a client thread hung")
        time.sleep(0.5)  # let the server finish closing connections
        after = measure()
    total = sum(counts)
    print(
        f"requests={total} errors={len(errors)} "
        f"rss={baseline[0]}->{after[0]} KiB fds={baseline[1]}->{after[1]} "
        f"threads={baseline[2]}->{after[2]}"
    )
    problems.extend(errors[:10])
    if total == 0:
        problems.append("no request was served")
    if after[1] > baseline[1]:
        problems.append(f"open file descriptors grew: {baseline[1]} -> {after[1]}")
    if after[2] > baseline[2]:
        problems.append(f"threads grew: {baseline[2]} -> {after[2]}")
    if after[0] - baseline[0] > rss_slack_kib:
        problems.append(f"RSS grew by {after[0] - baseline[0]} KiB")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    problems = soak(args.seconds, args.clients)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
