"""Per-request helpers: Flask's :func:`after_this_request` and
:func:`stream_with_context`, and :func:`call_on_close` for work after the response.

Code moving from Flask keeps working with them::

    from respond_mw import after_this_request, view

    @view
    def page():
        @after_this_request
        def remember(response):
            response.set_cookie("seen", "1")
            return response

        return "<p>hello</p>"

The functions registered run once the view, route, hook or error handler that
answers has returned, in the order they were registered, before the
``after_request`` hooks of a :class:`~respond_mw.Middleware` -- at every edge:
``@view`` (called by a server or with a request), Middleware routes, hooks and error
handlers, the Pyramid include and the Bottle plugin. Each receives the
:class:`webob.Response` and returns it (or another one). See :doc:`/guides/views`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import Context, copy_context
from logging import getLogger
from typing import TYPE_CHECKING, Any, TypeVar

from webob import Response

from .aio import resolve
from .calling import function_name
from .context import current_state
from .wsgi import close_iterable, take_over_close

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "AFTER_THIS_REQUEST",
    "CALL_ON_CLOSE",
    "after_this_request",
    "call_on_close",
    "closing_callbacks",
    "run_after_this_request",
    "stream_with_context",
]

log = getLogger("respond_mw")

#: Where the functions of the request wait, in its environ (shared by everything that
#: handles the request, whatever state each has).
AFTER_THIS_REQUEST = "respond_mw.after_this_request"
#: Where the functions of :func:`call_on_close` wait, with their contexts.
CALL_ON_CLOSE = "respond_mw.call_on_close"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def _environ(caller: str) -> WSGIEnvironment:
    state = current_state()
    environ = None if state is None else state.environ
    if environ is None and state is not None and state.request is not None:
        environ = state.request.environ
    if environ is None:
        raise RuntimeError(
            f"{caller}() was called outside of a request: call it from a view, route, "
            "hook or error handler while it handles one"
        )
    return environ


def after_this_request(func: F) -> F:
    """Run ``func(response)`` on the response of the request being handled; it returns
    the response to send (the same or another). Usable as a decorator.

    :raises RuntimeError: outside of a request.

    .. versionadded:: 0.1.0
    """
    _environ("after_this_request").setdefault(AFTER_THIS_REQUEST, []).append(func)
    return func


def call_on_close(func: F) -> F:
    """Run ``func()`` once the server has closed the response body -- the last byte
    sent, or the client gone: the WSGI way of a background task. Usable as a
    decorator::

        @view
        def signup(request):
            user = create_user(request.POST)

            @call_on_close
            def welcome():
                send_welcome_mail(user)

            return {"id": user.id}, 201

    ``func`` (a plain or an ``async def`` function) runs in the context of the request
    it was registered in (:func:`~respond_mw.current_request` works), after the
    body's own ``close()`` and before a :class:`~respond_mw.Middleware`'s
    ``teardown_request`` functions, in the order of registration. An exception it
    raises is logged on the ``respond_mw`` logger and never reaches the client (the
    response is sent by then) nor stops the other functions. Call it from a view,
    route, ``before_request``/``after_request`` hook or error handler, at any edge.
    The server's worker thread runs ``func``: long work there holds the thread, as
    any work of the request does.

    :raises RuntimeError: outside of a request.

    .. versionadded:: 0.1.0
    """
    environ = _environ("call_on_close")
    environ.setdefault(CALL_ON_CLOSE, []).append((func, copy_context()))
    # the edges' fast paths step aside for a request with per-request functions
    environ.setdefault(AFTER_THIS_REQUEST, [])
    return func


class ClosingCallbacks:
    """A response body whose ``close()`` then runs the :func:`call_on_close`
    functions of its request (once)."""

    __slots__ = ("_body", "_callbacks", "_iterator")

    def __init__(self, body: Iterable[bytes], callbacks: list[tuple[Callable[[], Any], Context]]):
        self._body = body
        self._callbacks = callbacks
        self._iterator: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        if self._iterator is None:
            self._iterator = iter(self._body)
        return self._iterator

    def close(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        try:
            close_iterable(self._body)
        finally:
            for func, context in callbacks:
                try:
                    context.run(_run, func)
                except Exception:
                    log.exception("call_on_close function %s failed", function_name(func))


def _run(func: Callable[[], Any]) -> None:
    resolve(func())


def closing_callbacks(body: Iterable[bytes], environ: WSGIEnvironment) -> Iterable[bytes]:
    """``body``, with the :func:`call_on_close` functions registered for the request of
    ``environ`` run when it is closed (the functions are forgotten from ``environ``).
    The server's own ``wsgi.file_wrapper`` object is handed back, its ``close()``
    taken over, so that the server keeps its fast path for files."""
    callbacks = environ.pop(CALL_ON_CLOSE, None)
    if not callbacks:
        return body
    closing = ClosingCallbacks(body, callbacks)
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is not None and type(body) is wrapper:
        original = take_over_close(body, closing.close)
        if original is not None:
            closing._body = original  # type: ignore[assignment]
            return body
    return closing


def run_after_this_request(response: Response, environ: WSGIEnvironment) -> Response:
    """Apply the functions :func:`after_this_request` registered for the request of
    ``environ`` (once: they are forgotten then).

    :raises TypeError: when one does not return a :class:`webob.Response`.
    """
    for func in environ.pop(AFTER_THIS_REQUEST, ()):
        result = resolve(func(response))
        if not isinstance(result, Response):
            raise TypeError(
                f"the after_this_request function {function_name(func)} returned "
                f"{type(result).__name__}; it must return the webob.Response it received "
                "(or another one)"
            )
        response = result
    return response


def stream_with_context(iterable: T) -> T:
    """Return ``iterable`` as it is: a streamed body keeps the request's context by
    itself here (:func:`~respond_mw.current_request` works inside every streamed
    generator), so Flask's wrapper has nothing to do.

    .. versionadded:: 0.1.0
    """
    return iterable
