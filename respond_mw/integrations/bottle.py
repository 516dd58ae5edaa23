"""Bottle integration: every route may return any value the rules accept.

::

    import bottle
    from respond_mw.integrations.bottle import RespondPlugin

    app = bottle.Bottle()
    app.install(RespondPlugin())

    @app.get("/items")
    def items():
        return [{"id": 1}, {"id": 2}]                 # JSON (Bottle alone cannot)

    @app.post("/items")
    def create():
        return {"id": 3}, 201, {"Location": "/items/3"}

    @app.get("/raw", skip=[RespondPlugin])           # Bottle's own handling
    def raw():
        return "untouched"

:class:`RespondPlugin` is a plugin of Bottle's plugin API version 2. It wraps each
route callback; the callback is still called the Bottle way (URL parameters as
keyword arguments, the request in :data:`bottle.request`), and its return value goes
through :func:`respond_mw.rules.coerce` -- the rules of :func:`respond_mw.view`:
``str``/``bytes``, ``dict``/``list`` (JSON), generators (streamed, ``close()``
reaching the generator), tuples with a status and/or headers, WebOb responses, WSGI
applications, types taught with :func:`respond_mw.response_adapter`.

The resulting :class:`webob.Response` is handed to Bottle faithfully: its status,
every header (several ``Set-Cookie`` included) and its body, which stays lazy when
it streams. Headers and cookies the route set on :data:`bottle.response` are kept
unless the return value gives the same header. Two Bottle idioms keep working: a
``Content-Type`` set on :data:`bottle.response` is the type of a ``str``/``bytes``/
streamed body, and a status set there is kept when the return value does not give
another one than ``200 OK``.

Bottle's own :class:`bottle.HTTPResponse` and :class:`bottle.HTTPError` -- returned
or raised, through :func:`bottle.abort`, :func:`bottle.redirect` or
:func:`bottle.static_file` -- pass through untouched, so ``@app.error(...)``
handlers apply. A raised :class:`webob.exc.HTTPException` (what
:func:`respond_mw.abort` raises) becomes its response. Any other exception is left
to Bottle (a 500 page, or propagated when ``catchall`` is off), as is a value no
rule accepts (a :class:`TypeError` or :class:`ValueError` naming the route). A
response that cannot be sent is answered with respond_mw's logged generic ``500``,
as at every edge. Bottle gives
an empty ``HEAD`` body ``Content-Length: 0`` when the response has none (for a
streamed body, whose length ``GET`` does not announce).

:func:`respond_mw.current_request` returns a :class:`webob.Request` over Bottle's
environ while the route runs and while the server iterates a streaming body.

Skip the plugin for a route the Bottle way: ``skip=[RespondPlugin]``,
``skip=["respond_mw"]`` or ``skip=[plugin_instance]``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import bottle
from webob import Response

from ..bodies import raised_by_stream
from ..callbacks import AFTER_THIS_REQUEST, run_after_this_request
from ..calling import function_name
from ..context import RequestState, reset_state, set_state
from ..egress import finish, refusal
from ..errors import response_from_exception
from ..responses import HTML
from ..rules import coerce, coerce_parts
from ..views import text_type_option
from ..wsgi import close_iterable

__all__ = ["RespondPlugin", "to_bottle"]

_DEFAULT_STATUS = "200 OK"


def _bottle_header_value(value: str) -> str:
    """Undo in advance Bottle's UTF-8-to-latin-1 transcoding of header values.

    Bottle encodes header values as UTF-8 and reads the bytes back as latin-1 (it
    assumes text); WebOb's values already are latin-1 strings (PEP 3333). Values whose
    bytes are UTF-8 go out unchanged; other non-ASCII bytes cannot pass through Bottle
    and go out UTF-8 encoded, as Bottle sends any header value.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def to_bottle(response: Response, environ: dict[str, Any], where: str = "a Bottle route") -> Any:
    """Copy a :class:`webob.Response` onto :data:`bottle.response`; return the body.

    The response leaves through :mod:`respond_mw.egress`, which checks and completes
    it for the request of ``environ`` (WebOb's HTTP exceptions negotiate their page by
    ``Accept``, ``HEAD`` gets no body); a refused one is answered with a logged
    generic ``500`` naming ``where``. Its headers replace the values of the same names
    on :data:`bottle.response`, except ``Set-Cookie``, which is added. A buffered body
    is returned as ``bytes``; a streaming one is returned as it is, to be iterated
    (and closed) by Bottle.

    .. versionadded:: 0.1.0
    """
    try:
        status, headerlist, body = finish(response, environ, where)
    except ValueError as error:
        status, headerlist, body = refusal(error, environ, where)
    if type(body) is not list and environ.get("REQUEST_METHOD") == "HEAD":
        # An empty body for HEAD, which Bottle would drop unclosed (it peeks at a
        # body, finds it empty and lets it go): close it here.
        close_iterable(body)
        body = []
    return _hand_over(status, headerlist, body)


def _hand_over(status: str, headerlist: list[tuple[str, str]], body: Iterable[bytes]) -> Any:
    """Put ``status`` and ``headerlist`` on :data:`bottle.response` (see
    :func:`to_bottle`); return ``body`` the way Bottle takes it."""
    target = bottle.response
    if status != _DEFAULT_STATUS:
        target.status = status
    replaced: set[str] = set()
    for name, value in headerlist:
        lower = name.lower()
        text = _bottle_header_value(value)
        if lower == "set-cookie" or lower in replaced:
            target.add_header(name, text)
        else:
            target.set_header(name, text)
            replaced.add(lower)
    if type(body) is list:
        return b"".join(body)
    return body


class RespondPlugin:
    """Bottle plugin (API v2) applying the rules to every route's return value.

    Install it with ``app.install(RespondPlugin())``; skip it for a route with
    ``skip=[RespondPlugin]`` or ``skip=["respond_mw"]``.

    :param content_type: ``Content-Type`` of ``str``/``bytes``/streamed bodies when the
        route did not set one on :data:`bottle.response` (default
        ``text/html; charset=UTF-8``); ``charset=UTF-8`` is added to textual types,
        as with :func:`respond_mw.view`.

    .. versionadded:: 0.1.0
    """

    #: The plugin's name, usable in a route's ``skip`` list.
    name = "respond_mw"
    #: Bottle's plugin API version.
    api = 2

    def __init__(self, content_type: str = HTML) -> None:
        self.content_type = text_type_option(content_type, "RespondPlugin")

    def setup(self, app: bottle.Bottle) -> None:
        """Refuse a second :class:`RespondPlugin` on the same application."""
        for other in app.plugins:
            if other is not self and isinstance(other, RespondPlugin):
                raise bottle.PluginError("a RespondPlugin is already installed on this app")

    def apply(self, callback: Callable[..., Any], route: bottle.Route) -> Callable[..., Any]:
        """Wrap a route's callback so its return value is coerced by the rules."""
        # Not route.get_undecorated_callback(): it loops forever on a closure that
        # holds no callable.
        name = function_name(inspect.unwrap(route.callback))
        where = f"view {name}"
        content_type = self.content_type

        @functools.wraps(callback)
        def respond(*args: Any, **kwargs: Any) -> Any:
            environ = bottle.request.environ
            state = RequestState(None, name, content_type, environ)  # request built lazily
            token = set_state(state)
            returned = False
            try:
                try:
                    result = callback(*args, **kwargs)
                    returned = True
                    if isinstance(result, bottle.HTTPResponse):
                        return result
                    if "Content-Type" in bottle.response:
                        state.text_type = bottle.response.content_type
                    parts = None if AFTER_THIS_REQUEST in environ else coerce_parts(result, state)
                    if parts is not None:  # a fresh response: no webob.Response to run
                        return _hand_over(*parts)
                    response = coerce(result, state)
                except Exception as error:
                    # the route's own HTTP errors, and its stream's before the first chunk;
                    # the errors of the rules are Bottle's to handle
                    own = not returned or raised_by_stream(error)
                    answer = response_from_exception(error) if own else None
                    if answer is None:
                        raise
                    response = answer
                response = run_after_this_request(response, environ)
                return to_bottle(response, environ, where)
            finally:
                reset_state(token)

        return respond

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"<RespondPlugin content_type={self.content_type!r}>"
