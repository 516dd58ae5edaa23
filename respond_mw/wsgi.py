"""Calling a WSGI application and capturing its response without buffering it.

:func:`call_application` runs a WSGI app and returns its status, headers and body
iterable. Unlike :meth:`webob.Request.call_application`, it never reads the whole body
into memory: when the app only calls ``start_response`` once its iterable is iterated
(apps written as generators do), just the first chunk is read, and the rest stays
lazy. ``close()`` of the returned iterable always reaches the app's iterable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from webob.response import EmptyResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

__all__ = [
    "Closer",
    "Prepended",
    "call_application",
    "close_iterable",
    "head_body",
    "take_over_close",
]


def close_iterable(iterable: object) -> None:
    """Call ``iterable.close()`` if it has one (PEP 3333)."""
    close = getattr(iterable, "close", None)
    if close is not None:
        close()


class Closer:
    """What is left of a body whose ``close()`` was taken over: its own ``close()``."""

    __slots__ = ("close",)

    def __init__(self, close: Callable[[], Any] | None) -> None:
        self.close = close if close is not None else (lambda: None)


def take_over_close(body: Any, close: Callable[[], Any]) -> Closer | None:
    """Make ``body.close()`` call ``close`` -- for the server's own
    ``wsgi.file_wrapper`` object, handed back to the server so that it keeps its fast
    path for files -- and return the body's own ``close()`` as a :class:`Closer`;
    ``None`` when ``body`` takes no new attribute (then stand in front of it)."""
    original = getattr(body, "close", None)
    try:
        body.close = close
    except AttributeError:
        return None
    return Closer(original)


class Prepended:
    """A WSGI body that yields ``head`` chunks, then the rest of ``iterator``.

    ``close()`` closes ``original`` (the iterable the application returned).
    """

    __slots__ = ("_head", "_iterator", "_original")

    def __init__(self, head: list[bytes], iterator: Iterator[bytes], original: object) -> None:
        self._head = head
        self._iterator = iterator
        self._original = original

    def __iter__(self) -> Prepended:
        return self

    def __next__(self) -> bytes:
        head = self._head
        if head:
            return head.pop(0)
        try:
            chunk = next(self._iterator)
        except StopIteration:
            if head:  # write() called by the last step of the iterator
                return head.pop(0)
            raise
        if head:  # write() called while producing this chunk: that data comes first
            head.append(chunk)
            return head.pop(0)
        return chunk

    def close(self) -> None:
        close_iterable(self._original)


def call_application(
    app: WSGIApplication, environ: WSGIEnvironment
) -> tuple[str, list[tuple[str, str]], Iterable[bytes]]:
    """Run ``app`` and return ``(status, headerlist, body_iterable)``.

    The body is not consumed beyond its first chunk, and only when the app calls
    ``start_response`` lazily. Data given to the ``write()`` callable is sent in the
    order it was written, also when ``write()`` is called while the body is iterated.

    :raises RuntimeError: if the app never calls ``start_response``.
    """
    captured: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # Nothing has been sent yet, so a later call (with exc_info) simply replaces
        # the earlier status and headers, as PEP 3333 allows before the first byte.
        captured[:] = [status, headers]
        return written.append

    app_iter = app(environ, start_response)
    if captured and not written:
        kind = type(app_iter)
        if kind is list or kind is environ.get("wsgi.file_wrapper"):
            # nothing can come before it: the application's own iterable (the
            # server's file wrapper keeps the server's fast path)
            return captured[0], list(captured[1]), app_iter
    head = written
    try:
        iterator = iter(app_iter)
        if not captured:
            for chunk in iterator:
                if chunk or captured:
                    head.append(chunk)
                    break
    except BaseException:
        close_iterable(app_iter)
        raise
    if not captured:
        close_iterable(app_iter)
        raise RuntimeError(f"the WSGI application {app!r} did not call start_response")
    return captured[0], list(captured[1]), Prepended(head, iterator, app_iter)


def head_body(body: Iterable[bytes]) -> Iterable[bytes]:
    """What answers ``HEAD`` instead of ``body``: nothing, and ``close()`` still
    reaches ``body`` (a streamed body is closed unread)."""
    return [] if type(body) is list else EmptyResponse(body)
