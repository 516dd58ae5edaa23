"""The ``respond-mw`` command: serve a WSGI application with waitress.

::

    $ respond-mw serve myproject.web:app
    Serving myproject.web:app on http://127.0.0.1:8080/ (press Ctrl-C to quit)

    $ respond-mw serve --host 0.0.0.0 --port 8000 --threads 8 myproject.web:app
    $ respond-mw serve --call myproject.web:create_app     # an application factory
    $ python -m respond_mw serve myproject.web:app         # the same, without the script

``MODULE:APP`` names a module importable from the current directory and an
attribute of it (dotted for nested attributes: ``pkg.mod:site.app``). With
``--call`` the attribute is a factory called without arguments, which returns the
application. Any WSGI application can be served: a :func:`respond_mw.view`, a
:class:`respond_mw.Middleware`, a Pyramid or Bottle application, ...

The command prints the URL it serves on, stops cleanly on Ctrl-C (``SIGINT``) or
``SIGTERM`` with exit status 0, and exits with status 2 and a message naming the
module or attribute when the application cannot be found.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["AppNotFound", "load_app", "main", "serve"]


class AppNotFound(Exception):
    """The ``MODULE:APP`` given to the command does not name a usable application.

    .. versionadded:: 0.1.0
    """


def _import_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        # Only a missing module *named by the user* is their typo; a module that the
        # application itself fails to import is a bug worth its traceback.
        missing = error.name or ""
        if missing == name or name.startswith(missing + "."):
            raise AppNotFound(
                f"no module named {missing!r} (importing {name!r} from {os.getcwd()})"
            ) from None
        raise


def load_app(spec: str, *, call: bool = False) -> WSGIApplication:
    """Import the WSGI application named by ``spec`` (``"module:attribute"``).

    :param spec: a module name, a colon and an attribute name, possibly dotted.
    :param call: the attribute is a factory: call it (without arguments) and return
        what it returns.
    :raises AppNotFound: when the module or the attribute does not exist, or the
        application (or factory) is not callable.

    .. versionadded:: 0.1.0
    """
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise AppNotFound(f"{spec!r} is not MODULE:APP (for example myproject.web:app)")
    obj = _import_module(module_name)
    path = module_name
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise AppNotFound(f"{path!r} has no attribute {part!r} (looking for {spec!r})")
        obj = getattr(obj, part)
        path = f"{path}:{part}" if path == module_name else f"{path}.{part}"
    what = "application factory" if call else "WSGI application"
    if not callable(obj):
        raise AppNotFound(f"{spec!r} is not callable ({type(obj).__name__}), so it is no {what}")
    if call:
        obj = obj()
        if not callable(obj):
            raise AppNotFound(
                f"the factory {spec!r} returned {type(obj).__name__}, not a WSGI application"
            )
    app: WSGIApplication = obj
    return app


def _format_url(host: str, port: int) -> str:
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(
    app: WSGIApplication,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    threads: int = 4,
    name: str | None = None,
    out: IO[str] | None = None,
) -> int:
    """Serve ``app`` with waitress until Ctrl-C or ``SIGTERM``; return the exit status.

    Prints ``Serving NAME on URL`` (with the port actually bound, useful with
    ``port=0``) to ``out`` (standard output by default).

    .. versionadded:: 0.1.0
    """
    from waitress.server import create_server

    stream = sys.stdout if out is None else out
    server = create_server(app, host=host, port=port, threads=threads)
    bound_host, bound_port = server.socket.getsockname()[:2]
    label = f"{name} " if name else ""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            print(
                f"Serving {label}on {_format_url(bound_host, bound_port)} (press Ctrl-C to quit)",
                file=stream,
                flush=True,
            )
            server.run()  # returns when interrupted: waitress catches KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        print("Stopped.", file=stream, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
    return 0


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Tools for respond_mw applications.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_cmd = commands.add_parser(
        "serve",
        help="serve a WSGI application with waitress",
        description="Serve the WSGI application MODULE:APP with waitress.",
    )
    serve_cmd.add_argument("app", metavar="MODULE:APP", help="e.g. myproject.web:app")
    serve_cmd.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)"
    )
    serve_cmd.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default: %(default)s)"
    )
    serve_cmd.add_argument(
        "--threads", type=int, default=4, help="worker threads (default: %(default)s)"
    )
    serve_cmd.add_argument(
        "--call",
        action="store_true",
        help="APP is a factory: call it without arguments to get the application",
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "respond-mw") -> int:
    """Run the command line; return the exit status.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    :param prog: the program name shown in usage and error messages.

    .. versionadded:: 0.1.0
    """
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        app = load_app(args.app, call=args.call)
    except AppNotFound as error:
        parser.error(str(error))
    return serve(app, host=args.host, port=args.port, threads=args.threads, name=args.app)
