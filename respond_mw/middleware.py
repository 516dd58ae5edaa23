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
``request`` parameter. Its return value follows the rules of
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
* A handler that raises is logged and answered with a plain generic ``500``.

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

import inspect
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import Context, copy_context
from http import HTTPStatus
from logging import getLogger
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar

from webob import Request, Response
from webob import exc as webob_exc

from .aio import resolve
from .conditional import make_conditional
from .context import RequestState, set_state
from .errors import internal_error, response_from_exception
from .helpers import http_exception
from .routing import _MISSING, Match, Pattern, Router, _Found, normalize_methods
from .rules import HTML, coerce, coerce_parts, is_headers, new_response, refuse_interim
from .views import View, respond_with, view_name
from .wsgi import call_application, close_iterable, head_body, send_response

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Middleware", "Route"]

log = getLogger("respond_mw")

F = TypeVar("F", bound=Callable[..., Any])

#: Classes whose instances are HTTP errors rather than unexpected exceptions.
_HTTP_ERRORS = (webob_exc.HTTPException, Response)


def _http_status(error: BaseException) -> str | None:
    """The status line an exception stands for, or ``None`` for a plain exception."""
    response = response_from_exception(error)
    if response is None:
        return None
    status: str = response.status
    return status


def _wants_request(func: Callable[..., Any]) -> tuple[bool, bool]:
    """(has a ``request`` parameter, that parameter is positional-only)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False, False
    param = params.get("request")
    if param is None:
        return False, False
    return True, param.kind is param.POSITIONAL_ONLY


def _call_with_request(func: Callable[..., Any]) -> Callable[[Request], Any]:
    """Return ``call(request)`` calling ``func`` with the request if it asks for it."""
    wants, positional = _wants_request(func)
    if not wants:
        return lambda request: func()
    if positional:
        return lambda request: func(request)
    return lambda request: func(request=request)


def _takes_first(func: Callable[..., Any], names: tuple[str, ...]) -> bool:
    """Whether ``func(*values)`` is ``func(**dict(zip(names, values)))``: ``func`` is a
    plain Python function whose first parameters are ``names``, in that order, and
    can be passed by position (its code, not its signature, which a decorator's
    ``__wrapped__`` may stand in for)."""
    if type(func) is not FunctionType:
        return False
    code = func.__code__
    first = code.co_varnames[code.co_posonlyargcount : code.co_argcount]
    return code.co_posonlyargcount == 0 and first[: len(names)] == names


def _common_prefix(texts: list[str]) -> str:
    """The longest text every one of ``texts`` starts with, character by character."""
    first, last = min(texts), max(texts)  # what they share, all the others share
    for index, (one, other) in enumerate(zip(first, last, strict=False)):
        if one != other:
            return first[:index]
    return first


def _set_urlvars(environ: WSGIEnvironment, params: dict[str, Any]) -> None:
    """Store the URL parameters in ``environ`` as :attr:`webob.Request.urlvars` does."""
    if "wsgiorg.routing_args" in environ:
        environ["wsgiorg.routing_args"] = (environ["wsgiorg.routing_args"][0], params)
        environ.pop("paste.urlvars", None)
    elif "paste.urlvars" in environ:
        environ["paste.urlvars"] = params
    else:
        environ["wsgiorg.routing_args"] = ((), params)


class _RouteState(RequestState):
    """The state of a request a plain route answers (see
    :meth:`Middleware._answer_plain`).

    The URL parameters are stored in the environ, for :attr:`webob.Request.urlvars`
    and for WSGI applications a route returns, when the :class:`webob.Request` is
    first built or the request fails: a plain route's function has no other way to
    the environ, so a function that asks for neither does not pay for it.
    """

    __slots__ = ("_params",)

    def __init__(self, route: Route, environ: WSGIEnvironment, params: dict[str, Any]) -> None:
        self._request = None
        self.environ = environ
        self.view = route.name
        self.text_type = route.text_type
        self._params: dict[str, Any] | None = params  # shared with the router's cache

    @property
    def request(self) -> Request | None:
        request = self._request
        if request is None:
            self.store_params()
            request = self._request = Request(self.environ)
        return request

    def store_params(self) -> None:
        """Store a copy of the URL parameters in the environ, once."""
        params = self._params
        if params:
            self._params = None
            _set_urlvars(self.environ, dict(params))  # type: ignore[arg-type]


def _is_bare(value: object) -> bool:
    """True for a return value that gives no status of its own."""
    if type(value) is tuple:
        if len(value) == 3:
            return value[1] is None
        if len(value) == 2:
            second = value[1]
            return second is None or is_headers(second)
        return False
    return isinstance(value, (str, bytes, bytearray, memoryview, dict, list, Iterator))


def _shift_path(prefix: str, environ: WSGIEnvironment) -> WSGIEnvironment:
    """A copy of ``environ`` with ``prefix`` moved from PATH_INFO to SCRIPT_NAME."""
    shifted = dict(environ)
    shifted["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
    shifted["PATH_INFO"] = environ.get("PATH_INFO", "")[len(prefix) :]
    return shifted


class Route:
    """A function registered with :meth:`~respond_mw.Middleware.route`.

    :ivar pattern: the compiled :class:`~respond_mw.routing.Pattern`.
    :ivar methods: the methods it answers (``HEAD`` included with ``GET``).
    :ivar func: the function called.
    :ivar name: its dotted name, used in error messages.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_call",
        "conditional",
        "default_headers",
        "direct",
        "func",
        "methods",
        "name",
        "pattern",
        "plain",
        "positional",
        "text_type",
        "wants_request",
    )

    def __init__(self, pattern: Pattern, func: Callable[..., Any]) -> None:
        self.pattern = pattern
        self.methods: frozenset[str] = frozenset()
        self.text_type = HTML
        self.default_headers: list[tuple[str, str]] = []
        self.conditional = False
        if isinstance(func, View):
            # a @view keeps its options: content type, default headers, conditional
            # (not debug/propagate_exceptions: the middleware handles errors)
            self.text_type = func.text_type
            self.default_headers = func.default_headers
            self.conditional = func.conditional
            func = func.__wrapped__
        self.func = func
        self.name = view_name(func)
        self._call = self._caller(func)
        #: Decided once for the fast path: whether the function takes the request, and
        #: whether its response goes out as coerced (no default headers, conditional).
        self.wants_request = _wants_request(func)[0]
        self.plain = not self.default_headers and not self.conditional
        #: The function itself when it is called with the URL parameters only, and
        #: whether they can be passed positionally (its first parameters, in order).
        self.direct: Callable[..., Any] | None = None if self.wants_request else func
        self.positional = self.direct is not None and _takes_first(func, pattern.names)

    def _caller(self, func: Callable[..., Any]) -> Callable[[Request, dict[str, Any]], Any]:
        try:
            params = inspect.signature(func).parameters
        except (TypeError, ValueError):
            return lambda request, kwargs: func(**kwargs)
        var_keyword = any(p.kind is p.VAR_KEYWORD for p in params.values())
        for name in self.pattern.names:
            param = params.get(name)
            if (param is None and not var_keyword) or (
                param is not None and param.kind in (param.POSITIONAL_ONLY, param.VAR_POSITIONAL)
            ):
                raise TypeError(
                    f"route {self.pattern.text!r}: the function {self.name} has no keyword "
                    f"parameter {name!r} to receive the URL parameter; add it to its "
                    "signature (or a **kwargs parameter)"
                )
        for name, param in params.items():
            if (
                param.default is param.empty
                and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
                and name != "request"
                and name not in self.pattern.names
            ):
                raise TypeError(
                    f"route {self.pattern.text!r}: the function {self.name} requires the "
                    f"parameter {name!r}, which the pattern does not provide; give it a "
                    "default or add <" + name + "> to the pattern"
                )
        wants, positional = _wants_request(func)
        if not wants:
            return lambda request, kwargs: func(**kwargs)
        if positional:
            return lambda request, kwargs: func(request, **kwargs)
        return lambda request, kwargs: func(request=request, **kwargs)

    def respond(self, request: Request, params: dict[str, Any]) -> Response:
        """Call the function for ``request`` and coerce its return value.

        Exceptions propagate.
        """
        return respond_with(
            lambda: self._call(request, params),
            RequestState(request, self.name, self.text_type),
            self.default_headers,
            self.conditional,
        )

    def __repr__(self) -> str:
        return f"<Route {self.pattern.text!r} {sorted(self.methods)} -> {self.name}>"


class _Body:
    """The body handed to the server when there is something to do on ``close()``.

    Remembers an exception raised while iterating. :meth:`close` closes the real
    body, then the bodies of responses an ``after_request`` hook replaced, then runs
    the teardown functions in the request's context.
    """

    __slots__ = (
        "_body",
        "_closed",
        "_context",
        "_error",
        "_iterator",
        "_middleware",
        "_replaced",
    )

    def __init__(
        self,
        body: Iterable[bytes],
        middleware: Middleware,
        context: Context,
        error: BaseException | None,
        replaced: list[Iterable[bytes]],
    ) -> None:
        self._body = body
        self._iterator: Iterator[bytes] | None = None
        self._middleware = middleware
        self._context = context
        self._error = error
        self._replaced = replaced
        self._closed = False

    def __iter__(self) -> _Body:
        return self

    def __next__(self) -> bytes:
        if self._iterator is None:
            self._iterator = iter(self._body)
        try:
            return next(self._iterator)
        except StopIteration:
            raise
        except Exception as error:
            if self._error is None:
                self._error = error
            raise

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close_iterable(self._body)
            for body in self._replaced:
                close_iterable(body)
        except Exception as error:
            if self._error is None:
                self._error = error
            raise
        finally:
            self._context.run(self._middleware._teardown, self._error)


class Middleware:
    """A WSGI application that routes to plain functions and wraps another app.

    :param app: the WSGI application that answers the requests no route or mount
        matches; ``None`` answers them ``404 Not Found``.
    :param debug: show the traceback of unexpected exceptions on the ``500`` page
        (never in production).
    :param conditional: give buffered ``200`` responses to ``GET``/``HEAD`` (routes,
        and the wrapped application's when it returns a list) a strong ``ETag`` and
        answer a matching ``If-None-Match`` with ``304 Not Modified`` (see
        :mod:`respond_mw.conditional`).

    See the module documentation for dispatch, error handlers, hooks and the
    request context.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, app: WSGIApplication | None = None, *, debug: bool = False, conditional: bool = False
    ) -> None:
        self._app: WSGIApplication | None = None
        self._app_name = "the wrapped application"
        self.debug = debug
        self.conditional = conditional
        #: The routes, see :meth:`route`.
        self.router: Router[Route] = Router()
        self._has_routes = False
        self._mounts: dict[str, WSGIApplication] = {}
        self._code_handlers: dict[int, Callable[[Any], Any]] = {}
        self._class_handlers: dict[type[BaseException], Callable[[Any], Any]] = {}
        self._handler_cache: dict[tuple[type[BaseException], bool], Callable[[Any], Any] | None]
        self._handler_cache = {}
        self._status_cache: dict[str, bool] = {}
        self._before: list[tuple[Callable[..., Any], Callable[[Request], Any]]] = []
        self._after: list[Callable[[Response], Response]] = []
        self._teardown_funcs: list[Callable[[BaseException | None], Any]] = []
        self._plain = not conditional
        #: Paths from ``_lo`` (included) to ``_hi`` (excluded) may be for a route or a
        #: mount; any other goes straight to the wrapped application. See
        #: :meth:`_update_dispatch`.
        self._lo = ""
        self._hi: str | _AboveAll = ""
        self.app = app

    @property
    def app(self) -> WSGIApplication | None:
        """The wrapped WSGI application (``None``: unmatched requests are ``404``)."""
        return self._app

    @app.setter
    def app(self, app: WSGIApplication | None) -> None:
        if app is not None and not callable(app):
            raise TypeError(f"Middleware wraps a WSGI application, not {app!r}")
        self._app = app
        self._app_name = "the wrapped application" if app is None else f"application {app!r}"
        self._update_dispatch()

    def __repr__(self) -> str:
        return f"<respond_mw.Middleware around {self.app!r} with {len(self.router)} routes>"

    # -- registration -------------------------------------------------------------

    def route(self, pattern: str, *, methods: Iterable[str] | None = None) -> Callable[[F], F]:
        """Decorator: answer ``pattern`` with the decorated function.

        ::

            @mw.route("/items/<int:item_id>", methods=["GET", "PUT"])
            def item(item_id, request):
                ...

        :param pattern: a path pattern, see :mod:`respond_mw.routing`.
        :param methods: the HTTP methods answered (default ``["GET"]``; ``GET``
            routes also answer ``HEAD``).
        :returns: a decorator that registers the function and returns it unchanged
            (so it stays callable, and several routes may share it).
        :raises ValueError: for an invalid pattern or method, or a pattern already
            registered for one of the methods.
        :raises TypeError: when the function cannot receive the pattern's
            parameters, or requires one the pattern does not give.

        .. versionadded:: 0.1.0
        """

        def register(func: F) -> F:
            self.add_route(pattern, func, methods=methods)
            return func

        return register

    def add_route(
        self, pattern: str, func: Callable[..., Any], *, methods: Iterable[str] | None = None
    ) -> Route:
        """Register ``func`` for ``pattern``; the non-decorator form of :meth:`route`.

        .. versionadded:: 0.1.0
        """
        if not callable(func):
            raise TypeError(f"route {pattern!r} needs a function, not {func!r}")
        route = Route(Pattern(pattern), func)
        try:
            route.methods = normalize_methods(methods)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"route {pattern!r}: {exc}") from None
        self.router.add(route.pattern, route, route.methods)
        self._has_routes = True
        self._update_dispatch()
        return route

    def mount(self, prefix: str, app: WSGIApplication) -> None:
        """Send the requests under ``prefix`` to another WSGI application.

        ``/pyramid`` receives ``/pyramid`` and ``/pyramid/...`` (not ``/pyramidx``)
        with ``SCRIPT_NAME`` extended by the prefix and ``PATH_INFO`` holding the
        rest, as PEP 3333 requires. The longest matching prefix wins; routes come
        before mounts. Hooks and error handlers apply as for the wrapped app.

        :raises ValueError: for a prefix that does not start with ``/``, is ``/``
            or is already mounted.

        .. versionadded:: 0.1.0
        """
        if not callable(app):
            raise TypeError(f"mount({prefix!r}) needs a WSGI application, not {app!r}")
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"mount prefix {prefix!r} must be a str starting with '/'")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("mount prefix '/' would take every request: wrap the app instead")
        raw = prefix.encode("utf-8").decode("latin-1")  # as it appears in PATH_INFO
        if raw in self._mounts:
            raise ValueError(f"mount prefix {prefix!r} is already mounted")
        self._mounts[raw] = app
        self._update_dispatch()

    def errorhandler(
        self, code_or_exception: int | HTTPStatus | type[BaseException]
    ) -> Callable[[F], F]:
        """Decorator: answer an error status or an exception class with the function.

        The function receives the error -- a :class:`webob.exc.HTTPException` for a
        status code, the exception for an exception class -- and returns any value
        the rules accept; a bare body answers with the error's status::

            @mw.errorhandler(404)
            def not_found(error):
                resp = make_response(render_page("error.html"), 404)
                resp.headers["X-Something"] = "A value"
                return resp

            @mw.errorhandler(KeyError)
            def missing(error):
                return {"missing": str(error)}, 404

        :param code_or_exception: an error status from 400 to 599, or an exception
            class (a :mod:`webob.exc` class such as ``HTTPNotFound`` or
            ``HTTPClientError`` catches the HTTP errors of its family).
        :raises ValueError: for a status outside 400-599.
        :raises TypeError: for anything else that is not an exception class.

        .. versionadded:: 0.1.0
        """

        def register(func: F) -> F:
            self.register_error_handler(code_or_exception, func)
            return func

        return register

    def register_error_handler(
        self, code_or_exception: int | HTTPStatus | type[BaseException], func: Callable[[Any], Any]
    ) -> None:
        """The non-decorator form of :meth:`errorhandler`.

        .. versionadded:: 0.1.0
        """
        if not callable(func):
            raise TypeError(f"an error handler must be a function, not {func!r}")
        if isinstance(code_or_exception, int) and not isinstance(code_or_exception, bool):
            code = int(code_or_exception)
            if not 400 <= code <= 599:
                raise ValueError(
                    f"errorhandler({code_or_exception!r}): an error status is from 400 to 599"
                )
            self._code_handlers[code] = func
        elif isinstance(code_or_exception, type) and issubclass(code_or_exception, BaseException):
            self._class_handlers[code_or_exception] = func
        else:
            raise TypeError(
                f"errorhandler() takes an error status (400-599) or an exception class, "
                f"not {code_or_exception!r}"
            )
        self._handler_cache.clear()
        self._status_cache.clear()
        self._update_plain()

    def before_request(self, func: F) -> F:
        """Decorator: run ``func`` before every request.

        ``func`` receives the :class:`webob.Request` if it has a ``request``
        parameter. If it returns something other than ``None``, that value (coerced
        by the rules) answers the request and nothing else runs but the
        ``after_request`` hooks.

        .. versionadded:: 0.1.0
        """
        self._before.append((func, _call_with_request(func)))
        self._update_plain()
        return func

    def after_request(self, func: F) -> F:
        """Decorator: ``func(response)`` returns the response to send.

        It receives the :class:`webob.Response` of every request -- routes, error
        pages, and the wrapped or mounted application's responses, whose body is
        not read: change headers freely, but reading ``response.body`` of a streamed
        response buffers it. An exception it raises is handled like a route's.

        .. versionadded:: 0.1.0
        """
        self._after.append(func)
        self._update_plain()
        return func

    def teardown_request(self, func: F) -> F:
        """Decorator: ``func(error)`` runs after the response has been sent.

        It runs when the server calls ``close()`` on the response body -- also when
        the client went away and the body was abandoned -- inside the request's
        context (:func:`~respond_mw.current_request` works). ``error`` is the
        exception that made the request fail unexpectedly (answered ``500``, or
        raised while the body was streamed), else ``None``. Exceptions it raises are
        logged and do not stop the other teardown functions.

        .. versionadded:: 0.1.0
        """
        self._teardown_funcs.append(func)
        self._update_plain()
        return func

    def _update_plain(self) -> None:
        self._plain = not (
            self.conditional
            or self._before
            or self._after
            or self._teardown_funcs
            or self._code_handlers
            or self._class_handlers
        )
        self._update_dispatch()

    def _update_dispatch(self) -> None:
        """Compute the range of paths :meth:`__call__` must look at.

        Every path a route or a mount can take starts with the literal text of its
        pattern (up to the first parameter) or its prefix, so it starts with the
        longest prefix ``common`` those share: it lies between ``common`` and
        ``common + "\u0100"`` (``PATH_INFO`` holds latin-1 characters). A path
        outside goes to the wrapped application with two string comparisons. When
        hooks, error handlers or conditional responses apply to every request, or
        there is no wrapped application, every path is in the range.
        """
        prefixes = [
            text.split("<", 1)[0].encode("utf-8").decode("latin-1")
            for text in self.router.patterns()
        ]
        prefixes += self._mounts
        if self._app is None or not self._plain:
            self._lo, self._hi = "", _ABOVE_ALL
        elif not prefixes:
            self._lo = self._hi = ""  # nothing to route: an empty range
        else:
            common = _common_prefix(prefixes)
            # An empty PATH_INFO is the path "/", which a common prefix "/" admits.
            self._lo = "" if common == "/" else common
            self._hi = common + "\u0100"

    # -- the WSGI application -------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The PEP 3333 entry point."""
        try:
            path = environ["PATH_INFO"]
            ours = self._lo <= path < self._hi
        except (KeyError, TypeError):  # no PATH_INFO (the root), or not a str
            path = environ.get("PATH_INFO")
            ours = True
        if not ours:  # not a route's nor a mount's, and nothing else to do
            try:
                return self._app(environ, start_response)  # type: ignore[misc]
            except Exception as error:
                return self._handle(
                    environ, start_response, None, None, environ, error, sys.exc_info()
                )
        if self._has_routes:
            path = path or "/"
            if not path.isascii():
                try:
                    path = path.encode("latin-1").decode("utf-8")
                except UnicodeError:
                    path = ""
            method = environ.get("REQUEST_METHOD", "GET")
            router = self.router
            # the router's cache, read here to save a call (see Router._lookup)
            found = router._cache.get((method, path), _MISSING)
            if found is _MISSING:
                found = router._lookup(path, method)
            if found is not None:
                route = found[0]
                if route is not None and route.plain and self._plain:
                    return copy_context().run(
                        self._answer_plain, route, found, environ, start_response
                    )
                match = Match(route, dict(found[1]), found[2])
                return self._handle(environ, start_response, match, None, environ)
        return self._pass_on(environ, start_response)

    def _pass_on(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a request no route takes: a mounted application or the wrapped one."""
        app = self._app
        app_environ = environ
        if self._mounts:
            mounted = self._find_mount(environ.get("PATH_INFO", ""))
            if mounted is not None:
                app = mounted[1]
                app_environ = _shift_path(mounted[0], environ)
        if app is not None and self._plain:
            try:
                return app(app_environ, start_response)
            except Exception as error:
                return self._handle(
                    environ, start_response, None, None, environ, error, sys.exc_info()
                )
        return self._handle(environ, start_response, None, app, app_environ)

    def _answer_plain(
        self,
        route: Route,
        found: _Found[Route],
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Answer a route when no hook or error handler is registered, in the fresh
        context the caller runs it in: the :class:`webob.Request` is built only if the
        function or :func:`~respond_mw.current_request` asks for it, and a value
        :func:`~respond_mw.rules.coerce_parts` takes (``str``, ``bytes``, ``dict``,
        ``list``, an iterator, a usual tuple of those) goes out without a
        :class:`webob.Response`.
        An exception takes the general path (:meth:`_handle`), which answers it.
        ``found`` is shared with the router's cache: it is only read."""
        params = found[1]
        state = _RouteState(route, environ, params)
        set_state(state)
        response: Response
        try:
            direct = route.direct
            if route.positional:
                value = direct(*found[3])  # type: ignore[misc]
            elif direct is not None:
                value = direct(**params)
            else:
                value = route._call(state.request, dict(params))
            parts = coerce_parts(value, state)
            if parts is None:
                response = coerce(value, state)
                refuse_interim(response, route.name)
        except Exception as error:
            state.store_params()  # the error page may read the environ: complete it
            return self._handle(environ, start_response, None, None, environ, error)
        if parts is not None:
            start_response(parts[0], parts[1])
            return head_body(parts[2]) if environ["REQUEST_METHOD"] == "HEAD" else parts[2]
        try:
            return send_response(response, environ, start_response)
        except BaseException:
            close_iterable(response.app_iter)
            raise

    def _find_mount(self, path: str) -> tuple[str, WSGIApplication] | None:
        candidate = path
        while candidate:
            app = self._mounts.get(candidate)
            if app is not None:
                return candidate, app
            candidate = candidate[: candidate.rfind("/")]
        return None

    def _handle(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        match: Match[Route] | None,
        app: WSGIApplication | None,
        app_environ: WSGIEnvironment,
        error: Exception | None = None,
        exc_info: OptExcInfo | None = None,
    ) -> Iterable[bytes]:
        context = copy_context()
        return context.run(
            self._handle_in_context,
            context,
            environ,
            start_response,
            match,
            app,
            app_environ,
            error,
            exc_info,
        )

    def _handle_in_context(
        self,
        context: Context,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        match: Match[Route] | None,
        app: WSGIApplication | None,
        app_environ: WSGIEnvironment,
        error: Exception | None,
        exc_info: OptExcInfo | None,
    ) -> Iterable[bytes]:
        request = Request(environ)
        set_state(RequestState(request, self._app_name, HTML))
        legacy: Response | None = None
        unexpected: BaseException | None = None
        response: Response
        try:
            if error is not None:
                raise error
            response, legacy = self._respond(request, match, app, app_environ)
        except Exception as raised:
            response, unexpected = self._error_response(raised, request)
        finally:
            del error  # no reference cycle through the traceback
        replaced: list[Iterable[bytes]] = []
        if self._after:
            response, unexpected = self._after_request(response, request, unexpected, replaced)
        if self.conditional:
            response = make_conditional(response, request)
        if exc_info is not None:
            start_response = _with_exc_info(start_response, exc_info)
        try:
            if legacy is not None and response is legacy:
                start_response(legacy.status, legacy.headerlist)
                body: Iterable[bytes] = legacy.app_iter
            else:
                body = send_response(response, environ, start_response)
        except BaseException as raised:
            for old in [response.app_iter, *replaced]:
                close_iterable(old)
            self._teardown(raised)
            raise
        if self._teardown_funcs or replaced:
            replaced = [old for old in replaced if old is not response.app_iter]
            return _Body(body, self, context, unexpected, replaced)
        return body

    def _respond(
        self,
        request: Request,
        match: Match[Route] | None,
        app: WSGIApplication | None,
        app_environ: WSGIEnvironment,
    ) -> tuple[Response, Response | None]:
        """The response, and the same response if it is an application's, untouched."""
        response = self._before_request(request)
        if response is not None:
            return response, None
        if match is not None:
            return self._dispatch_route(request, match), None
        if app is not None:
            response = self._call_app(app, app_environ)
            return response, response
        raise webob_exc.HTTPNotFound()

    def _before_request(self, request: Request) -> Response | None:
        for func, call in self._before:
            state = RequestState(request, view_name(func), HTML)
            set_state(state)
            value = resolve(call(request))
            if value is not None:
                response = coerce(value, state)
                refuse_interim(response, state.view)
                return response
        return None

    def _dispatch_route(self, request: Request, match: Match[Route]) -> Response:
        route = match.target
        if route is None:
            allow = ", ".join(sorted(match.allowed))
            if request.method == "OPTIONS":
                return new_response("200 OK", [("Allow", allow), ("Content-Length", "0")], [])
            raise webob_exc.HTTPMethodNotAllowed(headers=[("Allow", allow)])
        if match.params:
            request.urlvars = match.params
        return route.respond(request, dict(match.params))

    def _call_app(self, app: WSGIApplication, environ: WSGIEnvironment) -> Response:
        status, headers, body = call_application(app, environ)
        if status[:1] in "45" and self._status_handled(status):
            close_iterable(body)
            raise http_exception(status)
        return new_response(status, headers, body)

    def _status_handled(self, status: str) -> bool:
        """Whether an error handler applies to this status returned by an app."""
        handled = self._status_cache.get(status)
        if handled is None:
            try:
                error = http_exception(status)
            except ValueError:
                handled = False
            else:
                handled = self._find_handler(error) is not None
            if len(self._status_cache) < 1000:
                self._status_cache[status] = handled
        return handled

    def _after_request(
        self,
        response: Response,
        request: Request,
        unexpected: BaseException | None,
        replaced: list[Iterable[bytes]],
    ) -> tuple[Response, BaseException | None]:
        """Run the hooks; the bodies of responses they replace go to ``replaced``.

        Those bodies are closed once the final response has been sent (a hook may
        have wrapped one into its new response).
        """
        for func in self._after:
            state = RequestState(request, view_name(func), HTML)
            set_state(state)
            try:
                result = resolve(func(response))
                if not isinstance(result, Response):
                    raise TypeError(
                        f"the after_request function {view_name(func)} returned "
                        f"{type(result).__name__}; it must return the webob.Response it "
                        "received (or another one)"
                    )
                # What a hook changed is checked as if the hook had returned it.
                result = coerce(result, state)
                refuse_interim(result, state.view)
            except Exception as raised:
                close_iterable(response.app_iter)
                return self._error_response(raised, request)
            if result is not response:
                replaced.append(response.app_iter)
            response = result
        return response, unexpected

    # -- errors -------------------------------------------------------------------

    def _find_handler(self, error: BaseException) -> Callable[[Any], Any] | None:
        status = _http_status(error)
        if status is not None:
            try:
                handler = self._code_handlers.get(int(status[:3]))
            except ValueError:
                handler = None
            if handler is not None:
                return handler
        cls = type(error)
        key = (cls, status is not None)
        try:
            return self._handler_cache[key]
        except KeyError:
            pass
        found = None
        for klass in cls.__mro__:
            candidate = self._class_handlers.get(klass)
            if candidate is not None and (status is None or issubclass(klass, _HTTP_ERRORS)):
                found = candidate
                break
        self._handler_cache[key] = found
        return found

    def _error_response(
        self, error: Exception, request: Request
    ) -> tuple[Response, BaseException | None]:
        """The response for ``error`` and the exception teardown functions receive."""
        handler = self._find_handler(error)
        status = _http_status(error)
        if handler is None:
            if status is not None:
                response = response_from_exception(error)
                if response is not None:
                    return response, None
            default = internal_error(error, f"{request.method} {request.path}", self.debug)
            server_error = webob_exc.HTTPInternalServerError()
            server_error.original_exception = error
            handler = self._find_handler(server_error)
            if handler is None:
                return default, error
            error, status = server_error, server_error.status
            unexpected: BaseException | None = server_error.original_exception
        else:
            unexpected = None
        state = RequestState(request, view_name(handler), HTML)
        set_state(state)
        try:
            value = resolve(handler(error))
            response = coerce(value, state)
            if status is not None and _is_bare(value):
                response.status = status
            refuse_interim(response, state.view)
            allow = error.headers.get("Allow") if isinstance(error, Response) else None
            if allow and response.status_code == 405 and "Allow" not in response.headers:
                response.headers["Allow"] = allow
        except Exception as raised:
            return internal_error(raised, f"error handler {state.view}", self.debug), raised
        return response, unexpected

    def _teardown(self, error: BaseException | None) -> None:
        for func in self._teardown_funcs:
            try:
                resolve(func(error))
            except Exception:
                log.exception("teardown_request function %s raised", view_name(func))


class _AboveAll:
    """Greater than any string: as the upper bound of the paths to look at, it puts
    every path in the range (``str`` defers to this ``__gt__``)."""

    __slots__ = ()

    def __gt__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "<above all paths>"


_ABOVE_ALL = _AboveAll()


def _with_exc_info(start_response: StartResponse, exc_info: OptExcInfo) -> StartResponse:
    """``start_response`` passing ``exc_info``: the app may already have called it."""

    def start(status: str, headers: list[tuple[str, str]], _: Any = None) -> Any:
        return start_response(status, headers, exc_info)

    return start
