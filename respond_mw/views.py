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

from webob import Request, Response
from webob.request import BaseRequest

from .conditional import make_conditional
from .context import RequestState, reset_state, set_state
from .errors import internal_error, response_from_exception
from .rules import HTML, coerce, coerce_parts, normalize_headers, refuse_interim
from .wsgi import close_iterable, head_body, send_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["View", "view"]


def text_content_type(content_type: str) -> str:
    """Add ``charset=UTF-8`` to a textual content type that has none."""
    if "charset=" in content_type.lower():
        return content_type
    main = content_type.split(";", 1)[0].strip().lower()
    if main.startswith("text/") or main.endswith(("/xml", "+xml", "/javascript")):
        return f"{content_type}; charset=UTF-8"
    return content_type


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
) -> Response:
    """``call()`` with ``state`` current, its return value coerced and checked, then
    completed by the default headers and, if ``conditional``, an ETag/``304``.

    Exceptions propagate. Used where a host (a framework, :class:`~respond_mw.Middleware`
    outside its fast path) asks a view for a :class:`webob.Response`.
    """
    token = set_state(state)
    try:
        response = coerce(call(), state)
        refuse_interim(response, state.view)
    finally:
        reset_state(token)
    if default_headers:
        add_missing_headers(response, default_headers)
    request = state.request
    if conditional and request is not None:
        response = make_conditional(response, request)
    return response


def view_name(func: Callable[..., Any]) -> str:
    """The dotted name of a view, as used in error messages."""
    module = getattr(func, "__module__", None)
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    return f"{module}.{name}" if module else name


def _call_style(params: list[inspect.Parameter]) -> str:
    """How to call a function with these parameters: what it asks for, and how."""
    names = {p.name for p in params}
    if "request" in names and "context" in names:
        return "context+request"
    if "request" in names:
        first = params[0]
        if first.name == "request" and first.kind in (
            first.POSITIONAL_ONLY,
            first.POSITIONAL_OR_KEYWORD,
        ):
            return "request"
        return "request="
    if "context" in names:
        return "context="
    return ""


def _make_caller(func: Callable[..., Any], style: str) -> Callable[[Any, Any], Any]:
    """Return ``call(context, request)`` calling ``func`` in the given style."""
    if style == "context+request":
        return lambda context, request: func(context=context, request=request)
    if style == "request":
        return lambda context, request: func(request)
    if style == "request=":
        return lambda context, request: func(request=request)
    if style == "context=":
        return lambda context, request: func(context=context)
    return lambda context, request: func()


def _parameters(func: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):  # no signature: assume it wants nothing
        return []


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
        self.name = view_name(func)
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
        params = _parameters(func)
        style = self._style = _call_style(params)
        self._call = _make_caller(func, style)
        # Whether wsgi() must build the webob.Request before calling the function;
        # otherwise it is built only if something asks for it (current_request()).
        self._wants_request = "request" in style
        # Whether responses go out as coerced (no default headers, not conditional).
        self._plain = not self.default_headers and not conditional
        # Used as a method, the function is bound first: decided here, once.
        self._method_style = _call_style(params[1:]) if params else ""
        self._wsgi = self._make_wsgi()

    # -- calling the function -------------------------------------------------------

    def respond(self, request: Request, context: Any = None) -> Response:
        """Call the function for ``request`` and coerce its return value.

        Exceptions propagate: this is what a host framework calls, and its own
        error handling applies.
        """
        return respond_with(
            lambda: self._call(context, request),
            RequestState(request, self.name, self.text_type),
            self.default_headers,
            self.conditional,
        )

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
        wants_request, plain = self._wants_request, self._plain
        bare = self.__wrapped__ if self._style == "" else None  # it takes no argument

        def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            request = Request(environ) if wants_request else None
            state = RequestState(request, name, text_type, environ)
            token = set_state(state)
            response: Response
            parts = None
            try:
                value = bare() if bare is not None else call(None, request)
                if plain:
                    parts = coerce_parts(value, state)
                if parts is None:
                    response = coerce(value, state)
            except Exception as error:
                response = view._error_response(error, state)
            finally:
                reset_state(token)
            if parts is not None:  # a fresh response (see coerce_parts): no webob.Response
                status, headerlist, body = parts
                start_response(status, headerlist)
                return head_body(body) if environ["REQUEST_METHOD"] == "HEAD" else body
            return view._send(response, state, environ, start_response)

        return wsgi

    def _send(
        self,
        response: Response,
        state: RequestState,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        """Check, complete (default headers, conditional) and send ``response``."""
        try:
            refuse_interim(response, self.name)
        except ValueError as error:
            response = self._error_response(error, state)
        if self.default_headers:
            add_missing_headers(response, self.default_headers)
        if self.conditional:
            response = make_conditional(response, state.request)
        try:
            body: Iterable[bytes] = send_response(response, environ, start_response)
        except BaseException:
            close_iterable(response.app_iter)
            raise
        return body

    def _error_response(self, error: Exception, state: RequestState) -> Response:
        """The response for an exception raised while handling a request: the
        response it stands for (checked like a returned one), else a logged 500."""
        response = response_from_exception(error)
        if response is not None:
            try:
                return coerce(response, state)
            except ValueError as invalid:
                error = invalid
        if self.propagate_exceptions:
            raise error
        return internal_error(error, f"view {self.name}", self.debug)

    @property
    def __signature__(self) -> inspect.Signature | None:
        """The function's signature, so frameworks that inspect views (Pyramid's view
        mapper) see what the function takes instead of failing on the instance."""
        try:
            return inspect.signature(self.__wrapped__)
        except (TypeError, ValueError):
            return None

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        get = getattr(self.__wrapped__, "__get__", None)
        if get is None:
            return self
        bound = get(instance, owner)
        # A copy sharing everything decided at decoration time (no re-inspection).
        method: View = object.__new__(type(self))
        method.__dict__.update(self.__dict__)
        method.__wrapped__ = bound
        method._call = _make_caller(bound, self._method_style)
        method._wants_request = "request" in self._method_style
        method._style = self._method_style
        method._wsgi = method._make_wsgi()
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
