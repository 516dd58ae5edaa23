"""The :func:`view` decorator: a plain function becomes a WSGI application.

::

    from respond_mw import view

    @view
    def hello(request):
        return {"hello": request.params.get("name", "world")}

``hello`` is now a PEP 3333 application (serve it with waitress, mount it anywhere)
whose return value follows the rules of :mod:`respond_mw.rules`. It can also be
called with a :class:`webob.Request` (or, the way Pyramid calls views, with
``(context, request)``) and then returns the :class:`webob.Response`.

The function receives the request only if its signature has a ``request``
parameter (and Pyramid's ``context`` if it has a ``context`` parameter). All of this
is decided once, when the function is decorated.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, overload

from webob import Response
from webob.request import BaseRequest

from .aio import resolve
from .bodies import raised_by_stream
from .callbacks import AFTER_THIS_REQUEST, run_after_this_request
from .calling import Plan, function_name, parameters, plan_call, request_caller
from .conditional import make_conditional
from .context import RequestState, reset_state, set_state
from .egress import checked_response, finish, send, send_parts
from .errors import ResponseFailed, internal_error, response_from_exception
from .headers import normalize_headers
from .request import Request
from .responses import HTML, text_content_type
from .rules import coerce, coerce_parts

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["View", "view"]


def text_type_option(content_type: object, owner: str) -> str:
    """Validate a ``content_type`` option of ``owner`` and add ``charset=UTF-8`` to a
    textual type (``str`` bodies are UTF-8 encoded).

    :raises TypeError: for anything but a ``str``.
    :raises ValueError: for an empty value, or one that would corrupt the
        ``Content-Type`` header (CR, LF or other control characters, non latin-1 text).
    """
    if not isinstance(content_type, str):
        raise TypeError(
            f"{owner}: content_type must be a str such as 'text/plain', not {content_type!r}"
        )
    try:
        if not content_type.strip():
            raise ValueError("it is empty")
        normalize_headers([("Content-Type", content_type)])
    except ValueError as exc:
        raise ValueError(f"{owner}: content_type {content_type!r} is not valid: {exc}") from None
    return text_content_type(content_type)


def add_missing_headers(response: Response, headers: list[tuple[str, str]]) -> None:
    """Add the default ``headers`` whose names ``response`` does not have yet."""
    present = {name.lower() for name, _ in response.headerlist}
    for name, value in headers:
        if name.lower() not in present:
            response.headerlist.append((name, value))


def respond_with(
    call: Callable[[], Any],
    state: RequestState,
    default_headers: list[tuple[str, str]],
    conditional: bool,
    carried: bool = False,
) -> Response:
    """``call()`` with ``state`` current, its return value coerced, then completed by
    the default headers and, if ``conditional``, an ETag/``304``.

    Exceptions propagate -- those of the coercion as a
    :class:`~respond_mw.errors.ResponseFailed` when ``carried`` (for error handlers
    that tell them from the function's own). The response is not checked yet: it
    leaves through :mod:`respond_mw.egress`, where the caller sends it.
    """
    token = set_state(state)
    try:
        value = resolve(call()) if carried else call()  # an async function's own errors
        try:
            response = coerce(value, state)
        except Exception as error:
            if carried and not raised_by_stream(error):  # a stream's own error is its own
                raise ResponseFailed(error) from error
            raise
    finally:
        reset_state(token)
    if default_headers:
        add_missing_headers(response, default_headers)
    request = state.request
    if conditional and request is not None:
        response = make_conditional(response, request)
    return response


def _make_caller(func: Callable[..., Any], plan: Plan) -> Callable[[Any, Any], Any]:
    """Return ``call(context, request)`` calling ``func`` as ``plan`` says."""
    if plan.context:
        if plan.request:
            return lambda context, request: func(context=context, request=request)
        return lambda context, request: func(context=context)
    call = request_caller(func, plan)
    return lambda context, request: call(request)


def _plans(func: Callable[..., Any], name: str) -> tuple[Plan | TypeError, Plan | None]:
    """How to call ``func`` (or why it cannot be called with only the request), and
    how to call it bound as a method when its first parameter is ``self`` or ``cls``.
    The signature is inspected once."""
    owner = f"@view {name}"
    signature = parameters(func) or []
    method: Plan | None = None
    if signature and signature[0].name in ("self", "cls"):
        try:
            method = plan_call(
                func, owner, context=True, skip=1, request_first=True, signature=signature
            )
        except TypeError:
            method = None
    plain: Plan | TypeError
    try:
        plain = plan_call(func, owner, context=True, request_first=True, signature=signature)
    except TypeError as error:
        plain = error  # registered as a route, URL parameters may fill them
    return plain, method


_UNSET: Any = object()


class View:
    """A function turned into a WSGI application by :func:`view`.

    :ivar __wrapped__: the decorated function.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        content_type: str | None = None,
        headers: Any = None,
        debug: bool = False,
        propagate_exceptions: bool = False,
        conditional: bool = False,
    ) -> None:
        if not callable(func):
            raise TypeError(f"@view decorates a function, not {func!r}")
        self.__wrapped__ = func
        functools.update_wrapper(self, func)
        self.name = function_name(func)
        self.where = f"view {self.name}"
        self.text_type = (
            HTML if content_type is None else text_type_option(content_type, f"@view {self.name}")
        )
        try:
            self.default_headers = [] if headers is None else normalize_headers(headers)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"@view {self.name}: invalid headers option: {exc}") from None
        self.debug = debug
        self.propagate_exceptions = propagate_exceptions
        self.conditional = conditional
        # Decided here, once: how the function is called, plain and as a method.
        plan, self._method_plan = _plans(func, self.name)
        self._bind(func, plan)

    def _bind(self, func: Callable[..., Any], plan: Plan | TypeError) -> None:
        """Set up the calls of ``func`` (the function, or the bound method)."""
        bare = None
        self._call: Callable[[Any, Any], Any]
        if isinstance(plan, TypeError):
            refused = plan

            def call(context: Any, request: Any) -> Any:
                raise refused

            self._call = call
            self._wants_request = False
        else:
            self._call = _make_caller(func, plan)
            # Whether wsgi() must build the webob.Request before calling the function;
            # otherwise it is built only if something asks for it (current_request()).
            self._wants_request = bool(plan.request or plan.context)
            if plan == Plan("", False):
                bare = func  # it takes no argument: called as it is
        self._bare = bare
        self._wsgi = self._make_wsgi()

    # -- calling the function -------------------------------------------------------

    def respond(self, request: BaseRequest, context: Any = None) -> Response:
        """Call the function for ``request`` and return its response, as it leaves
        through the egress (:mod:`respond_mw.egress`).

        Exceptions propagate: this is what a host framework calls, and its own
        error handling applies. A response that cannot be sent is answered with a
        logged generic ``500`` (raised with ``propagate_exceptions``).
        """
        response = respond_with(
            lambda: self._call(context, request),
            RequestState(request, self.name, self.text_type),
            self.default_headers,
            self.conditional,
        )
        if AFTER_THIS_REQUEST in request.environ:
            response = run_after_this_request(response, request.environ)
        if self.propagate_exceptions:
            finish(response, request.environ, self.where)  # raises the refusal
        return checked_response(response, request.environ, self.where, self.debug)

    def __call__(self, first: Any, second: Any = _UNSET, /) -> Any:
        """``(environ, start_response)``: WSGI; ``(request)`` or ``(context, request)``:
        return the :class:`webob.Response`."""
        if type(first) is dict and second is not _UNSET:  # the WSGI call, checked first
            return self._wsgi(first, second)
        if second is _UNSET:
            if isinstance(first, BaseRequest):
                return self.respond(first)
        elif isinstance(second, BaseRequest):
            return self.respond(second, first)
        elif isinstance(first, dict):
            return self._wsgi(first, second)
        count = 1 if second is _UNSET else 2
        raise TypeError(
            f"{self!r} is called as a WSGI application (environ, start_response), with a "
            f"webob Request, or with (context, request); got {count} argument(s)"
        )

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The PEP 3333 entry point."""
        return self._wsgi(environ, start_response)

    def _make_wsgi(self) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
        """Build the per-request path, with what decoration decided bound as locals
        (cheaper than attribute lookups on every request)."""
        view, name, text_type, call = self, self.name, self.text_type, self._call
        wants_request, bare = self._wants_request, self._bare
        # Whether responses go out as coerced (no default headers, not conditional).
        plain = not self.default_headers and not self.conditional

        def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            request = Request(environ) if wants_request else None
            state = RequestState(request, name, text_type, environ)
            token = set_state(state)
            response: Response
            parts = None
            try:
                value = bare() if bare is not None else call(None, request)
                if plain and AFTER_THIS_REQUEST not in environ:
                    parts = coerce_parts(value, state)
                if parts is None:
                    response = coerce(value, state)
            except Exception as error:
                response = view._error_response(error)
            finally:
                reset_state(token)
            if parts is not None:  # a fresh response (see coerce_parts): no webob.Response
                return send_parts(parts, environ, start_response)
            return view._send(response, state, environ, start_response)

        return wsgi

    def _send(
        self,
        response: Response,
        state: RequestState,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Complete (after_this_request, default headers, conditional) and send
        ``response``."""
        if AFTER_THIS_REQUEST in environ:
            try:
                response = run_after_this_request(response, environ)
            except Exception as error:
                response = self._error_response(error)
        if self.default_headers:
            add_missing_headers(response, self.default_headers)
        if self.conditional and state.request is not None:
            response = make_conditional(response, state.request)
        return send(
            response,
            environ,
            start_response,
            self.where,
            debug=self.debug,
            propagate=self.propagate_exceptions,
        )

    def _error_response(self, error: Exception) -> Response:
        """The response for an exception raised while handling a request: the
        response it stands for, else a logged 500."""
        response = response_from_exception(error)
        if response is not None:
            return response
        if self.propagate_exceptions:
            raise error
        return internal_error(error, self.where, self.debug)

    @property
    def __signature__(self) -> inspect.Signature | None:
        """The function's signature, so frameworks that inspect views (Pyramid's view
        mapper) see what the function takes instead of failing on the instance."""
        try:
            return inspect.signature(self.__wrapped__)
        except (TypeError, ValueError):
            return None

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None or self._method_plan is None:
            return self
        get = getattr(self.__wrapped__, "__get__", None)
        if get is None:
            return self
        bound = get(instance, owner)
        # A copy sharing everything decided at decoration time (no re-inspection).
        method: View = object.__new__(type(self))
        method.__dict__.update(self.__dict__)
        method.__wrapped__ = bound
        method._bind(bound, self._method_plan)
        return method

    def __repr__(self) -> str:
        return f"<respond_mw.View {self.name}>"


@overload
def view(func: Callable[..., Any], /) -> View: ...


@overload
def view(
    *,
    content_type: str | None = None,
    headers: Any = None,
    debug: bool = False,
    propagate_exceptions: bool = False,
    conditional: bool = False,
) -> Callable[[Callable[..., Any]], View]: ...


def view(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Turn a function into a WSGI application whose return value follows the rules.

    Use it bare (``@view``) or with options (``@view(content_type="text/plain")``).

    :param content_type: ``Content-Type`` of ``str``/``bytes``/streamed bodies
        (default ``text/html``); ``charset=UTF-8`` is added to textual types. A value
        that is not a str, is empty or would corrupt the header is refused here, at
        decoration (:class:`TypeError`, :class:`ValueError`).
    :param headers: headers added to every response that does not already have
        them (a dict or a list of pairs), e.g. security headers.
    :param debug: show the traceback of an unexpected exception on the 500 page
        (never in production).
    :param propagate_exceptions: re-raise unexpected exceptions instead of answering
        500, for a debugging middleware or the test client to see them.
    :param conditional: give buffered ``200`` responses to ``GET``/``HEAD`` a strong
        ``ETag`` and answer a matching ``If-None-Match`` with ``304 Not Modified``
        (see :mod:`respond_mw.conditional`).

    A :class:`webob.exc.HTTPException` (or any raised :class:`webob.Response`)
    becomes that response; any other exception is logged on the ``respond_mw``
    logger and answered with a generic 500 page. ``HEAD`` requests get the headers
    of ``GET`` and no body.

    .. versionadded:: 0.1.0
    """
    if func is None:
        return lambda f: View(f, **options)
    return View(func, **options)
