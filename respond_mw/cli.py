"""The ``respond-mw`` command: serve a WSGI application with waitress.

::

    $ respond-mw serve myproject.web:app
    Serving myproject.web:app on http://127.0.0.1:8080/ (press Ctrl-C to quit)
    [2025-01-31 12:00:00] 127.0.0.1 "GET /hello?name=ada HTTP/1.1" 200 16 0.4ms

    $ respond-mw serve --host 0.0.0.0 --port 8000 --threads 8 myproject.web:app
    $ respond-mw serve --call myproject.web:create_app     # an application factory
    $ respond-mw serve --reload myproject.web:app          # restart when a file changes
    $ respond-mw serve --no-access-log myproject.web:app   # no line per request
    $ python -m respond_mw serve myproject.web:app         # the same, without the script
    $ respond-mw --version
    respond-mw 0.1.0

``MODULE:APP`` names a module importable from the current directory and an
attribute of it (dotted for nested attributes: ``pkg.mod:site.app``). With
``--call`` the attribute is a factory called without arguments, which returns the
application. Any WSGI application can be served: a :func:`respond_mw.view`, a
:class:`respond_mw.Middleware`, a Pyramid or Bottle application, ...

The application is loaded and checked before the server starts: a module that
cannot be imported, a missing attribute, an object that is not callable or whose
signature cannot take ``(environ, start_response)`` is one line on standard error
and exit status 2 -- as is an address the server cannot listen on (a port in use,
a host that does not resolve or is not this machine's). Wrong arguments show the
usage of ``serve``.

Each request is logged on standard error when its response ends (through the
``respond_mw.access`` logger, by :class:`~respond_mw.accesslog.AccessLog`): the
client, the request line, the status, the bytes of body sent and the time taken.
``--reload`` runs the server under
`hupper <https://docs.pylonsproject.org/projects/hupper/>`_ (the reloader of
Pyramid's ``pserve``; ``pip install 'respond_mw[reload]'``), which restarts it when
a Python file the application imported changes.

The command prints the URL it serves on and stops cleanly on Ctrl-C (``SIGINT``) or
``SIGTERM`` with exit status 0. See :doc:`/guides/deploying`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import os
import signal
import sys
import traceback
import types
from collections.abc import Sequence
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from . import __version__
from .accesslog import AccessLog, log_requests_to

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["AccessLog", "AppNotFound", "CannotServe", "load_app", "main", "serve"]

RELOAD_HINT = "pip install 'respond_mw[reload]'"


class AppNotFound(Exception):
    """The ``MODULE:APP`` given to the command does not name a usable application.

    .. versionadded:: 0.1.0
    """


class CannotServe(Exception):
    """The server cannot listen on the address asked for (a port in use, a host that
    does not resolve or is not an address of this machine).

    .. versionadded:: 0.1.0
    """


# ------------------------------------------------------------------ the application


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


_PLAIN_CALLABLES = (
    type,
    functools.partial,
    types.FunctionType,
    types.MethodType,
    types.BuiltinFunctionType,
)


def _called(obj: Any) -> Any:
    """What calling ``obj`` runs: a function or a class itself, else the ``__call__``
    of the object -- not a signature the object advertises for the function it wraps
    (a ``@view`` shows its function's ``(request)``, and is called as a WSGI
    application)."""
    if isinstance(obj, _PLAIN_CALLABLES):
        return obj
    return obj.__call__


def _takes(obj: Any, arguments: int) -> bool:
    """Whether ``obj`` can be called with ``arguments`` positional arguments, by the
    signature of what it runs; one that cannot be read (some built-in callables) is
    given the benefit of the doubt."""
    try:
        signature = inspect.signature(_called(obj), follow_wrapped=False)
    except (TypeError, ValueError):  # no signature to read
        return True
    try:
        signature.bind(*[None] * arguments)
    except TypeError:
        return False
    return True


def _signature(obj: Any) -> str:
    """``obj`` as it is called: ``page(request)``, ``Site.__call__(environ)``."""
    called = _called(obj)
    name = getattr(called, "__qualname__", type(called).__qualname__)
    return f"{name}{inspect.signature(called, follow_wrapped=False)}"


def load_app(spec: str, *, call: bool = False) -> WSGIApplication:
    """Import the WSGI application named by ``spec`` (``"module:attribute"``).

    The application must be callable with two positional arguments,
    ``(environ, start_response)``: a function, an object with such a ``__call__``, or
    a class whose constructor takes them.

    :param spec: a module name, a colon and an attribute name, possibly dotted.
    :param call: the attribute is a factory: call it (without arguments) and return
        what it returns.
    :raises AppNotFound: when the module or the attribute does not exist, or the
        application (or factory) is not callable or cannot be called so.
    :raises Exception: whatever importing the module (or calling the factory)
        raises, an error of the application's own.

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
        if not _takes(obj, 0):
            raise AppNotFound(
                f"the factory {spec!r} is called without arguments: {_signature(obj)} needs some"
            )
        obj = obj()
        if not callable(obj):
            raise AppNotFound(
                f"the factory {spec!r} returned {type(obj).__name__}, not a WSGI application"
            )
    if not _takes(obj, 2):
        what = f"the factory {spec!r} returned" if call else f"{spec!r} is"
        hint = ""
        if inspect.isfunction(obj) and (_takes(obj, 0) or _takes(obj, 1)):
            hint = "; decorate a view function with @respond_mw.view"
        raise AppNotFound(
            f"{what} no WSGI application: {_signature(obj)} cannot take"
            f" (environ, start_response){hint}"
        )
    app: WSGIApplication = obj
    return app


def _frames(error: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``error``'s traceback outside the import machinery and this module."""
    here = os.path.abspath(__file__)
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<") and os.path.abspath(frame.filename) != here
    ]


def _describe(error: BaseException) -> str:
    """``error`` in one line: its class, its message and where it was raised."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    frames = _frames(error)
    if frames and not isinstance(error, SyntaxError):  # which names its own line
        text += f" (at {frames[-1].filename}, line {frames[-1].lineno})"
    return text


def _error_files(error: BaseException) -> list[str]:
    """The source files an error came from, for the reloader to watch."""
    names = [frame.filename for frame in _frames(error)]
    if isinstance(error, SyntaxError) and error.filename:
        names.append(error.filename)
    return [os.path.abspath(name) for name in names if os.path.isfile(name)]


# ------------------------------------------------------------------------- the server


def _format_url(host: str, port: int) -> str:
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _create_server(app: WSGIApplication, host: str, port: int, threads: int) -> Any:
    from waitress.server import create_server

    try:
        return create_server(app, host=host, port=port, threads=threads)
    except ValueError as error:  # waitress: a host that does not resolve
        raise CannotServe(f"cannot listen on {host!r} port {port}: {error}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise CannotServe(f"cannot listen on {host!r} port {port}: {reason}") from None


def _close(server: Any) -> None:
    """Close the server's sockets: the listening one, its trigger and every connection
    still open (``server.close()`` leaves those), so that ``serve()`` leaves nothing
    open in a process that goes on."""
    from waitress import wasyncore

    wasyncore.close_all(server._map)


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

    :raises CannotServe: when the server cannot listen on ``host`` and ``port``.

    .. versionadded:: 0.1.0
    """
    stream = sys.stdout if out is None else out
    server = _create_server(app, host, port, threads)
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
        _close(server)
    return 0


# ---------------------------------------------------------------------- the command


def _parsers(prog: str) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser(prog=prog, description="Tools for respond_mw applications.")
    parser.add_argument("--version", action="version", version=f"respond-mw {__version__}")
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
    serve_cmd.add_argument(
        "--reload",
        action="store_true",
        help=f"restart when a Python file of the application changes ({RELOAD_HINT})",
    )
    serve_cmd.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log a line per request on standard error",
    )
    return parser, serve_cmd


def _reload_worker(argv: list[str], prog: str) -> None:
    """The process hupper starts, and starts again when a file changes."""
    raise SystemExit(main(argv, prog))


def main(argv: Sequence[str] | None = None, prog: str = "respond-mw") -> int:
    """Run the command line; return the exit status.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    :param prog: the program name shown in usage and error messages.

    .. versionadded:: 0.1.0
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser, serve_cmd = _parsers(prog)
    args, unknown = parser.parse_known_args(arguments)
    if unknown:  # reported by the command, not the top-level parser
        serve_cmd.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.threads < 1:
        serve_cmd.error("--threads must be at least 1")
    if not 0 <= args.port <= 65535:
        serve_cmd.error("--port must be between 0 and 65535")

    def fail(message: str) -> int:
        print(f"{serve_cmd.prog}: error: {message}", file=sys.stderr, flush=True)
        return 2

    hupper: Any = None
    if args.reload:
        try:
            hupper = importlib.import_module("hupper")
        except ImportError:
            return fail(f"--reload needs hupper: {RELOAD_HINT}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        app = load_app(args.app, call=args.call)
    except AppNotFound as error:
        return fail(str(error))
    except Exception as error:  # the application's own: one line, where it was raised
        if hupper is not None and hupper.is_active():  # restart when the culprit is fixed
            hupper.get_reloader().watch_files(_error_files(error))
        return fail(f"cannot load {args.app!r}: {_describe(error)}")
    try:
        if hupper is not None and not hupper.is_active():
            # The monitor: the address is checked here, then each worker process
            # (this function again) loads the application and serves it.
            _close(_create_server(app, args.host, args.port, args.threads))
            hupper.start_reloader(
                f"{__name__}._reload_worker", worker_kwargs={"argv": arguments, "prog": prog}
            )
            return 0  # not reached: start_reloader exits with the worker's status
        if args.access_log:
            log_requests_to(sys.stderr)
            app = AccessLog(app)
        return serve(app, host=args.host, port=args.port, threads=args.threads, name=args.app)
    except CannotServe as error:
        return fail(str(error))
