"""The bodies the library hands to the server: streamed views, counted lengths.

:class:`StreamingBody` is what a generator (or async generator) returned by a view
becomes: lazy, run in the request's context, ``str`` chunks encoded, ``close()``
reaching the generator. :class:`FileBody` is the body of a file response (:mod:`respond_mw.files`).
:class:`LengthChecked` stands in front of a streamed body
whose ``Content-Length`` was given, so that a body of another length is aborted
rather than sent. See the :doc:`/guides/streaming` guide.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextvars import Context, copy_context
from logging import getLogger
from typing import IO, Any

from .headers import short
from .wsgi import close_iterable

__all__ = [
    "BLOCK_SIZE",
    "FileBody",
    "LazyAsyncStream",
    "LazyStream",
    "LengthChecked",
    "StreamingBody",
    "lazy_stream",
    "raised_by_stream",
]

log = getLogger("respond_mw")

#: The size of the blocks a file body is read in.
BLOCK_SIZE = 64 * 1024


class StreamingBody:
    """The WSGI iterable of a streamed response.

    Each step of the view's iterator runs inside the context captured when the
    response was built (so :func:`~respond_mw.current_request` works), ``str`` chunks
    are UTF-8 encoded, and ``close()`` closes the iterator explicitly -- also as
    soon as the iterator is exhausted.
    """

    __slots__ = ("_chunks", "_closed", "_context", "_first", "_iterator", "_view")

    def __init__(self, iterator: Iterator[Any], view: str, context: Context | None = None) -> None:
        self._iterator = iterator
        self._view = view
        self._context = context if context is not None else copy_context()
        self._closed = False
        self._first: bytes | None = None
        self._chunks: Iterator[bytes] | None = None

    def peek(self) -> None:
        """Take the first chunk now, before the status and headers are committed.

        An exception the iterator raises before its first chunk (``abort(404)``
        included), or a first chunk that is not ``str`` or ``bytes``, is raised to the
        caller -- the edge, whose error handling answers it -- with the iterator
        closed. An empty iterator leaves the body empty. The chunk is sent first.
        """
        try:
            chunk = self._context.run(next, self._iterator)
        except StopIteration:
            self.close()
            self._iterator = iter(())
            return
        except BaseException:
            self.close()
            raise
        if type(chunk) is str:
            self._first = chunk.encode("utf-8")
            return
        try:
            self._first = self._encoded(chunk)
        except TypeError:
            self.close()
            raise

    def __iter__(self) -> Iterator[bytes]:
        """The chunks, as a generator: what a server iterates resumes a frame per
        chunk rather than calling a method. Generators made by several calls share
        the body's state: each gives what the others have not."""
        first = self._first
        if first is not None:
            self._first = None
            yield first
        run, iterator = self._context.run, self._iterator
        while True:
            try:
                chunk = run(next, iterator)
            except StopIteration:
                # Done: close now, for servers and frameworks that drop an iterable
                # without calling close() when it turns out empty (Bottle does).
                self.close()
                return
            except Exception:
                log.exception("error while streaming the response of view %s", self._view)
                raise
            if type(chunk) is bytes:
                yield chunk
            elif type(chunk) is str:
                yield chunk.encode("utf-8")
            else:
                try:
                    encoded = self._encoded(chunk)
                except TypeError as error:
                    log.error("%s", error)
                    raise
                yield encoded

    def __next__(self) -> bytes:
        """The next chunk, for callers that call ``next()`` on the body itself."""
        chunks = self._chunks
        if chunks is None:
            chunks = self._chunks = iter(self)
        return next(chunks)

    def _encoded(self, chunk: object) -> bytes:
        if type(chunk) is bytes:
            return chunk
        if isinstance(chunk, str):
            return chunk.encode("utf-8")
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            return bytes(chunk)
        raise TypeError(
            f"the generator returned by view {self._view} yielded "
            f"{type(chunk).__name__} ({short(chunk)}); a streamed body may only yield "
            "str or bytes"
        )

    def close(self) -> None:
        """Close the view's iterator (runs its ``finally`` blocks) once."""
        if self._closed:
            return
        self._closed = True
        close = getattr(self._iterator, "close", None)
        if close is not None:
            self._context.run(close)

    def __repr__(self) -> str:
        return f"<StreamingBody of view {self._view} iterator={self._iterator!r}>"


def raised_by_stream(error: BaseException) -> bool:
    """Whether ``error`` came out of a stream's own code while :meth:`StreamingBody.peek`
    took its first chunk -- the view's error, not the rules' (its traceback runs
    through ``peek`` into the iterator)."""
    frames = error.__traceback__
    while frames is not None:
        if frames.tb_frame.f_code is _PEEK:
            following = frames.tb_next
            return following is not None and following.tb_frame.f_code is not _ENCODED
        frames = frames.tb_next
    return False


_PEEK = StreamingBody.peek.__code__
_ENCODED = StreamingBody._encoded.__code__


class LazyStream(Iterator[Any]):
    """An iterator whose response does not take its first chunk early; see
    :func:`~respond_mw.lazy_stream`."""

    __slots__ = ("_iterator",)

    def __init__(self, iterable: Iterable[Any]) -> None:
        self._iterator = iter(iterable)

    def __next__(self) -> Any:
        return next(self._iterator)

    def close(self) -> None:
        close_iterable(self._iterator)


class LazyAsyncStream(AsyncIterator[Any]):
    """An async iterator whose response does not take its first chunk early; see
    :func:`~respond_mw.lazy_stream`."""

    __slots__ = ("_iterator",)

    def __init__(self, iterable: AsyncIterable[Any]) -> None:
        self._iterator = aiter(iterable)

    async def __anext__(self) -> Any:
        return await anext(self._iterator)

    async def aclose(self) -> None:
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def lazy_stream(iterable: Iterable[Any] | AsyncIterable[Any]) -> LazyStream | LazyAsyncStream:
    """Return a streamed body whose first chunk is not taken before the server asks.

    A generator (or async generator) a view returns is run up to its first chunk
    before the status and headers are committed, so that an error before that chunk
    -- a failed lookup, ``abort(404)`` -- is answered like any other error (error
    handlers, default pages, teardown). A stream whose first chunk may take long to
    exist (a long poll that waits for an event) can opt out::

        @view
        def events():
            return lazy_stream(wait_then_yield())

    The view then returns at once, and an error before the first chunk is the
    server's (the status is already committed), as it is in Flask.

    .. versionadded:: 0.1.0
    """
    if isinstance(iterable, AsyncIterable):
        return LazyAsyncStream(iterable)
    return LazyStream(iterable)


class LengthChecked:
    """A streamed body whose ``Content-Length`` was given: the bytes are counted.

    A body longer or shorter than its ``Content-Length`` would let a client or a
    proxy misread where the response ends (a keep-alive connection would then mix
    two responses). Instead, the error is logged naming the view and raised before
    the excess chunk, or at the end of a short body: the server aborts the response
    and closes the connection. ``close()`` closes the wrapped body.
    """

    __slots__ = ("_body", "_expected", "_iterator", "_sent", "_where")

    def __init__(self, body: Iterable[bytes], expected: int, where: str) -> None:
        self._body = body
        self._iterator = iter(body)
        self._expected = expected
        self._sent = 0
        self._where = where

    def __iter__(self) -> LengthChecked:
        return self

    def _fail(self, problem: str) -> ValueError:
        error = ValueError(
            f"the streamed body of {self._where} {problem} than its Content-Length "
            f"({self._expected} bytes); the response is aborted"
        )
        log.error("%s", error)
        return error

    def __next__(self) -> bytes:
        try:
            chunk = next(self._iterator)
        except StopIteration:
            if self._sent != self._expected:
                raise self._fail(f"ended after {self._sent} bytes, fewer") from None
            raise
        self._sent += len(chunk)
        if self._sent > self._expected:
            raise self._fail(f"has at least {self._sent} bytes, more")
        return chunk

    def close(self) -> None:
        close_iterable(self._body)


class FileBody:
    """The WSGI iterable of a file response: ``length`` bytes from ``start``.

    ``file`` must be positioned at ``start``; ``length`` ``None`` reads to its end.

    Also a minimal read-only file (``read``, ``seek``, ``tell``, ``close``) confined to
    that window, which is what a partial response hands to ``wsgi.file_wrapper``.
    ``close()`` closes the underlying file.
    """

    __slots__ = ("_closed", "_disk_size", "_end", "_pos", "_start", "file")

    def __init__(
        self,
        file: IO[bytes],
        start: int = 0,
        length: int | None = None,
        *,
        disk_size: int | None = None,
    ) -> None:
        self.file = file
        self._start = self._pos = start
        self._end = None if length is None else start + length
        self._closed = False
        #: The size of the file on disk, when the caller knows it (saves a stat).
        self._disk_size = disk_size

    @property
    def length(self) -> int | None:
        """The number of bytes of the body (``None`` when unknown)."""
        return None if self._end is None else self._end - self._start

    def read(self, size: int = -1) -> bytes:
        if self._end is not None:
            left = self._end - self._pos
            size = left if size < 0 else min(size, left)
            if size <= 0:
                return b""
        data = self.file.read(size)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            target = self._start + offset
        elif whence == 1:
            target = self._pos + offset
        elif self._end is not None:
            target = self._end + offset
        else:
            raise io.UnsupportedOperation("seek from the end of a file of unknown size")
        target = max(self._start, target)
        if self._end is not None:
            target = min(target, self._end)
        self.file.seek(target)
        self._pos = target
        return target - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def __iter__(self) -> FileBody:
        return self

    def __next__(self) -> bytes:
        data = self.read(BLOCK_SIZE)
        if not data:
            raise StopIteration
        return data

    def close(self) -> None:
        """Close the file (once)."""
        if not self._closed:
            self._closed = True
            self.file.close()

    def for_file_wrapper(self) -> IO[bytes] | FileBody | None:
        """What to give the server's ``wsgi.file_wrapper``: the file itself when the
        body runs to the end of a file on disk, positioned at its start (servers may
        use ``sendfile()``), else this window, which no reader can overrun; ``None``
        when the size is unknown (not seekable)."""
        if self._end is None:
            return None
        size = self._disk_size
        if size is None:
            try:
                size = os.fstat(self.file.fileno()).st_size
            except (OSError, AttributeError, ValueError):
                size = None
        return self.file if size == self._end else self

    def __repr__(self) -> str:
        return f"<FileBody {self.file!r} bytes {self._start}-{self._end}>"
