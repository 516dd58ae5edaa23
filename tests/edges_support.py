"""The edges of tests/test_edges.py: every way a function's answer leaves respond_mw,
and a harness that sends one request through one of them under PEP 3333 linting.

A :class:`Case` is a recipe for a value (a fresh one per request: generators are
consumed, responses changed by the view). An :class:`Edge` runs a case for ``GET`` or
``HEAD`` and returns an :class:`Outcome`: what the client would have received, or the
lint error / exception that came out instead. The host applications are built once;
the function each of them routes to runs the case currently in :data:`SLOT`.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from wsgiref.validate import validator

import bottle
from pyramid.config import Configurator
from webob import Request
from webob import exc as webob_exc
from webtest.lint import middleware as webtest_lint

from respond_mw import Middleware, abort, remove_response_adapter, view
from respond_mw.integrations.bottle import RespondPlugin

PATH = "/x"
ERROR_STATUS = "418 I'm a teapot"

# ------------------------------------------------------------------------- cases


@dataclass(frozen=True, repr=False)
class Case:
    """How to produce the value a function answers with.

    :ivar label: a Python-like description, shown by hypothesis and in reports.
    :ivar make: returns a fresh value -- or raises it (``abort(...)``).
    :ivar raisable: ``make()`` returns an exception (a ``webob.exc`` instance): the
        raised edges raise it instead of returning it.
    :ivar raises: ``make()`` itself raises (``abort``), at every edge.
    """

    label: str
    make: Callable[[], Any]
    raisable: bool = False
    raises: bool = False

    def __repr__(self) -> str:
        return self.label


def is_bare(value: object) -> bool:
    """A value that gives no status of its own: an error handler's bare answer takes
    the error's status (documented in respond_mw.middleware, "Error handlers")."""
    if type(value) is tuple:
        if len(value) == 3:
            return value[1] is None
        if len(value) == 2:
            second = value[1]
            return second is None or isinstance(second, (dict, list, tuple))
        return False
    return isinstance(value, (str, bytes, bytearray, memoryview, dict, list, Iterator))


def with_error_status(value: Any, status: str = ERROR_STATUS) -> Any:
    """What ``@view`` must be given to answer as an error handler answering ``value``
    for an error of ``status`` does."""
    if not is_bare(value):
        return value
    if type(value) is tuple:
        if len(value) == 3:
            return (value[0], status, value[2])
        if value[1] is None:
            return (value[0], status)
        return (value[0], status, value[1])
    return (value, status)


def as_error_answer(case: Case) -> Case:
    return Case(
        f"{case.label}  [as the answer of an errorhandler({ERROR_STATUS[:3]})]",
        lambda: with_error_status(case.make()),
    )


# ------------------------------------------------------------------------ outcome


@dataclass
class Outcome:
    """What one request produced.

    :ivar kind: ``"response"``; ``"lint error"`` (WebTest's lint or wsgiref's
        validator refused what the application did -- status and headers are then
        what the application gave ``start_response``, if it got that far);
        ``"raised"`` (an exception came out of the application, before or while
        the body was iterated).
    """

    kind: str
    status: str | None
    headers: list[tuple[str, str]]
    body: bytes
    logged: list[str] = field(default_factory=list)
    detail: str = ""
    wsgi_errors: str = ""
    #: an exception the case's recipe raised by itself (not an HTTP exception): a
    #: bug of the test's strategies, never an edge's doing
    recipe_error: str = ""

    @property
    def code(self) -> int | None:
        if self.status is None or not self.status[:3].isdigit():
            return None
        return int(self.status[:3])

    def short(self) -> str:
        text = f"{self.kind}: {self.status!r} {self.headers!r} body={self.body[:60]!r}"
        if self.logged:
            text += f" logged={[m[:80] for m in self.logged]!r}"
        if self.detail:
            text += f" ({self.detail[:200]})"
        return text


class LogSource:
    """Where ERROR records on the ``respond_mw`` logger are read from: pytest's
    ``caplog`` (cleared before each request)."""

    def __init__(self, caplog: Any) -> None:
        self._caplog = caplog

    def clear(self) -> None:
        self._caplog.clear()

    def errors(self) -> list[str]:
        return [
            record.getMessage()
            for record in self._caplog.records
            if record.name == "respond_mw" and record.levelno >= logging.ERROR
        ]


class LintFailure(Exception):
    """The validator refused (or crashed on) what the application passed to
    ``start_response``."""


def run_wsgi(app: Any, method: str, log: LogSource) -> Outcome:
    """``method PATH`` through wsgiref's validator and WebTest's lint (PEP 3333), the
    body drained and closed; a lint failure or an exception is recorded, not raised."""
    environ = Request.blank(PATH, method=method).environ
    errors = io.StringIO()
    environ["wsgi.errors"] = errors
    captured: dict[str, Any] = {}
    refused: list[tuple[str, Any, Any]] = []  # (problem, status, headers) lint refused

    def capturing(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: Any, headers: Any, exc_info: Any = None) -> Any:
            captured["status"] = status
            captured["headers"] = list(headers)
            try:
                if exc_info is None:
                    return start_response(status, headers)
                return start_response(status, headers, exc_info)
            except Exception as error:  # wsgiref's check_status may fail on int()
                # Recorded here too: a host may catch it and send a page of its own.
                problem = f"{type(error).__name__}: {error}"
                refused.append((problem, status, list(headers)))
                raise LintFailure(problem) from error

        return app(environ, start)

    def server_start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
        return lambda data: None

    linted = webtest_lint(validator(capturing))
    chunks: list[bytes] = []
    kind, detail = "response", ""
    log.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a lint warning is a lint failure too
        result = None
        try:
            result = linted(environ, server_start_response)
            for chunk in result:
                chunks.append(chunk)
        except (AssertionError, Warning, LintFailure) as error:
            kind, detail = "lint error", f"{type(error).__name__}: {error}"
        except Exception as error:
            kind, detail = "raised", f"{type(error).__name__}: {error}"
        finally:
            if result is not None:
                try:
                    result.close()
                except (AssertionError, Warning) as error:
                    if kind == "response":
                        kind, detail = "lint error", f"{type(error).__name__}: {error}"
                except Exception as error:
                    if kind == "response":
                        kind, detail = "raised", f"{type(error).__name__}: {error}"
    if refused:  # what the application first tried to send was refused
        problem, status, headers = refused[0]
        if kind != "lint error" or captured.get("status") != status:
            problem += f" (then it sent {captured.get('status')!r}, {kind} {detail[:80]})"
        kind, detail = "lint error", problem
        captured["status"], captured["headers"] = status, headers
    return Outcome(
        kind,
        captured.get("status"),
        [tuple(item) for item in captured.get("headers", [])],
        b"".join(chunks),
        log.errors(),
        detail,
        errors.getvalue(),
    )


# -------------------------------------------------------------------------- hosts


class Slot:
    """The case the host functions answer with, and whether they raise it."""

    case: Case | None = None
    raise_it = False
    recipe_error = ""


SLOT = Slot()


def behave() -> Any:
    case = SLOT.case
    assert case is not None
    try:
        value = case.make()
    except webob_exc.HTTPException:
        raise  # abort(...): the case raises on purpose
    except Exception as error:
        SLOT.recipe_error = f"{type(error).__name__}: {error}"
        raise
    if SLOT.raise_it:
        raise value
    return value


def edge_function() -> Any:
    return behave()


def legacy_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"legacy"]


def forget_coerced_types() -> None:
    """Empty the rules' per-type cache: the next value of any type is coerced cold
    (the fast paths, coerce_parts, only apply to types coerced before)."""

    class NeverReturned:
        pass

    remove_response_adapter(NeverReturned)


def _middleware() -> Middleware:
    mw = Middleware(legacy_app)
    mw.route(PATH, methods=["GET"])(edge_function)
    return mw


MW = _middleware()

MW_HOOK = _middleware()


@MW_HOOK.before_request
def nothing_before() -> None:
    return None


MW_HANDLER = Middleware(legacy_app)


@MW_HANDLER.route(PATH, methods=["GET"])
def aborting() -> Any:
    abort(418)


@MW_HANDLER.errorhandler(418)
def teapot_handler(error: Any) -> Any:
    return behave()


def _pyramid() -> Any:
    def pyramid_view(request: Any) -> Any:
        return behave()

    config = Configurator()
    config.include("respond_mw.integrations.pyramid")
    config.add_route("x", PATH)
    config.add_view(pyramid_view, route_name="x")
    return config.make_wsgi_app()


PYRAMID = _pyramid()


def _bottle() -> bottle.Bottle:
    app = bottle.Bottle()
    app.install(RespondPlugin())
    app.route(PATH, method=["GET"], callback=edge_function)
    return app


BOTTLE = _bottle()

#: One View for the view(request) edge (a host calling it with a webob.Request).
CALLED_VIEW = view(edge_function)


def view_called_with_request(environ: dict[str, Any], start_response: Any) -> Any:
    """``the_view(request)`` returns a webob.Response; the request then gets it
    (``request.get_response(response)``)."""
    response = CALLED_VIEW(Request(environ))
    return response(environ, start_response)


# -------------------------------------------------------------------------- edges


@dataclass(frozen=True)
class Edge:
    """One way out.

    :ivar family: the stack it belongs to (``view``, ``middleware``, ``pyramid``,
        ``bottle``): selects the stack's own differences to normalise.
    :ivar raised: the function raises the case's exception instead of returning it.
    :ivar handler: the value is an error handler's answer (compared with what
        ``@view`` gives for the same value with the error's status, if bare).
    """

    name: str
    family: str
    app: Any = None
    cold: bool = False
    raised: bool = False
    handler: bool = False
    #: A function's raised HTTP exceptions propagate to the host (``view(request)``,
    #: as documented: the host's error handling applies), so only returned values
    #: are compared here; tests/test_views.py checks that they propagate.
    propagates: bool = False

    def applies_to(self, case: Case) -> bool:
        if self.propagates and case.raises:
            return False
        if self.raised:
            return case.raisable
        if self.handler:
            return not case.raises  # an error handler that raises is a plain 500
        return True

    def run(self, case: Case, method: str, log: LogSource) -> Outcome:
        SLOT.case, SLOT.raise_it, SLOT.recipe_error = case, self.raised, ""
        try:
            if self.family == "view" and self.app is None:  # a fresh @view, cold then warm
                fresh = view(edge_function)
                forget_coerced_types()
                outcome = run_wsgi(fresh, method, log)
                if not self.cold:
                    outcome = run_wsgi(fresh, method, log)
            else:
                if self.cold:
                    forget_coerced_types()
                outcome = run_wsgi(self.app, method, log)
            outcome.recipe_error = SLOT.recipe_error
            return outcome
        finally:
            SLOT.case, SLOT.raise_it, SLOT.recipe_error = None, False, ""


#: ``@view``, second request of a fresh View: what every other edge is compared with.
REFERENCE = Edge("view-warm", "view")

EDGES = [
    # a fresh @view, first request, the rules' per-type cache emptied (no fast path)
    Edge("view-cold", "view", cold=True),
    # the_view(webob.Request) -> webob.Response, then request.get_response(response)
    Edge("view-request", "view", app=view_called_with_request, propagates=True),
    # @view whose function raises the value (webob.exc instances)
    Edge("view-raised", "view", raised=True),
    # Middleware(legacy_app) route, no hook: cold (cache emptied) and warm
    Edge("mw-route-cold", "middleware", app=MW, cold=True),
    Edge("mw-route", "middleware", app=MW),
    # the same with a before_request hook that returns None (the general path)
    Edge("mw-hook", "middleware", app=MW_HOOK),
    # the route does abort(418), errorhandler(418) answers with the value
    Edge("mw-errorhandler", "middleware", app=MW_HANDLER, handler=True),
    # the route raises the value
    Edge("mw-raised", "middleware", app=MW, raised=True),
    # a Pyramid view with config.include("respond_mw.integrations.pyramid")
    Edge("pyramid", "pyramid", app=PYRAMID),
    Edge("pyramid-raised", "pyramid", app=PYRAMID, raised=True),
    # a Bottle route with app.install(RespondPlugin()): cold, warm, raising
    Edge("bottle-cold", "bottle", app=BOTTLE, cold=True),
    Edge("bottle", "bottle", app=BOTTLE),
    Edge("bottle-raised", "bottle", app=BOTTLE, raised=True),
]
EDGES_BY_NAME = {edge.name: edge for edge in [REFERENCE, *EDGES]}


def reference_case(edge: Edge, case: Case) -> Case:
    """The case ``@view`` (warm) answers for comparison with ``edge``."""
    return as_error_answer(case) if edge.handler else case
