"""The functions a :class:`~respond_mw.Middleware` routes to.

A :class:`Route` is a function registered with :meth:`~respond_mw.Middleware.route`:
its pattern, its methods, and how it is called -- decided once, at registration, by
:func:`~respond_mw.calling.plan_call` (URL parameters by keyword, the request if it
asks for it). A :func:`~respond_mw.view` registered as a route keeps its
``content_type``, ``headers`` and ``conditional`` options. See :doc:`/guides/middleware`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import FunctionType
from typing import TYPE_CHECKING, Any

from webob import Response
from webob import exc as webob_exc
from webob.request import BaseRequest

from ..calling import Plan, function_name, plan_call
from ..context import RequestState
from ..patterns import Pattern
from ..request import Request
from ..responses import HTML, new_response
from ..views import View, respond_with

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["Route", "RouteState", "not_allowed", "set_urlvars"]


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


def set_urlvars(environ: WSGIEnvironment, params: dict[str, Any]) -> None:
    """Store the URL parameters in ``environ`` as :attr:`webob.Request.urlvars` does."""
    if "wsgiorg.routing_args" in environ:
        environ["wsgiorg.routing_args"] = (environ["wsgiorg.routing_args"][0], params)
        environ.pop("paste.urlvars", None)
    elif "paste.urlvars" in environ:
        environ["paste.urlvars"] = params
    else:
        environ["wsgiorg.routing_args"] = ((), params)


def _check_url_parameters(
    func: Callable[..., Any], pattern: Pattern, owner: str, name: str
) -> None:
    """Refuse a function that cannot receive the URL parameters by keyword."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return
    var_keyword = any(p.kind is p.VAR_KEYWORD for p in params.values())
    for wanted in pattern.names:
        param = params.get(wanted)
        if (param is None and not var_keyword) or (
            param is not None and param.kind in (param.POSITIONAL_ONLY, param.VAR_POSITIONAL)
        ):
            raise TypeError(
                f"{owner}: the function {name} has no keyword parameter {wanted!r} to "
                "receive the URL parameter; add it to its signature (or a **kwargs "
                "parameter)"
            )


def _route_caller(
    func: Callable[..., Any], plan: Plan
) -> Callable[[BaseRequest, dict[str, Any]], Any]:
    """``call(request, params)`` calling ``func`` with the URL parameters by keyword."""
    if plan.request == "positional":
        return lambda request, kwargs: func(request, **kwargs)
    if plan.request == "keyword":
        return lambda request, kwargs: func(request=request, **kwargs)
    return lambda request, kwargs: func(**kwargs)


class Route:
    """A function registered with :meth:`~respond_mw.Middleware.route`.

    :ivar pattern: the compiled :class:`~respond_mw.routing.Pattern`.
    :ivar methods: the methods it answers (``HEAD`` included with ``GET``).
    :ivar func: the function called.
    :ivar name: its dotted name, used in error messages.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "call",
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
        "where",
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
        self.name = function_name(func)
        self.where = f"view {self.name}"
        owner = f"route {pattern.text!r}"
        plan = plan_call(func, owner, names=pattern.names)
        _check_url_parameters(func, pattern, owner, self.name)
        #: ``call(request, params)`` calls the function, as decided once.
        self.call = _route_caller(func, plan)
        #: Decided once for the fast path: whether the function takes the request, and
        #: whether its response goes out as coerced (no default headers, conditional).
        self.wants_request = bool(plan.request)
        self.plain = not self.default_headers and not self.conditional
        #: The function itself when it is called with the URL parameters only, and
        #: whether they can be passed positionally (its first parameters, in order).
        self.direct: Callable[..., Any] | None = None if self.wants_request else func
        self.positional = self.direct is not None and _takes_first(func, pattern.names)

    def respond(self, request: BaseRequest, params: dict[str, Any]) -> Response:
        """Call the function for ``request`` and coerce its return value (the
        middleware sends it through the egress).

        Exceptions propagate.
        """
        return respond_with(
            lambda: self.call(request, params),
            RequestState(request, self.name, self.text_type),
            self.default_headers,
            self.conditional,
            carried=True,
        )

    def __repr__(self) -> str:
        return f"<Route {self.pattern.text!r} {sorted(self.methods)} -> {self.name}>"


class RouteState(RequestState):
    """The state of a request a plain route answers (no hook or error handler).

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
    def request(self) -> BaseRequest:
        request = self._request
        if request is None:
            self.store_params()
            request = self._request = Request(self.environ)  # type: ignore[arg-type]  # always set here
        return request

    def store_params(self) -> None:
        """Store a copy of the URL parameters in the environ, once."""
        params = self._params
        if params:
            self._params = None
            set_urlvars(self.environ, dict(params))  # type: ignore[arg-type]


def not_allowed(method: str, allowed: frozenset[str]) -> Response:
    """The answer to a method no route of the path takes: ``405 Method Not Allowed``
    (raised, for the error handlers) or, for ``OPTIONS``, an empty ``200`` -- both
    with ``Allow``, which lists ``OPTIONS`` too (RFC 9110 10.2.1, as Flask)."""
    allow = ", ".join(sorted(allowed | {"OPTIONS"}))
    if method == "OPTIONS":
        headers = [("Content-Type", HTML), ("Allow", allow), ("Content-Length", "0")]
        return new_response("200 OK", headers, [])
    raise webob_exc.HTTPMethodNotAllowed(headers=[("Allow", allow)])
