"""The hooks of a :class:`~respond_mw.Middleware`, and the body that runs teardown.

``before_request`` functions run before every request and may answer it;
``after_request`` functions receive the response and return it (or another one);
``teardown_request`` functions run once the server has closed the body. Each is
called by the one calling convention (:mod:`respond_mw.calling`): the response or
the error first, the request if it asks for it. See :doc:`/guides/middleware`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import Context
from logging import getLogger
from typing import Any

from webob import Request, Response

from ..aio import resolve
from ..callbacks import AFTER_THIS_REQUEST, closing_callbacks, run_after_this_request
from ..calling import argument_caller, function_name, plan_call, request_caller
from ..context import RequestState, set_state
from ..errors import ResponseFailed
from ..responses import HTML
from ..rules import coerce
from ..wsgi import close_iterable, take_over_close

__all__ = ["ClosingBody", "Hooks"]

log = getLogger("respond_mw")


class Hooks:
    """The ``before_request``, ``after_request`` and ``teardown_request`` functions."""

    def __init__(self) -> None:
        self.before: list[tuple[Callable[..., Any], Callable[[Request], Any]]] = []
        self.after: list[tuple[Callable[..., Any], Callable[[Any, Request], Any]]] = []
        self.teardown: list[tuple[Callable[..., Any], Callable[[Any, Request], Any]]] = []

    def __bool__(self) -> bool:
        return bool(self.before or self.after or self.teardown)

    def add_before(self, func: Callable[..., Any]) -> None:
        plan = plan_call(func, "before_request")
        self.before.append((func, request_caller(func, plan)))

    def add_after(self, func: Callable[..., Any]) -> None:
        plan = plan_call(func, "after_request", first=("response",))
        self.after.append((func, argument_caller(func, plan)))

    def add_teardown(self, func: Callable[..., Any]) -> None:
        plan = plan_call(func, "teardown_request", first=("error",))
        self.teardown.append((func, argument_caller(func, plan)))

    def run_before(self, request: Request) -> tuple[Response, str] | None:
        """The response of the first ``before_request`` function that answers, and
        who it is; ``None`` when none does."""
        for func, call in self.before:
            state = RequestState(request, function_name(func), HTML)
            set_state(state)
            value = resolve(call(request))
            if value is not None:
                try:
                    response = coerce(value, state)
                except Exception as error:
                    raise ResponseFailed(error) from error
                return response, f"before_request function {state.view}"
        return None

    def run_after(
        self, response: Response, request: Request, replaced: list[Iterable[bytes]]
    ) -> Response:
        """Run the ``after_request`` functions; the bodies of responses they replace go
        to ``replaced`` (closed once the final response is sent: a hook may have
        wrapped one into its new response). Returns the response.

        The functions :func:`~respond_mw.after_this_request` registered for the
        request come first.

        :raises ResponseFailed: carrying what a function raised (the response's body
            is closed then).
        """
        if AFTER_THIS_REQUEST in request.environ:
            first = response
            try:
                response = run_after_this_request(response, request.environ)
            except Exception as error:
                close_iterable(first.app_iter)
                raise ResponseFailed(error) from error
            if response is not first:
                replaced.append(first.app_iter)
        for func, call in reversed(self.after):  # the last registered first, as Flask
            name = function_name(func)
            set_state(RequestState(request, name, HTML))
            try:
                result = resolve(call(response, request))
                if not isinstance(result, Response):
                    raise TypeError(
                        f"the after_request function {name} returned "
                        f"{type(result).__name__}; it must return the webob.Response it "
                        "received (or another one)"
                    )
            except Exception as error:
                close_iterable(response.app_iter)
                raise ResponseFailed(error) from error
            if result is not response:
                replaced.append(response.app_iter)
            response = result
        return response

    def after_names(self) -> str:
        """The ``after_request`` functions, for messages about what they may have done."""
        return ", ".join(function_name(func) for func, _ in self.after)

    def run_teardown(self, error: BaseException | None, request: Request) -> None:
        for func, call in reversed(self.teardown):  # the last registered first, as Flask
            try:
                resolve(call(error, request))
            except Exception:
                log.exception("teardown_request function %s raised", function_name(func))


class ClosingBody:
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
        "_hooks",
        "_iterator",
        "_replaced",
        "_request",
    )

    def __init__(
        self,
        body: Iterable[bytes],
        hooks: Hooks,
        request: Request,
        context: Context,
        error: BaseException | None,
        replaced: list[Iterable[bytes]],
    ) -> None:
        self._body = body
        self._iterator: Iterator[bytes] | None = None
        self._hooks = hooks
        self._request = request
        self._context = context
        self._error = error
        self._replaced = replaced
        self._closed = False

    def __iter__(self) -> ClosingBody:
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

    def around(self, body: Any) -> Any:
        """Hand the server its own ``wsgi.file_wrapper`` object ``body`` rather than
        this one in front of it, so that the server keeps its fast path for files:
        ``body.close()``, which the server calls, then does what :meth:`close` does."""
        original = take_over_close(body, self.close)
        if original is None:  # an object that takes no new attribute: stand in front
            return self
        self._body = original  # type: ignore[assignment]
        return body

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
            self._context.run(self._hooks.run_teardown, self._error, self._request)


def legacy_body(response: Response, environ: dict[str, Any], conditional: bool) -> Iterable[bytes]:
    """The body of the wrapped application's own response as it goes out: as it came
    -- but closed unread for a ``HEAD`` a ``conditional`` middleware let it answer as
    a ``GET`` -- its close() then running the request's
    :func:`~respond_mw.call_on_close` functions."""
    body = response.app_iter
    if conditional and environ.get("REQUEST_METHOD") == "HEAD":
        close_iterable(body)
        body = []
    return closing_callbacks(body, environ)
