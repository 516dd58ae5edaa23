"""One calling convention for every function respond_mw calls.

Views, routes, ``before_request``/``after_request``/``teardown_request`` hooks and
error handlers are all called the same way. A function receives, by name, what its
signature asks for:

* ``request`` -- the :class:`webob.Request` being handled (by position when it is the
  first parameter left, else by keyword); a :func:`~respond_mw.view` without such a
  parameter whose first parameter is required receives the request there, whatever
  its name, as with WebOb's ``wsgify`` (``def page(req)``);
* ``context`` -- Pyramid's context, for a :func:`~respond_mw.view` called by Pyramid;
* the URL parameters of a route's pattern, by keyword;

and hooks and error handlers receive one argument first, by position: the response
(``after_request``), the error (error handlers, ``teardown_request``).

This is decided once, when the function is decorated or registered, by
:func:`plan_call`. A signature that cannot be served -- a required parameter that
would receive nothing -- is refused then, with a :class:`TypeError` that says what to
write: at registration for routes, hooks and error handlers. A ``@view`` may also be
registered later as a route, whose URL parameters fill such parameters, so calling
the view itself with parameters left unfilled raises that same :class:`TypeError`
(a logged ``500`` when a server calls it). See :doc:`/guides/views`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Any, Literal, NamedTuple

__all__ = [
    "Plan",
    "argument_caller",
    "function_name",
    "parameters",
    "plan_call",
    "request_caller",
]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


class Plan(NamedTuple):
    """How a function is called, as :func:`plan_call` decided."""

    #: ``"positional"``, ``"keyword"``, or ``""`` when it does not take the request.
    request: Literal["", "positional", "keyword"]
    #: Whether it takes Pyramid's ``context`` (by keyword).
    context: bool


def function_name(func: Callable[..., Any]) -> str:
    """The dotted name of a function, as error messages name it."""
    module = getattr(func, "__module__", None)
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    return f"{module}.{name}" if module else name


def parameters(func: Callable[..., Any]) -> list[inspect.Parameter] | None:
    """The parameters of ``func``'s signature (``None`` when it has none to show)."""
    try:
        return list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):  # no signature (some builtins): assume it fits
        return None


def plan_call(
    func: Callable[..., Any],
    owner: str,
    *,
    first: tuple[str, ...] = (),
    names: Collection[str] = (),
    context: bool = False,
    skip: int = 0,
    request_first: bool = False,
    signature: list[inspect.Parameter] | None = None,
) -> Plan:
    """Decide how to call ``func``.

    :param owner: what registers it, for the error message (``"@view"``,
        ``"route '/items/<int:id>'"``, ``"errorhandler(404)"``).
    :param first: what the positional arguments given first stand for
        (``("error",)``): the first parameters receive them, whatever their names.
    :param names: the other names it may ask for, given by keyword (URL parameters).
    :param context: whether ``context`` may be asked for (Pyramid views).
    :param skip: parameters to leave out (1 for the ``self`` of a method).
    :param request_first: without a ``request`` parameter, a first parameter that is
        required and positional receives the request, whatever its name -- as with
        WebOb's ``wsgify`` (``def page(req)``).
    :param signature: the parameters of ``func``, when the caller has them already.
    :raises TypeError: when a parameter would receive nothing, or cannot receive what
        it asks for.
    """
    params = parameters(func) if signature is None else signature
    if params is None:
        return Plan("", False)
    params = params[skip:]
    where = f"{owner}: the function {function_name(func)}"
    positional = [p for p in params if p.kind in _POSITIONAL]
    if len(positional) < len(first) and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise TypeError(
            f"{where} receives {', '.join(first)} as its first argument: give it a "
            f"parameter for it, as in def {getattr(func, '__name__', 'handler')}"
            f"({', '.join(first)}): ..."
        )
    request: Literal["", "positional", "keyword"] = ""
    taken = {p.name for p in positional[: len(first)]}
    if "request" in taken:
        raise TypeError(
            f"{where} receives {', '.join(first)} as its first argument, not the request: "
            f"name that parameter {first[0]!r} (and add a 'request' parameter after it "
            "to receive the request)"
        )
    wants_context = False
    rest = [p for p in params if p.name not in taken]
    if (
        request_first
        and rest
        and all(p.name != "request" for p in rest)
        and rest[0].kind in _POSITIONAL
        and rest[0].default is rest[0].empty
        and rest[0].name not in names
        and not (context and rest[0].name == "context")
    ):
        request = "positional"
        rest = rest[1:]
    for index, param in enumerate(rest):
        if param.kind in _VARIADIC:
            continue
        if param.name == "request":
            if param.kind is param.POSITIONAL_ONLY and index != 0:
                raise TypeError(
                    f"{where} has a positional-only 'request' parameter after others: make "
                    "it the first parameter, or an ordinary one"
                )
            first_left = index == 0 and param.kind in _POSITIONAL
            request = "positional" if first_left else "keyword"
        elif param.name == "context" and context:
            if param.kind is param.POSITIONAL_ONLY:
                raise TypeError(f"{where} has a positional-only 'context' parameter")
            wants_context = True
        elif param.name in names or param.default is not param.empty:
            continue
        else:
            known = ", ".join(repr(name) for name in ["request", *names])
            raise TypeError(
                f"{where} requires the parameter {param.name!r}, which would receive "
                f"nothing: respond_mw passes {known} by name; rename it (to 'request' "
                "to receive the request) or give it a default"
            )
    if wants_context and request == "positional":
        request = "keyword"
    return Plan(request, wants_context)


def request_caller(func: Callable[..., Any], plan: Plan) -> Callable[[Any], Any]:
    """``call(request)`` calling ``func`` as ``plan`` says (no fixed argument)."""
    if plan.request == "positional":
        return func
    if plan.request == "keyword":
        return lambda request: func(request=request)
    return lambda request: func()


def argument_caller(func: Callable[..., Any], plan: Plan) -> Callable[[Any, Any], Any]:
    """``call(argument, request)`` calling ``func`` with one fixed argument first."""
    if plan.request == "positional":
        return func
    if plan.request == "keyword":
        return lambda argument, request: func(argument, request=request)
    return lambda argument, request: func(argument)
