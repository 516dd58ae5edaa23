"""What the tests share to call WSGI applications as a server would.

- :class:`StartResponse`, a ``start_response`` that records every call (status, headers,
  ``exc_info``) and what was given to ``write()``;
- :func:`open_wsgi`, one call of an application, its body left unread and open, for tests
  about streaming, laziness and ``close()``;
- :func:`call_wsgi`, one call through :func:`wsgiref.validate.validator` (PEP 3333 on both
  sides), the body drained and closed;
- :func:`legacy_app`, the tiny hand-written WSGI application the middleware passes to;
- :class:`Adapters`, response adapters registered for one test (the ``adapters`` fixture
  in ``conftest.py`` removes them afterwards);
- :class:`Chunks`, an iterator that records how it was used.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple
from wsgiref.validate import validator

from webob import Request

from respond_mw import remove_response_adapter, response_adapter

Headers = list[tuple[str, str]]


def blank_environ(path: str = "/", method: str = "GET", **blank: Any) -> dict[str, Any]:
    """A complete WSGI environ for ``method path`` (``blank``: more Request.blank arguments)."""
    environ: dict[str, Any] = Request.blank(path, method=method, **blank).environ
    return environ


class StartResponse:
    """A ``start_response`` that records each call, as the server would see it.

    ``status``, ``headers`` and ``exc_info`` are those of the last call (the one a
    server sends); ``calls`` holds them all, ``written`` what went through ``write()``.
    The headers are kept as given, not copied.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, Headers, Any]] = []
        self.written: list[bytes] = []

    def __call__(self, status: str, headers: Headers, exc_info: Any = None) -> Any:
        self.calls.append((status, headers, exc_info))
        return self.written.append

    def _last(self) -> tuple[str, Headers, Any]:
        assert self.calls, "start_response was not called"
        return self.calls[-1]

    @property
    def status(self) -> str:
        return self._last()[0]

    @property
    def headers(self) -> Headers:
        return self._last()[1]

    @property
    def exc_info(self) -> Any:
        return self._last()[2]


class Result(NamedTuple):
    """What a client receives: the status line, the headers and the whole body."""

    status: str
    headers: Headers
    body: bytes


def open_wsgi(
    app: Any,
    path: str = "/",
    method: str = "GET",
    environ: dict[str, Any] | None = None,
    **blank: Any,
) -> tuple[StartResponse, Any]:
    """Call ``app`` once, as a server would, with ``environ`` or a blank one for
    ``method path`` (``blank``: more Request.blank arguments).

    Returns the :class:`StartResponse` and the body iterable, unread and not closed:
    the caller reads and closes it.
    """
    if environ is None:
        environ = blank_environ(path, method, **blank)
    start_response = StartResponse()
    return start_response, app(environ, start_response)


def call_wsgi(
    app: Any,
    path: str = "/",
    method: str = "GET",
    environ: dict[str, Any] | None = None,
    *,
    validate: bool = True,
    **blank: Any,
) -> Result:
    """Call ``app`` as :func:`open_wsgi` does, drain and close its body.

    With ``validate`` (the default) the call goes through
    :func:`wsgiref.validate.validator`: any PEP 3333 violation, on either side, is an
    AssertionError or a warning turned into an error. What the application gave to
    ``write()`` comes first in the body, as on the wire.
    """
    with warnings.catch_warnings():
        if validate:
            warnings.simplefilter("error")  # the validator reports problems as warnings
            app = validator(app)
        start_response, result = open_wsgi(app, path, method, environ, **blank)
        try:
            for chunk in result:
                start_response.written.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    return Result(start_response.status, start_response.headers, b"".join(start_response.written))


#: The older name of :func:`call_wsgi`.
run_validated = call_wsgi


def legacy_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A legacy WSGI application: ``202 Accepted``, ``X-Legacy: yes``, ``legacy <path>``."""
    start_response("202 Accepted", [("Content-Type", "text/plain"), ("X-Legacy", "yes")])
    return [b"legacy ", environ["PATH_INFO"].encode("latin-1")]


class Adapters:
    """Response adapters registered for one test, through the public functions only.

    ``adapters.register(Type)(func)`` is ``respond_mw.response_adapter(Type)(func)``;
    :meth:`remove_all` (run by the ``adapters`` fixture at teardown) removes every type
    registered here. Only register types that have no adapter outside the test: the
    public functions cannot bring a replaced adapter back.
    """

    def __init__(self) -> None:
        self.types: list[type] = []

    def register(self, *types: type) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
        decorate = response_adapter(*types)  # refuses anything but classes first
        self.types.extend(types)
        return decorate

    def remove_all(self) -> None:
        while self.types:
            remove_response_adapter(self.types.pop())


def header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    """All values of header ``name`` (case-insensitive), in order."""
    return [value for key, value in headers if key.lower() == name.lower()]


class Chunks:
    """An iterator that records whether it was read and closed."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __iter__(self) -> Chunks:
        return self

    def __next__(self) -> str:
        self.events.append("read")
        raise StopIteration

    def close(self) -> None:
        self.events.append("closed")
