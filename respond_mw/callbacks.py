"""Flask's per-request helpers: :func:`after_this_request`, :func:`stream_with_context`.

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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from webob import Response

from .aio import resolve
from .calling import function_name
from .context import current_state

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "AFTER_THIS_REQUEST",
    "after_this_request",
    "run_after_this_request",
    "stream_with_context",
]

#: Where the functions of the request wait, in its environ (shared by everything that
#: handles the request, whatever state each has).
AFTER_THIS_REQUEST = "respond_mw.after_this_request"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def after_this_request(func: F) -> F:
    """Run ``func(response)`` on the response of the request being handled; it returns
    the response to send (the same or another). Usable as a decorator.

    :raises RuntimeError: outside of a request.

    .. versionadded:: 0.1.0
    """
    state = current_state()
    environ = None if state is None else state.environ
    if environ is None and state is not None and state.request is not None:
        environ = state.request.environ
    if environ is None:
        raise RuntimeError(
            "after_this_request() was called outside of a request: call it from a view, "
            "route, hook or error handler while it handles one"
        )
    environ.setdefault(AFTER_THIS_REQUEST, []).append(func)
    return func


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
