"""The rules of coroutines and async iterators (see :mod:`respond_mw.aio`).

A coroutine a view returns is run to completion on the thread's event loop
(:func:`respond_mw.aio.run`) and its result coerced; an async iterator is streamed
through an :class:`~respond_mw.aio.AsyncIteratorBridge`, its first chunk taken before
the status is committed, like a generator. Registered with
:func:`~respond_mw.rules.register_rule` when respond_mw is imported. Kept apart from
:mod:`respond_mw.aio` so that running coroutines needs none of the rules (the egress
runs ``async`` :func:`~respond_mw.call_on_close` functions).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Coroutine
from contextvars import Context, copy_context
from typing import Any

from webob import Response

from .aio import AsyncIteratorBridge, run
from .bodies import LazyAsyncStream, StreamingBody
from .context import RequestState
from .responses import new_response
from .rules import coerce_inner, register_rule

__all__: list[str] = []


def _from_coroutine(value: Coroutine[Any, Any, Any], state: RequestState, depth: int) -> Response:
    return coerce_inner(run(value), state, depth + 1)


def _from_async_iterable(value: AsyncIterable[Any], state: RequestState, depth: int) -> Response:
    iterator = aiter(value)
    bridge = AsyncIteratorBridge(iterator, copy_context())
    # The bridge runs each step in the captured context itself (possibly on another
    # thread), so the StreamingBody around it only needs an empty context.
    body = StreamingBody(bridge, state.view, Context())
    if type(value) is not LazyAsyncStream:
        body.peek()  # an error before the first chunk is answered as any other
    return new_response("200 OK", [("Content-Type", state.text_type)], body)


register_rule(Coroutine, _from_coroutine, protocol=True)
register_rule(AsyncIterable, _from_async_iterable, protocol=True)
