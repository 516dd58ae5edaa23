"""The :class:`Middleware` class: registration and the way a request goes through it.

See the package documentation (:mod:`respond_mw.middleware`) for what it does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextvars import Context, copy_context
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from webob import Response
from webob import exc as webob_exc

from ..callbacks import AFTER_THIS_REQUEST, run_after_this_request
from ..conditional import make_conditional
from ..context import RequestState, set_state
from ..egress import check_passthrough, send, send_parts
from ..patterns import Pattern
from ..request import Request
from ..responses import HTML, Parts
from ..routing import MISSING, Found, Match, Router, normalize_methods
from ..rules import coerce, coerce_parts
from ..wsgi import close_iterable
from .body import ReplayableInput
from .dispatch import Mounts, path_range, shifted, with_exc_info
from .handlers import ErrorHandlers
from .hooks import ClosingBody, Hooks, legacy_body
from .routes import Route, RouteState, not_allowed

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Middleware"]

F = TypeVar("F", bound=Callable[..., Any])


class Middleware:
    """A WSGI application that routes to plain functions and wraps another app.

    :param app: the WSGI application that answers the requests no route or mount
        matches; ``None`` answers them ``404 Not Found``.
    :param debug: show the traceback of unexpected exceptions on the ``500`` page
        (never in production).
    :param conditional: give buffered ``200`` responses to ``GET``/``HEAD`` a strong
        ``ETag`` and answer a matching ``If-None-Match`` with ``304 Not Modified`` (see
        :mod:`respond_mw.conditional`): routes' bodies, the wrapped application's
        lists and its bodies with a ``Content-Length`` up to ``conditional_limit``
        bytes, read once (streams without one never are). A ``HEAD`` reaches the
        wrapped application as a ``GET``, so that it gets GET's headers and ETag.
    :param conditional_limit: see ``conditional`` (default 1 MiB).

    See the package documentation for dispatch, error handlers, hooks and the
    request context.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        app: WSGIApplication | None = None,
        *,
        debug: bool = False,
        conditional: bool = False,
        conditional_limit: int = 1024 * 1024,
    ) -> None:
        self._app: WSGIApplication | None = None
        self._app_name = "the wrapped application"
        self.debug = debug
        self.conditional = conditional
        self.conditional_limit = conditional_limit
        #: The routes, see :meth:`route`.
        self.router: Router[Route] = Router()
        self._has_routes = False
        self._errors = ErrorHandlers()
        self._hooks = Hooks()
        self._mounts = Mounts()
        self._plain = not conditional
        #: Paths from ``_lo`` (included) to ``_hi`` (excluded) may be for a route or a
        #: mount; any other goes straight to the wrapped application. See
        #: :meth:`_update_dispatch`.
        self._lo = ""
        self._hi: Any = ""
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
        self._mounts.add(prefix, app)
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

        :param code_or_exception: an error status from 400 to 599, or an exception
            class (a :mod:`webob.exc` class such as ``HTTPNotFound`` or
            ``HTTPClientError`` catches the HTTP errors of its family).
        :raises ValueError: for a status outside 400-599.
        :raises TypeError: for anything else that is not an exception class, or a
            function that cannot receive the error (see :mod:`respond_mw.calling`).

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
        self._errors.register(code_or_exception, func)
        self._update_plain()

    def before_request(self, func: F) -> F:
        """Decorator: run ``func`` before every request.

        ``func`` receives the :class:`webob.Request` if it has a ``request``
        parameter. If it returns something other than ``None``, that value (coerced
        by the rules) answers the request and nothing else runs but the
        ``after_request`` hooks.

        .. versionadded:: 0.1.0
        """
        self._hooks.add_before(func)
        self._update_plain()
        return func

    def after_request(self, func: F) -> F:
        """Decorator: ``func(response)`` returns the response to send.

        It receives the :class:`webob.Response` of every request -- routes, error
        pages, and the wrapped or mounted application's responses, whose body is
        not read: change headers freely, but reading ``response.body`` of a streamed
        response buffers it. An exception it raises is a server error, as in Flask: it
        goes to the handler for ``500``, not to a handler for its class.

        .. versionadded:: 0.1.0
        """
        self._hooks.add_after(func)
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
        self._hooks.add_teardown(func)
        self._update_plain()
        return func

    def _update_plain(self) -> None:
        self._plain = not (self.conditional or self._hooks or self._errors)
        self._update_dispatch()

    def _update_dispatch(self) -> None:
        """Compute the range of paths :meth:`__call__` must look at (see
        :func:`respond_mw.middleware.dispatch.path_range`)."""
        prefixes = [
            text.split("<", 1)[0].encode("utf-8").decode("latin-1")
            for text in self.router.patterns()
        ]
        prefixes += self._mounts.prefixes()
        self._lo, self._hi = path_range(prefixes, self._app is None or not self._plain)

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
            # the router's cache, read here to save a call (see Router.lookup)
            found = router.cache.get((method, path), MISSING)
            if found is MISSING:
                found = router.lookup(path, method)
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
            mounted = self._mounts.find(environ)
            if mounted is not None:
                app, app_environ = mounted
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
        found: Found[Route],
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Answer a route when no hook or error handler is registered, in the caller's
        fresh context: the request is built only if something asks for it, a value
        :func:`~respond_mw.rules.coerce_parts` takes goes out by its parts, and an
        exception takes the general path. ``found`` is the router's cache's: read only."""
        params = found[1]
        state = RouteState(route, environ, params)
        set_state(state)
        try:
            direct = route.direct
            if route.positional:
                value = direct(*found[3])  # type: ignore[misc]
            elif direct is not None:
                value = direct(**params)
            else:
                value = route.call(state.request, dict(params))
            parts = None if AFTER_THIS_REQUEST in environ else coerce_parts(value, state)
            if parts is None:
                response = run_after_this_request(coerce(value, state), environ)
        except Exception as error:
            state.store_params()  # the error page may read the environ: complete it
            return self._handle(
                environ, start_response, None, None, environ, error, where=route.where
            )
        if parts is not None:
            return send_parts(parts, environ, start_response)
        return send(response, environ, start_response, route.where, self.debug)

    def _handle(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        match: Match[Route] | None,
        app: WSGIApplication | None,
        app_environ: WSGIEnvironment,
        error: Exception | None = None,
        exc_info: OptExcInfo | None = None,
        where: str | None = None,
    ) -> Iterable[bytes]:
        if where is None:  # who answers, for messages: the route, or the request
            route = None if match is None else match.target
            where = route.where if route is not None else None
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
            where,
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
        where: str | None,
    ) -> Iterable[bytes]:
        request = Request(environ)
        set_state(RequestState(request, self._app_name, HTML))
        if where is None:
            where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        legacy: Response | None = None
        unexpected: BaseException | None = None
        response: Response
        # what hooks read of the body is kept for the application (middleware/body.py)
        replay = ReplayableInput.install(environ) if app and self._hooks.before else None
        try:
            if error is not None:
                raise error
            response, legacy, where = self._respond(request, match, app, app_environ, where, replay)
        except Exception as raised:
            response, unexpected, where = self._errors.respond(raised, request, where, self.debug)
        finally:
            del error  # no reference cycle through the traceback
        replaced: list[Any] = [] if replay is None else [replay]  # closed with the body
        if self._hooks.after or AFTER_THIS_REQUEST in environ:
            try:
                response = self._hooks.run_after(response, request, replaced)
            except Exception as raised:
                response, unexpected, where = self._errors.respond(
                    raised, request, where, self.debug
                )
            else:
                where = f"{where} (then after_request {self._hooks.after_names()})"
        if self.conditional:
            limit = self.conditional_limit if response is legacy else 0
            response = make_conditional(response, request, limit)
        parts, refused = self._finish(response, legacy, request, where)
        if refused is not None:
            unexpected = refused
            replaced.append(response.app_iter)
        if exc_info is not None:
            start_response = with_exc_info(start_response, exc_info)
        try:
            start_response(parts[0], parts[1])
        except BaseException as raised:
            for old in [parts[2], *replaced]:
                close_iterable(old)
            self._hooks.run_teardown(raised, request)
            raise
        body = parts[2]
        if self._hooks.teardown or replaced:
            replaced = [old for old in replaced if old is not body]
            closing = ClosingBody(body, self._hooks, request, context, unexpected, replaced)
            wrapper = environ.get("wsgi.file_wrapper")  # the server's own: its fast path
            return closing.around(body) if type(body) is wrapper else closing
        return body

    def _finish(
        self, response: Response, legacy: Response | None, request: Request, where: str
    ) -> tuple[Parts, BaseException | None]:
        """What :meth:`ErrorHandlers.finish` sends; the wrapped app's own goes as it came."""
        if legacy is None or response is not legacy:
            return self._errors.finish(response, request, where, self.debug)
        if self._hooks.after:
            try:
                check_passthrough(response.status, response.headerlist, where)
            except ValueError as refused:
                return self._errors.refused(refused, request, where, self.debug)
        body = legacy_body(response, request.environ, self.conditional)
        return (response.status, response.headerlist, body), None

    def _respond(
        self,
        request: Request,
        match: Match[Route] | None,
        app: WSGIApplication | None,
        app_environ: WSGIEnvironment,
        where: str,
        replay: ReplayableInput | None = None,
    ) -> tuple[Response, Response | None, str]:
        """The response, the same response if it is an application's (untouched),
        and who answered."""
        before = self._hooks.run_before(request) if self._hooks.before else None
        if before is not None:
            return before[0], None, before[1]
        if match is not None:
            route = match.target
            if route is None:
                return not_allowed(request.method, match.allowed), None, where
            if match.params:
                request.urlvars = match.params
            return route.respond(request, dict(match.params)), None, route.where
        if app is not None:
            if replay is not None:
                replay.hand_over(request.environ)
            if app_environ is not request.environ:  # mounted: what the hooks changed too
                app_environ = shifted(request.environ, app_environ)
            if self.conditional and request.method == "HEAD":  # GET's headers, its ETag
                app_environ = {**app_environ, "REQUEST_METHOD": "GET"}
            response = self._errors.call(app, app_environ)
            return response, response, self._app_name
        raise webob_exc.HTTPNotFound()
