"""Error handlers of a :class:`~respond_mw.Middleware`: registration and lookup.

An HTTP error (a :class:`webob.exc.HTTPException`, a raised response, an error
status an application returned) goes to the handler for its status code, else to
the handler for the most specific HTTP exception class in its hierarchy. Any other
exception goes to the handler for the most specific class in its method resolution
order; without one it is unexpected, logged, and answered ``500`` -- by the handler
for ``500`` if there is one. See :doc:`/guides/middleware`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from webob import Request, Response
from webob import exc as webob_exc

from ..aio import resolve
from ..calling import argument_caller, function_name, plan_call
from ..context import RequestState, set_state
from ..egress import finish, refusal
from ..errors import ResponseFailed, internal_error, response_from_exception
from ..headers import is_headers
from ..helpers import http_exception
from ..responses import HTML, Parts, new_response
from ..rules import coerce
from ..wsgi import call_application, close_iterable

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

__all__ = ["ErrorHandlers"]

#: Classes whose instances are HTTP errors rather than unexpected exceptions.
_HTTP_ERRORS = (webob_exc.HTTPException, Response)

Handler = Callable[[Any, Any], Any]


def _http_status(error: BaseException) -> str | None:
    """The status line an exception stands for, or ``None`` for a plain exception."""
    response = response_from_exception(error)
    if response is None:
        return None
    status: str = response.status
    return status


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


class ErrorHandlers:
    """The error handlers of one middleware, by status code and by exception class."""

    def __init__(self) -> None:
        #: code -> (function, call(error, request))
        self._codes: dict[int, tuple[Callable[..., Any], Handler]] = {}
        self._classes: dict[type[BaseException], tuple[Callable[..., Any], Handler]] = {}
        self._cache: dict[tuple[type[BaseException], int | None, bool], Any] = {}
        self._status_cache: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self._codes or self._classes)

    def register(
        self, code_or_exception: int | HTTPStatus | type[BaseException], func: Callable[..., Any]
    ) -> None:
        """Register ``func`` (see :meth:`respond_mw.Middleware.errorhandler`)."""
        if not callable(func):
            raise TypeError(f"an error handler must be a function, not {func!r}")
        given = code_or_exception
        owner = f"errorhandler({given!r})"
        allowed = "register an error status (400-599) or an exception class"
        if isinstance(given, type) and issubclass(given, Exception):
            code = getattr(given, "code", None)  # HTTPForbidden is the slot of 403
            if isinstance(code, int) and webob_exc.status_map.get(code) is given:
                given = code
        entry = (func, argument_caller(func, plan_call(func, owner, first=("error",))))
        if isinstance(given, int) and not isinstance(given, bool):
            if not 400 <= int(given) <= 599:
                raise ValueError(f"{owner}: {given!r} is not an error status; {allowed}")
            self._codes[int(given)] = entry
        elif isinstance(given, type):
            if not issubclass(given, Exception):
                raise ValueError(
                    f"{owner}: {given.__qualname__} is not a subclass of Exception; {allowed}"
                )
            self._classes[given] = entry
        else:
            raise TypeError(f"{owner}: {given!r} is neither; {allowed}")
        self._cache.clear()
        self._status_cache.clear()

    def find(
        self, error: BaseException, legacy: bool = False
    ) -> tuple[Callable[..., Any], Handler] | None:
        """The handler for ``error``, or ``None``: as Flask looks it up.

        An HTTP error goes to the handler of the most specific class of its method
        resolution order that stands for its status (``errorhandler(403)`` is the one
        of :class:`webob.exc.HTTPForbidden`), then to its status's handler, then to
        the most specific generic class (``HTTPClientError``, ``HTTPException`` and
        -- but for an error status a wrapped application returned, ``legacy`` --
        ``Exception``). Any other exception goes to the most specific class.
        """
        if type(error) is webob_exc.HTTPException:  # abort(response): sent as it is
            return None
        status = _http_status(error)
        code = int(status[:3]) if status is not None and status[:3].isdigit() else None
        key = (type(error), code if status is not None else -1, legacy)
        try:
            found: tuple[Callable[..., Any], Handler] | None = self._cache[key]
            return found
        except KeyError:
            pass
        found = self._lookup(type(error).__mro__, status is not None, code, legacy)
        if len(self._cache) < 1000:
            self._cache[key] = found
        return found

    def _lookup(
        self, mro: tuple[type, ...], http: bool, code: int | None, legacy: bool
    ) -> tuple[Callable[..., Any], Handler] | None:
        classes, codes = self._classes, self._codes
        if http and code is not None:
            own = webob_exc.status_map.get(code)
            for klass in mro:  # the classes of this very status, most specific first
                if getattr(klass, "code", None) == code:
                    found = classes.get(klass) or (codes.get(code) if klass is own else None)
                    if found is not None:
                        return found
            if code in codes:
                return codes[code]
        for klass in mro:
            found = classes.get(klass)
            if found is not None and not (legacy and not issubclass(klass, _HTTP_ERRORS)):
                return found
        return None

    def handles_status(self, status: str) -> bool:
        """Whether a handler applies to this error status returned by an application."""
        handled = self._status_cache.get(status)
        if handled is None:
            try:
                error = http_exception(status)
            except ValueError:
                handled = False
            else:
                handled = self.find(error, legacy=True) is not None
            if len(self._status_cache) < 1000:
                self._status_cache[status] = handled
        return handled

    def respond(
        self, error: Exception, request: Request, where: str, debug: bool
    ) -> tuple[Response, BaseException | None, str]:
        """The response for ``error``, the exception teardown functions receive, and
        who answered (for the egress's messages)."""
        failed = isinstance(error, ResponseFailed)  # a server error, whatever its class
        if failed:
            error = error.error  # type: ignore[attr-defined]
        found = None if failed else self.find(error)
        status = None if failed else _http_status(error)
        unexpected: BaseException | None = None
        if found is None:
            if status is not None:
                response = response_from_exception(error)
                if response is not None:
                    return response, None, where
            default = internal_error(error, where, debug)
            server_error: Any = webob_exc.HTTPInternalServerError()  # Flask's attribute, added
            server_error.original_exception = error
            found = self.find(server_error)
            if found is None:
                return default, error, where
            error, status = server_error, server_error.status
            unexpected = server_error.original_exception
        if isinstance(error, webob_exc.HTTPInternalServerError) and not hasattr(
            error, "original_exception"
        ):
            error.original_exception = None  # type: ignore[attr-defined]  # as Flask
        func, call = found
        state = RequestState(request, function_name(func), HTML)
        set_state(state)
        answered = f"error handler {state.view}"
        try:
            value = resolve(call(error, request))
            response = coerce(value, state)
            if status is not None and _is_bare(value):
                response.status = status
            allow = error.headers.get("Allow") if isinstance(error, Response) else None
            if allow and response.status_code == 405 and "Allow" not in response.headers:
                response.headers["Allow"] = allow
        except Exception as raised:
            server = self.find(webob_exc.HTTPInternalServerError())
            if server is not None and server[0] is not func:  # as Flask: the 500 handler
                return self.respond(ResponseFailed(raised), request, answered, debug)
            return internal_error(raised, answered, debug), raised, answered
        return response, unexpected, answered

    def call(self, app: WSGIApplication, environ: WSGIEnvironment) -> Response:
        """Run a wrapped or mounted application: its response as it answered, or,
        for an error status a handler applies to, the HTTP exception standing for
        it (raised; the application's body is closed unread)."""
        status, headers, body = call_application(app, environ)
        if status[:1] in "45" and self.handles_status(status):
            close_iterable(body)
            raise http_exception(status)
        return new_response(status, headers, body)

    def finish(
        self, response: Response, request: Request, where: str, debug: bool
    ) -> tuple[Parts, BaseException | None]:
        """The parts that go out for ``response``, through the egress, and the
        refusal, if the egress refused it: then the answer is the handler's for
        ``500``, or the generic ``500``."""
        try:
            return finish(response, request.environ, where), None
        except ValueError as refused:
            return self.refused(refused, request, where, debug)

    def refused(
        self, refused: ValueError, request: Request, where: str, debug: bool
    ) -> tuple[Parts, BaseException]:
        """The parts of the answer to a response the egress refused, and the refusal."""
        answer, _, by = self.respond(refused, request, where, debug)
        try:
            return finish(answer, request.environ, by), refused
        except ValueError as again:
            return refusal(again, request.environ, by, debug), refused
