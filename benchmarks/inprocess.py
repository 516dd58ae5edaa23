"""Per-request cost through the WSGI interface, in-process, against the raw floor.

Each iteration builds a fresh environ, calls the application, drains its body and
closes it -- what a WSGI server does, minus the network. Repeats of all cases are
interleaved (case A, B, C, then A, B, C again ...) so that a noisy neighbour slows
every case alike, and the median of the repeats is reported, as microseconds and as
a ratio to the raw WSGI function of the same group (text or JSON). The targets of
issue 6 are ratios measured in this same run.

The ``@view dict`` target without orjson is measured by a second run of this script
with orjson hidden (``--no-orjson``), started at the end when orjson is installed: the
encoder is chosen once, at import time, so one process measures one of them.

    .venv/bin/python benchmarks/inprocess.py            # about two minutes
    .venv/bin/python benchmarks/inprocess.py -n 50 -r 1 # smoke run
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from typing import Any

if "--no-orjson" in sys.argv:  # before respond_mw is imported: it picks its encoder then
    sys.modules["orjson"] = None  # type: ignore[assignment]

from bench_apps import CASES, TARGETS, App, Case, Skip, build, environ_template


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def run(app: App, template: dict[str, Any], iterations: int) -> float:
    """Seconds per request over ``iterations`` requests."""
    copy = template.copy
    new_input = io.BytesIO
    start_response = _start_response
    clock = time.perf_counter
    begin = clock()
    for _ in range(iterations):
        environ = copy()
        environ["wsgi.input"] = new_input()
        result = app(environ, start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return (clock() - begin) / iterations


def calibrate(app: App, template: dict[str, Any], seconds: float) -> int:
    """Iterations that take about ``seconds`` (at least 10)."""
    per_request = run(app, template, 200)
    return max(10, min(1_000_000, int(seconds / max(per_request, 1e-9))))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = ["respond_mw (this working tree)"]
    for name in ("WebOb", "orjson", "Flask", "bottle", "pyramid", "waitress"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (absent)")
        if name == "orjson" and not available("orjson"):
            found[-1] = "orjson (hidden)" if found[-1] != "orjson (absent)" else found[-1]
    return ", ".join(found)


def available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def condition_unmet(condition: str) -> str:
    """Why a target's condition (``"orjson"``, ``"!orjson"``, ``""``) does not hold here."""
    if condition.startswith("!"):
        module = condition[1:]
        return f"{module} is installed (measured with it hidden below)" if available(module) else ""
    if condition and not available(condition):
        return f"{condition} is not installed"
    return ""


def floor_of(case: Case) -> str:
    return "raw json.dumps" if case.kind == "json" else "raw text"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--repeats", type=int, default=7, help="repeats per case")
    parser.add_argument(
        "-t", "--time", type=float, default=0.15, help="seconds per repeat (calibrated)"
    )
    parser.add_argument(
        "-n", "--iterations", type=int, default=0, help="fixed iterations per repeat"
    )
    parser.add_argument("-k", "--only", default="", help="regex: only cases matching it")
    parser.add_argument("--rst", action="store_true", help="print the table as reST")
    parser.add_argument(
        "--no-orjson", action="store_true", help="measure as if orjson were not installed"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.time <= 0 or args.time > 10 or args.iterations < 0:
        parser.error("repeats >= 1, 0 < time <= 10, iterations >= 0")

    print(f"machine: {machine()}")
    print(f"versions: {versions()}")
    selected = [c for c in CASES if re.search(args.only, c.name)]
    names = {c.name for c in selected}
    needed = {floor_of(c) for c in selected} | {t[2] for t in TARGETS if t[1] in names}
    selected += [c for c in CASES if c.name in needed and c not in selected]

    apps: dict[str, tuple[App, dict[str, Any], int]] = {}
    for case in CASES:
        if case not in selected:
            continue
        try:
            app = build(case)
        except Skip as reason:
            print(f"skipped: {case.name}: {reason}")
            continue
        template = environ_template(case.path)
        iterations = args.iterations or calibrate(app, template, args.time)
        apps[case.name] = (app, template, iterations)

    samples: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.repeats):
        for name, (app, template, iterations) in apps.items():
            gc.collect()
            samples[name].append(run(app, template, iterations))
    medians = {name: statistics.median(values) * 1e6 for name, values in samples.items()}

    rows = []
    for case in CASES:
        if case.name not in medians:
            continue
        floor = medians.get(floor_of(case))
        ratio = f"{medians[case.name] / floor:.2f}x" if floor else "-"
        best = min(samples[case.name]) * 1e6
        rows.append((case.name, f"{medians[case.name]:.2f}", f"{best:.2f}", ratio, case.note))
    header = ("case", "median us", "best us", "x floor", "note")
    print()
    print(table(header, rows, rst=args.rst))
    print()
    print("floor: 'raw text' for text cases, 'raw json.dumps' for JSON cases;")
    print(f"{args.repeats} interleaved repeats, median reported; iterations per repeat:")
    print("  " + ", ".join(f"{name} {apps[name][2]}" for name in apps))
    print()
    without: set[str] = set()  # cases a target wants measured without a module
    for label, name, reference, limit, condition in TARGETS:
        unmet = condition_unmet(condition)
        if unmet:
            print(f"SKIP {label}: {unmet}")
            if condition.startswith("!") and name in medians:
                without |= {name, reference}
            continue
        if name not in medians or reference not in medians:
            if not args.only:  # a case that could not be built here
                print(f"SKIP {label}: {name if name not in medians else reference} not measured")
            continue
        ratio = medians[name] / medians[reference]
        if limit is None:
            print(f"INFO {label}: {ratio:.2f}x")
            continue
        verdict = "PASS" if ratio <= limit else "FAIL"
        print(f"{verdict} {label}: {ratio:.2f}x")
    if without and not args.no_orjson:
        return rerun_without_orjson(args, sorted(without))
    return 0


def rerun_without_orjson(args: argparse.Namespace, names: list[str]) -> int:
    """Measure ``names`` again in a child run with orjson hidden; print its results."""
    only = "^(" + "|".join(re.escape(name) for name in names) + ")$"
    command = [sys.executable, __file__, "--no-orjson", "-k", only, "-r", str(args.repeats)]
    command += ["-n", str(args.iterations)] if args.iterations else ["-t", str(args.time)]
    command += ["--rst"] if args.rst else []
    print()
    print(f"without orjson ({', '.join(names)}), a second run:")
    sys.stdout.flush()
    return subprocess.run(command, check=False, timeout=600).returncode


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], *, rst: bool = False) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.ljust(width) if i in (0, len(row) - 1) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("=" * width for width in widths)
    if rst:
        return "\n".join([rule, line(header), rule, *map(line, rows), rule])
    return "\n".join([line(header), rule, *map(line, rows)])


if __name__ == "__main__":
    sys.exit(main())
