"""Async views and async generators on WSGI threads.

A view may be an ``async def`` function. Calling it returns a coroutine, and the
coercion rules (:mod:`respond_mw.aiorules`) run that coroutine to completion with
:func:`run` and coerce its result, so ``async
def`` works wherever a return value is coerced: :func:`~respond_mw.view`,
``Middleware`` routes, error handlers and ``before_request`` hooks. An **async
generator** (or any async iterator) returned by a view is streamed like a sync
generator: only its first chunk is taken before the status is committed, each step
runs with :func:`~respond_mw.current_request` available, ``str`` chunks are UTF-8
encoded, and closing the WSGI iterable runs the generator's ``aclose()``.

Where the coroutines run
------------------------

WSGI servers call applications from long-lived worker threads. Each such thread gets
**one event loop of its own**, created the first time it runs a coroutine and reused
for every later request, and the coroutine runs on it with
``loop.run_until_complete`` -- the cheapest of the ways measured (see
:doc:`/async`, which gives the timings). It keeps the WSGI model: a request
occupies its thread while its coroutine runs. Two consequences:

* Objects bound to an event loop (connection pools, locks, clients of async
  libraries) must not be shared between requests handled by different threads:
  create them per request, or call :func:`use_shared_loop` at import time.
* Tasks a view starts and does not await only progress while the thread runs another
  coroutine; await what you start.

:func:`use_shared_loop` switches to a single background thread running one event
loop for the whole process (more costly per call, but one loop for all requests).
The background loop is also used automatically when the calling thread is itself
already running an event loop (for example when a view is called from async code),
where ``run_until_complete`` is impossible.

After ``os.fork()`` (pre-forking servers) the child process starts with fresh loops:
a loop is never shared between processes.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextvars import Context, copy_context
from typing import Any, TypeVar

__all__ = ["AsyncIteratorBridge", "CoroutineCancelled", "resolve", "run", "use_shared_loop"]

T = TypeVar("T")

_shared_only = False


def use_shared_loop(enabled: bool = True) -> None:
    """Run every coroutine on one background event loop instead of one per thread.

    Call it at import time, before requests are served. Choose it when async views
    share objects bound to an event loop (an ``aiohttp`` session, an ``asyncpg``
    pool). Each call costs a thread hand-over (about 4x the default; see the module
    documentation).

    .. versionadded:: 0.1.0
    """
    global _shared_only
    _shared_only = enabled


# ------------------------------------------------------------ one loop per thread


class _ThreadLoop:
    """The event loop of one thread; closed when the thread's locals are cleared."""

    __slots__ = ("loop", "pid")

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()

    def close(self) -> None:
        loop = self.loop
        if self.pid == os.getpid() and not loop.is_closed() and not loop.is_running():
            loop.close()

    def __del__(self) -> None:
        self.close()


_local = threading.local()
_abandoned: list[asyncio.AbstractEventLoop] = []


def _thread_loop() -> asyncio.AbstractEventLoop:
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is None or holder.pid != os.getpid():
        if holder is not None:
            # Inherited through fork: its selector is shared with the parent, so it
            # is neither used nor closed here (closing would unregister the parent's
            # file descriptors); it is only kept from the garbage collector.
            _abandoned.append(holder.loop)
        holder = _local.holder = _ThreadLoop()
    return holder.loop


@atexit.register
def _close_main_loop() -> None:
    holder: _ThreadLoop | None = getattr(_local, "holder", None)
    if holder is not None:
        holder.close()


# ---------------------------------------------------------- the shared background loop


class _Background:
    """One event loop running forever in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.pid = 0

    def get(self) -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
        with self.lock:
            if self.loop is None or self.thread is None or self.pid != os.getpid():
                if self.loop is not None:
                    _abandoned.append(self.loop)  # inherited through fork, see above
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="respond_mw-asyncio", daemon=True
                )
                thread.start()
                self.loop, self.thread, self.pid = loop, thread, os.getpid()
            return self.loop, self.thread


_background = _Background()


def _run_in_background(coro: Coroutine[Any, Any, T], context: Context) -> T:
    loop, thread = _background.get()
    if threading.current_thread() is thread:
        coro.close()
        raise RuntimeError(
            "a coroutine was given to respond_mw from code running on its own event loop "
            "(for example make_response(coroutine) inside an async view): await the "
            "coroutine instead"
        )
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def done(task: asyncio.Task[T]) -> None:
        if task.cancelled():
            future.cancel()
        elif (error := task.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(task.result())

    def start() -> None:
        task = loop.create_task(coro, context=context)
        task.add_done_callback(done)

    loop.call_soon_threadsafe(start)
    return future.result()


# ------------------------------------------------------------------------ running


def run(coro: Coroutine[Any, Any, T], context: Context | None = None) -> T:
    """Run ``coro`` to completion from synchronous code and return its result.

    :param context: the :mod:`contextvars` context to run it in (it must not be
        entered elsewhere at the same time); by default a copy of the current one, so
        :func:`~respond_mw.current_request` works inside.
    :raises RuntimeError: when called from a coroutine running on the shared loop.
    :raises CoroutineCancelled: when ``coro`` ends by a :class:`asyncio.CancelledError`
        (a task it awaited was cancelled): an error of the view's, answered as any
        other (the ``500`` handler, teardown functions), where a
        :class:`BaseException` would pass them all by.
    """
    if context is None:
        context = copy_context()
    try:
        if not _shared_only:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                loop = _thread_loop()
                return loop.run_until_complete(loop.create_task(coro, context=context))
        return _run_in_background(coro, context)
    except (asyncio.CancelledError, concurrent.futures.CancelledError) as cancelled:
        name = getattr(coro, "__qualname__", coro)
        raise CoroutineCancelled(
            f"the coroutine {name} was cancelled (a task it awaited was cancelled, and it "
            "let the CancelledError out)"
        ) from cancelled


class CoroutineCancelled(RuntimeError):
    """A view's, hook's or handler's coroutine ended cancelled (see ``run()``).

    .. versionadded:: 0.1.0
    """


def resolve(value: Any) -> Any:
    """Return ``value``, or its result if it is a coroutine (run with :func:`run`).

    For callers of hooks that may be ``async def`` and whose return value is not a
    response (``before_request`` returning ``None``, ``after_request``, teardown).
    """
    if isinstance(value, Coroutine):
        return run(value)
    return value


# ------------------------------------------------------------------- async streams

_DONE: Any = object()


async def _step(iterator: AsyncIterator[Any]) -> Any:
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return _DONE


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class AsyncIteratorBridge:
    """A sync iterator over an async iterator: each step runs on an event loop.

    Every step (and :meth:`close`, which calls ``aclose()``) runs in ``context``, the
    context captured when the response was built. Used as the iterator of a
    :class:`~respond_mw.rules.StreamingBody`, which encodes the chunks.
    """

    __slots__ = ("_context", "_iterator")

    def __init__(self, iterator: AsyncIterator[Any], context: Context) -> None:
        self._iterator = iterator
        self._context = context

    def __iter__(self) -> AsyncIteratorBridge:
        return self

    def __next__(self) -> Any:
        chunk = run(_step(self._iterator), self._context)
        if chunk is _DONE:
            raise StopIteration
        return chunk

    def close(self) -> None:
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            run(_await(aclose()), self._context)

    def __repr__(self) -> str:
        return f"<AsyncIteratorBridge {self._iterator!r}>"
