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
``respond_mw.access`` logger, by :class:`AccessLog`): the client, the request line,
the status, the bytes of body sent and the time taken. ``--reload`` runs the server
under `hupper <https://docs.pylonsproject.org/projects/hupper/>`_ (the reloader of
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
import logging
import os
import re
import signal
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import FrameType
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from . import __version__

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["AccessLog", "AppNotFound", "CannotServe", "load_app", "main", "serve"]

access_logger = logging.getLogger("respond_mw.access")

RELOAD_HINT = "pip install 'respond_mw[reload]'"
_HANDLER_NAME = "respond-mw serve"


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


# ----------------------------------------------------------------------- the access log


_UNPRINTABLE = re.compile(r'[^\x21-\x7e]|["\\]')


def _printable(text: str) -> str:
    """``text`` safe for a log line: quotes, backslashes, spaces and control or
    non-ASCII characters as ``\\xNN``, so that a request cannot forge a line."""
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def _target(environ: WSGIEnvironment) -> str:
    """The request target as the client sent it (waitress' ``REQUEST_URI``,
    gunicorn's ``RAW_URI``), else rebuilt from the path and the query."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if isinstance(raw, str) and raw:
        return raw
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    target = quote(path.encode("latin-1", "replace"), safe="/:@&+$,;=~!*'()")
    query = environ.get("QUERY_STRING")
    return f"{target}?{query}" if query else target


class _Exchange:
    """What is logged of one request: filled in as the response is started and sent,
    logged once when it ends."""

    __slots__ = ("counted", "environ", "length", "logged", "logger", "sent", "started", "status")

    def __init__(self, environ: WSGIEnvironment, logger: logging.Logger) -> None:
        self.environ = environ
        self.logger = logger
        self.started = time.perf_counter()
        self.status: str | None = None
        self.length: str | None = None  # the Content-Length the response declared
        self.sent = 0  # the bytes of body handed to the server
        self.counted = False  # the body was iterated here (not a file wrapper)
        self.logged = False

    def start_response(self, start_response: StartResponse) -> StartResponse:
        def recording(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            self.status = status.split(" ", 1)[0]
            self.length = next((v for k, v in headers if k.lower() == "content-length"), None)
            write = start_response(status, headers, exc_info)

            def counting_write(data: bytes) -> object:
                self.sent += len(data)
                return write(data)

            return counting_write

        return recording

    def log(self, failed: bool = False) -> None:
        """Write the line (once); never raise: a log that fails must not fail the
        response or keep its ``close()`` from the server."""
        if self.logged:
            return
        self.logged = True
        try:
            environ = self.environ
            status = self.status or ("500" if failed else "-")
            size: object = self.sent
            if not self.counted:
                size = self.length if self.length is not None else (self.sent or "-")
            self.logger.info(
                '%s "%s %s %s" %s %s %.1fms',
                _printable(str(environ.get("REMOTE_ADDR") or "-")),
                _printable(str(environ.get("REQUEST_METHOD", "-"))),
                _printable(_target(environ)),
                _printable(str(environ.get("SERVER_PROTOCOL", "-"))),
                _printable(status),
                _printable(str(size)),
                (time.perf_counter() - self.started) * 1000,
            )
        except Exception:  # a filter or a record that fails: the line is lost, not the
            pass  # response (a handler's own errors are reported by logging itself)

    def watch(self, body: Iterable[bytes]) -> Iterable[bytes]:
        """``body``, logged when the server closes it."""
        file_wrapper = self.environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            return self._hook_close(body)
        self.counted = True
        if hasattr(type(body), "__len__"):  # a server may use it (waitress: one chunk)
            return _SizedCountedBody(body, self)
        return _CountedBody(body, self)

    def _hook_close(self, body: Iterable[bytes]) -> Iterable[bytes]:
        """The server's own file wrapper is given back as it is (the server recognises
        it and sends the file its fast way): only its ``close()`` is extended, and the
        bytes are its ``Content-Length``."""
        original = getattr(body, "close", None)

        def close() -> None:
            try:
                if original is not None:
                    original()
            finally:
                self.log()

        wrapper: Any = body
        try:
            wrapper.close = close
        except (AttributeError, TypeError):  # a wrapper with slots: log now
            self.log()
        return body


class _CountedBody:
    """A response body counted as the server iterates it; its ``close()`` closes the
    body, then logs."""

    __slots__ = ("_body", "_chunks", "_exchange")

    def __init__(self, body: Iterable[bytes], exchange: _Exchange) -> None:
        self._body = body
        self._chunks: Iterator[bytes] | None = None
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._chunks is None:
            self._chunks = iter(self._body)
        chunk = next(self._chunks)
        self._exchange.sent += len(chunk)
        return chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._exchange.log()


class _SizedCountedBody(_CountedBody):
    __slots__ = ()

    def __len__(self) -> int:
        return len(self._body)  # type: ignore[arg-type]


class AccessLog:
    """WSGI middleware logging one line per request on ``logger`` (by default the
    ``respond_mw.access`` logger, at level ``INFO``), when the server closes the
    response -- so a streamed body is logged with what was sent and the time it took,
    also when the client went away::

        127.0.0.1 "GET /hello?name=ada HTTP/1.1" 200 16 0.4ms

    The client's address, the request line (as the client sent it; quotes, spaces and
    control characters escaped as ``\\xNN``), the status, the bytes of body the
    application gave the server, the milliseconds from the call to ``close()``. The
    status is ``500`` when the application raised before starting a response.

    A body that is the server's ``wsgi.file_wrapper`` is handed back as it is, so the
    server keeps sending the file its own fast way; its bytes are its
    ``Content-Length``. Other bodies are wrapped: iterated and closed as the server
    does, keeping their length when they have one. Logging never breaks a response:
    an error while logging is left to the :mod:`logging` module, and ``close()``
    always reaches the application's body.

    ``respond-mw serve`` wraps the application in it unless ``--no-access-log``.

    .. versionadded:: 0.1.0
    """

    def __init__(self, app: WSGIApplication, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = access_logger if logger is None else logger

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        exchange = _Exchange(environ, self.logger)
        try:
            body = self.app(environ, exchange.start_response(start_response))
        except BaseException:
            exchange.log(failed=True)
            raise
        return exchange.watch(body)


def _log_requests_to(stream: IO[str]) -> None:
    """Send the access log to ``stream``, each line with its date and time (in place
    of the stream an earlier call chose)."""
    for previous in access_logger.handlers[:]:
        if previous.get_name() == _HANDLER_NAME:
            access_logger.removeHandler(previous)
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s", "%Y-%m-%d %H:%M:%S"))
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False


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
            _log_requests_to(sys.stderr)
            app = AccessLog(app)
        return serve(app, host=args.host, port=args.port, threads=args.threads, name=args.app)
    except CannotServe as error:
        return fail(str(error))
