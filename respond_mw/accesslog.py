"""The access log of ``respond-mw serve``: a line per request, when its response ends.

:class:`AccessLog` wraps any WSGI application: the client, the request line, the
status, the bytes of body sent and the time taken are logged on the
``respond_mw.access`` logger once the server closes the body -- streams and clients
that went away included. It keeps the ``close()`` chain and the server's
``wsgi.file_wrapper``, and a failure to log never fails a response. See
:doc:`/guides/deploying`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["AccessLog", "access_logger", "log_requests_to"]

access_logger = logging.getLogger("respond_mw.access")
#: The name of the handler :func:`log_requests_to` installs (one at a time).
_HANDLER_NAME = "respond-mw serve"


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


def log_requests_to(stream: IO[str]) -> None:
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
