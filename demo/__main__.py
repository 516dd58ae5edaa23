"""``python -m demo``: serve the demo site with waitress (http://127.0.0.1:8080/)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from respond_mw.cli import serve

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``--host``/``--port``/``--threads`` and serve :data:`demo.site.app`."""
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Serve the respond_mw demo site with waitress."
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument("--port", type=int, default=8080, help="default: %(default)s")
    parser.add_argument("--threads", type=int, default=4, help="default: %(default)s")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from .site import app

    return serve(app, host=args.host, port=args.port, threads=args.threads, name="the demo")


if __name__ == "__main__":
    raise SystemExit(main())
