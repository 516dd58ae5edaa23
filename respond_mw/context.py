"""The current request, available anywhere a request is being handled.

respond_mw keeps the request in a :mod:`contextvars` variable. It is set while a
:func:`~respond_mw.view` or a :class:`~respond_mw.Middleware` handles a request and
reset when that handling returns, so nothing leaks from one request to the next and
threads of a server such as waitress never see each other's requests.

Streaming bodies are iterated by the server *after* the view has returned. The
library captures the context when it turns a generator into a response and runs
every step of the generator (and its ``close()``) inside that captured context, so
:func:`current_request` works inside a streaming generator without any explicit
helper.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from webob.request import BaseRequest

from .request import Request

__all__ = ["RequestState", "current_request", "current_state"]


class RequestState:
    """What respond_mw knows about the request being handled.

    :param request: the :class:`webob.Request` of the request.
    :param view: the dotted name of the view handling it, used in error messages.
    :param text_type: the ``Content-Type`` given to ``str``/``bytes`` bodies.
    :param environ: the WSGI environ, when no ``request`` is given: the
        :class:`webob.Request` is then built on first use of :attr:`request`, so a
        view that never asks for it does not pay for it.
    """

    __slots__ = ("_request", "environ", "text_type", "view")

    def __init__(
        self,
        request: BaseRequest | None,
        view: str,
        text_type: str,
        environ: dict[str, Any] | None = None,
    ) -> None:
        self._request = request
        self.environ = environ
        self.view = view
        self.text_type = text_type

    @property
    def request(self) -> BaseRequest | None:
        """The request being handled (``None`` outside of a request): the one given,
        else a :class:`respond_mw.request.Request` built on first use."""
        request = self._request
        if request is None and self.environ is not None:
            request = self._request = Request(self.environ)
        return request

    def __repr__(self) -> str:
        return f"<RequestState view={self.view!r} request={self.request!r}>"


_state: ContextVar[RequestState | None] = ContextVar("respond_mw_state", default=None)

#: Set the state for the current context; returns a token for :func:`reset_state`.
set_state = _state.set
#: Restore the state that was current before :func:`set_state`.
reset_state = _state.reset
#: The state of the request being handled, or ``None`` outside a request.
current_state = _state.get


def current_request() -> BaseRequest:
    """Return the :class:`webob.Request` being handled.

    Works in views, error handlers, hooks and inside streaming generators while the
    server iterates them.

    :raises RuntimeError: when no request is being handled in this context.

    .. versionadded:: 0.1.0
    """
    state = _state.get()
    if state is None or state.request is None:
        raise RuntimeError(
            "current_request() was called outside of a request: it only works while a "
            "respond_mw view, route, hook or streaming body is handling one"
        )
    return state.request
