"""A 10 MiB file the wrapped application sends through ``wsgi.file_wrapper``, served
by waitress on 127.0.0.1: the application alone, behind a Middleware without hooks,
and behind one with a ``before_request`` and a ``teardown_request`` hook.

With hooks the middleware must run the teardown when the server closes the body; it
does so on the server's own file wrapper object, so that waitress still sends the
file from its file-based buffer instead of copying it through Python. Rounds are
interleaved; the median milliseconds per request and the ratio to the application
alone are printed.

    .venv/bin/python benchmarks/file_passthrough.py            # about 20 seconds
    .venv/bin/python benchmarks/file_passthrough.py -n 3 -r 1  # smoke run
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from respond_mw import Middleware  # noqa: E402
from tests.server import serve  # noqa: E402

SIZE = 10 * 1024 * 1024


def file_app(path: Path) -> Callable[..., Any]:
    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start_response(
            "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(SIZE))]
        )
        return environ["wsgi.file_wrapper"](open(path, "rb"), 65536)

    return legacy


def build(path: Path) -> dict[str, Any]:
    plain = Middleware(file_app(path))
    plain.add_route("/api/x", lambda: "x")
    hooked = Middleware(file_app(path))
    hooked.before_request(lambda: None)
    hooked.teardown_request(lambda error: None)
    return {"application alone": file_app(path), "Middleware": plain, "Middleware + hooks": hooked}


def fetch(url: str, count: int) -> float:
    """Seconds per request over ``count`` requests on one keep-alive connection."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        begin = time.perf_counter()
        for _ in range(count):
            conn.request("GET", "/file")
            response = conn.getresponse()
            if len(response.read()) != SIZE or response.status != 200:
                raise RuntimeError("incomplete file")
        return (time.perf_counter() - begin) / count
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--requests", type=int, default=10, help="requests per round")
    parser.add_argument("-r", "--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch, "big.bin")
        path.write_bytes(b"\x5a" * SIZE)
        apps = build(path)
        times: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(args.rounds):
            for name, app in apps.items():
                with serve(app) as url:
                    fetch(url, 1)  # warm
                    times[name].append(fetch(url, args.requests))
    floor = statistics.median(times["application alone"])
    print(f"a {SIZE // (1024 * 1024)} MiB file, waitress on 127.0.0.1, {args.rounds} rounds")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{name:22} {median * 1000:8.2f} ms  {median / floor:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
