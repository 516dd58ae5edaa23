"""Wrap a legacy WSGI application and put plain functions in front of it.

:class:`Middleware` is a WSGI application around an existing one. It is how an old
application is modernised one function at a time::

    from respond_mw import Middleware, make_response

    mw = Middleware(legacy_app)

    @mw.route("/hello/<name>")
    def hello(name):
        return {"hello": name}

    @mw.errorhandler(404)
    def not_found(error):
        resp = make_response("<h1>Nothing here</h1>", 404)
        resp.headers["X-Something"] = "A value"
        return resp

    application = mw  # serve this with waitress, gunicorn, ...

**Dispatch.** A request is answered, in this order, by the first of:

1. a route (:meth:`Middleware.route`) whose pattern matches the path (see
   :mod:`respond_mw.routing`). A route whose pattern matches but not the method
   answers ``405 Method Not Allowed`` with an ``Allow`` header (and ``OPTIONS``
   answers ``200`` with ``Allow``); ``GET`` routes also serve ``HEAD``, without a body;
2. an application mounted on a prefix of the path (:meth:`Middleware.mount`), with
   ``SCRIPT_NAME`` and ``PATH_INFO`` shifted as PEP 3333 requires;
3. the wrapped application, which receives the request untouched: same environ,
   and its status, headers and body go out as they are -- a streaming body stays
   streaming and its ``close()`` is called. Without a wrapped application the
   answer is ``404 Not Found``.

A route's function receives the URL parameters as keyword arguments (converted:
``<int:item_id>`` gives an ``int``) and the :class:`webob.Request` if it has a
``request`` parameter -- the one calling convention of :mod:`respond_mw.calling`,
which hooks and error handlers follow too. Its return value follows the rules of
:mod:`respond_mw.rules`. A function decorated with :func:`~respond_mw.view` can be
registered as a route too; its ``content_type``, ``headers`` and ``conditional``
options are kept, while errors are the middleware's to handle (the view's ``debug``
and ``propagate_exceptions`` do not apply).

**Error handlers** (:meth:`Middleware.errorhandler`) receive the error and return
any value the rules accept; a bare body (no status given) answers with the error's
status. They apply to exceptions raised by routes and hooks,
:func:`~respond_mw.abort`, raised :mod:`webob.exc` exceptions, exceptions raised by
the wrapped or mounted applications, *and error statuses those applications return*:
a legacy ``404`` gets the custom ``404`` page (the legacy body is closed unread).

* An HTTP error (a :class:`webob.exc.HTTPException`, a raised response, an error
  status) goes to the handler for its status code, else to the handler for the most
  specific HTTP exception class in its hierarchy (``HTTPNotFound``,
  ``HTTPClientError``, ...). Without one, the default :mod:`webob.exc` page is sent.
* Any other exception goes to the handler for the most specific class in its method
  resolution order (``ValueError`` before ``Exception``). Without one it is
  unexpected: it is logged on the ``respond_mw`` logger and answered ``500``, by the
  handler for ``500`` if there is one (it receives a
  :class:`webob.exc.HTTPInternalServerError` whose ``original_exception`` is the
  error).
* A handler that raises is logged and answered by the handler for ``500``, as in
  Flask; without one, or when that one raises too, with a plain generic ``500``.

Default error pages are negotiated by ``Accept`` (HTML, JSON or plain text), escape
any detail they include, and show a traceback only with ``debug=True``.

**Hooks.** :meth:`~Middleware.before_request` functions run before every request
(routes, mounted and wrapped applications); the first that returns something other
than ``None`` answers the request with that value. :meth:`~Middleware.after_request`
functions receive the :class:`webob.Response` and return it (or another one); they
see the responses of routes, error handlers and of the wrapped application, whose
body is not read (a streamed body stays streamed). :meth:`~Middleware.teardown_request`
functions run once the response has been sent -- when the server calls ``close()`` on
the body, also when it abandons the body early -- and receive the exception that
made the request fail unexpectedly, or ``None``.

**Request context.** :func:`~respond_mw.current_request` works in routes, error
handlers, hooks and inside streaming generators while the server iterates them. Each
request is handled in its own :class:`contextvars.Context`, so threads never see
each other's requests and nothing is left behind when the request ends.

**The way out.** Everything the middleware answers itself -- routes, hooks, error
handlers, default error pages -- leaves through :mod:`respond_mw.egress`, which
checks and completes it; a response it refuses goes to the handler for ``500`` (or
the generic ``500`` page). The wrapped and mounted applications' own responses pass
through untouched: their status, headers and body are theirs (when an
``after_request`` hook has seen such a response, its status and headers are checked,
since the hook may have changed them; its body is never touched).

**Cost.** When no hook or error handler is registered, a request whose path cannot
be a route's or a mount's -- it does not start with the text all their patterns and
prefixes share, such as ``/api/`` -- is handed to the wrapped application after two
string comparisons; other paths are matched by the router, which remembers its
recent answers (see :class:`~respond_mw.routing.Router`). With hooks or error
handlers the wrapped application is called with
:func:`respond_mw.wsgi.call_application`, which never buffers its body.

Middlewares nest: a :class:`Middleware` may wrap another one, or a ``@view``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from .app import Middleware as Middleware
from .routes import Route as Route

__all__ = ["Middleware", "Route"]
