"""Pyramid integration: every Pyramid view may return any value the rules accept.

::

    from pyramid.config import Configurator

    def hello(request):
        return {"hello": request.matchdict["name"]}           # JSON

    def teapot(request):
        return "I'm a teapot", 418, {"X-Brew": "earl grey"}     # a tuple

    with Configurator() as config:
        config.include("respond_mw.integrations.pyramid")
        config.add_route("hello", "/hello/{name}")
        config.add_view(hello, route_name="hello")
        config.add_route("teapot", "/teapot")
        config.add_view(teapot, route_name="teapot")
        app = config.make_wsgi_app()

What the include adds, through Pyramid's own extension points:

* a **view deriver** (named ``respond_mw``, placed just under Pyramid's
  ``rendered_view``, so directly around the mapped view callable). For a view
  registered *without* a renderer, the return value is turned into a response by
  :func:`respond_mw.rules.coerce` -- the very rules of :func:`respond_mw.view`: ``str``,
  ``bytes``, ``dict``/``list`` (JSON), generators (streamed), tuples with a status
  and/or headers, WSGI applications and types taught with
  :func:`respond_mw.response_adapter`. Response adapters registered with Pyramid's
  ``config.add_response_adapter`` are consulted first, so existing applications keep
  their behaviour. Views with a renderer (``renderer="json"``, a template, or an
  application-wide default renderer) are left to it, exactly as before.
  Exception views go through the same pipeline, so they may return any of these
  values too. Every response such a view returns or raises -- a value coerced by
  the rules, a :class:`webob.Response` it built, a :mod:`webob.exc` or
  :mod:`pyramid.httpexceptions` exception -- leaves through :mod:`respond_mw.egress`,
  which checks it; a response that cannot be sent is answered with a logged generic
  ``500``, as at every edge. A value the rules refuse is a :class:`TypeError` or
  :class:`ValueError` naming the view, raised to Pyramid's exception handling like
  any exception of the view (an exception view, or the debug toolbar, shows it). While
  any view runs -- and while the server iterates a streaming
  body -- :func:`respond_mw.current_request` returns the Pyramid request.
* an **exception view** for :class:`webob.exc.HTTPException`, so
  :func:`respond_mw.abort` (which raises WebOb's HTTP exceptions) answers with its
  status in a Pyramid application. Pyramid's own ``pyramid.httpexceptions`` keep their
  exception views, and a more specific exception view registered by the application
  wins.

A function decorated with :func:`respond_mw.view` can be registered with
``config.add_view(...)`` with or without the include: it is called with the
request, or with ``(context, request)`` if its signature asks for ``context``, and
its exceptions propagate to Pyramid's exception views.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyramid.interfaces import IExceptionResponse, IResponse
from webob import Response
from webob import exc as webob_exc

from ..callbacks import AFTER_THIS_REQUEST, run_after_this_request
from ..calling import function_name
from ..context import RequestState, reset_state, set_state
from ..egress import checked_response, trusted_response
from ..errors import response_from_exception
from ..responses import HTML
from ..rules import coerce, coerce_parts

__all__ = ["DERIVER_NAME", "http_exception_view", "includeme", "respond_view"]

#: The name of the view deriver added by :func:`includeme`.
DERIVER_NAME = "respond_mw"

PyramidView = Callable[[Any, Any], Any]


def respond_view(view: PyramidView, info: Any) -> PyramidView:
    """Pyramid view deriver: coerce the return value of views without a renderer.

    :param view: the mapped view callable, called as ``view(context, request)``.
    :param info: Pyramid's :class:`~pyramid.interfaces.IViewDeriverInfo`.
    :returns: a view callable returning a :class:`webob.Response` when the view has
        no renderer; otherwise one that only makes the request current.

    .. versionadded:: 0.1.0
    """
    name = function_name(info.original_view)
    where = f"view {name}"
    registry = info.registry

    if info.options.get("renderer") is not None:

        def rendered_by_pyramid(context: Any, request: Any) -> Any:
            token = set_state(RequestState(request, name, HTML))
            try:
                return view(context, request)
            finally:
                reset_state(token)

        return rendered_by_pyramid

    def responding_view(context: Any, request: Any) -> Any:
        state = RequestState(request, name, HTML)
        token = set_state(state)
        try:
            result = view(context, request)
            environ = request.environ
            if not isinstance(result, Response):
                adapted = registry.queryAdapterOrSelf(result, IResponse)
                if adapted is not None:
                    if not isinstance(adapted, Response):
                        return adapted  # not WebOb's: Pyramid sends it as it is
                    result = adapted
                else:
                    parts = None if AFTER_THIS_REQUEST in environ else coerce_parts(result, state)
                    if parts is not None:
                        return trusted_response(parts, environ)
                    result = coerce(result, state)  # its errors are Pyramid's to handle
            result = run_after_this_request(result, environ)
            return checked_response(result, environ, where)
        finally:
            reset_state(token)

    return responding_view


def http_exception_view(context: BaseException, request: Any) -> Response:
    """Exception view answering a raised :class:`webob.exc.HTTPException` with its
    response (what :func:`respond_mw.abort` raises).

    .. versionadded:: 0.1.0
    """
    response = response_from_exception(context)
    if response is None:
        raise context
    return response  # checked where it leaves: the deriver wraps exception views too


def includeme(config: Any) -> None:
    """Set up a Pyramid :class:`~pyramid.config.Configurator`; call it through
    ``config.include("respond_mw.integrations.pyramid")``.

    Adds the :func:`respond_view` view deriver under ``rendered_view`` and the
    :func:`http_exception_view` exception view for :class:`webob.exc.HTTPException`
    and for the HTTP exceptions Pyramid's own default exception view answers
    (``webob.exc.WSGIHTTPException`` and :mod:`pyramid.httpexceptions`): that default
    view is set up before any include, so the deriver would not wrap it, and a raised
    HTTP exception would leave without the egress.

    .. versionadded:: 0.1.0
    """
    config.add_view_deriver(
        respond_view, name=DERIVER_NAME, under="rendered_view", over="mapped_view"
    )
    for context in (webob_exc.HTTPException, webob_exc.WSGIHTTPException, IExceptionResponse):
        config.add_exception_view(http_exception_view, context=context)
