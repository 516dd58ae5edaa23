"""Before and after, in one process: the working tree against an earlier revision.

Two runs of ``inprocess.py`` one after the other differ by 10-30 % on a shared
machine, more than most changes it should judge. This script takes the package of
an earlier revision (``git archive REV respond_mw``), imports it under another name
(``respond_mw_before``: the package imports itself relatively), builds the same
applications with both, and times them in paired rounds -- before, after, then
after, before -- so that whatever slows the machine slows both. It prints the
median of the per-round ratios, after / before, with their range.

    .venv/bin/python benchmarks/compare.py 80c2bc7            # about a minute
    .venv/bin/python benchmarks/compare.py HEAD~3 --rounds 21

The cases are the hot paths of the in-process benchmark plus the general paths
(a returned ``webob.Response``, a route with a ``before_request`` hook).
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's respond_mw

from inprocess import run  # noqa: E402 -- what a server does per request, timed

TEXT = "Hello, World!"
PAYLOAD: dict[str, Any] = {"message": TEXT, "id": 12345, "tags": ["a", "b"], "ok": True}
App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: A small file for the ``Path`` case (written in the scratch directory by main()).
FILE = Path(tempfile.gettempdir(), "respond_mw-compare", "hello.html")


def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = TEXT.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [body]


def build(package: str) -> dict[str, tuple[App, str, str]]:
    """name -> (application, path, method), built with ``package``."""
    from webob import Response

    rmw = importlib.import_module(package)
    view, middleware = rmw.view, rmw.Middleware
    cases: dict[str, tuple[App, str, str]] = {
        "@view str": (view(lambda: TEXT), "/", "GET"),
        "@view str HEAD": (view(lambda: TEXT), "/", "HEAD"),
        "@view dict": (view(lambda: PAYLOAD), "/", "GET"),
        "@view tuple+status": (view(lambda: (PAYLOAD, 200)), "/", "GET"),
        "@view tuple+headers": (view(lambda: (TEXT, 200, {"X-A": "1"})), "/", "GET"),
        "@view generator": (view(lambda: (c for c in [TEXT])), "/", "GET"),
        "@view Response": (view(lambda: Response(TEXT)), "/", "GET"),
        "@view Path": (view(lambda: FILE), "/", "GET"),
    }
    routes = middleware(legacy)
    for index in range(1000):
        routes.add_route(f"/section{index}/items/<int:item_id>", lambda item_id: TEXT)
    cases["Middleware 1000 routes"] = (routes, "/section999/items/42", "GET")
    cases["Middleware pass-through"] = (routes, "/legacy/page", "GET")
    hooked = middleware(legacy)
    hooked.add_route("/r", lambda: TEXT)
    hooked.before_request(lambda: None)
    cases["Middleware route + hook"] = (hooked, "/r", "GET")
    return cases


def extract(revision: str, into: Path) -> None:
    """The package of ``revision``, as ``into/respond_mw_before``."""
    archive = subprocess.run(
        ["git", "archive", revision, "respond_mw"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "respond_mw").rename(into / "respond_mw_before")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("revision", help="the revision to compare with, e.g. HEAD~1")
    parser.add_argument("--rounds", type=int, default=11, help="paired rounds per case")
    parser.add_argument("--seconds", type=float, default=0.1, help="per case and round")
    args = parser.parse_args(argv)
    from webob import Request

    FILE.parent.mkdir(exist_ok=True)
    FILE.write_text(TEXT * 20)
    with tempfile.TemporaryDirectory() as scratch:
        extract(args.revision, Path(scratch))
        sys.path.insert(0, scratch)
        before, after = build("respond_mw_before"), build("respond_mw")
        print(f"after: the working tree; before: {args.revision}; {args.rounds} paired rounds")
        print(f"{'case':28} {'before us':>9} {'after us':>9}  after/before (min-max)")
        for name, (old, path, method) in before.items():
            new = after[name][0]
            template = Request.blank(path, method=method).environ
            template["wsgi.file_wrapper"] = FileWrapper  # as a server offers one
            iterations = max(100, int(args.seconds / max(run(old, template, 200), 1e-9)))
            ratios, old_times, new_times = [], [], []
            for round_ in range(args.rounds):
                if round_ % 2:
                    new_time, old_time = (
                        run(new, template, iterations),
                        run(old, template, iterations),
                    )
                else:
                    old_time, new_time = (
                        run(old, template, iterations),
                        run(new, template, iterations),
                    )
                old_times.append(old_time)
                new_times.append(new_time)
                ratios.append(new_time / old_time)
            print(
                f"{name:28} {statistics.median(old_times) * 1e6:9.2f} "
                f"{statistics.median(new_times) * 1e6:9.2f}  {statistics.median(ratios):.3f}x "
                f"({min(ratios):.3f}-{max(ratios):.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
