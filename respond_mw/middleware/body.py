"""The request body the wrapped application receives: intact, whatever hooks read.

A ``before_request`` hook may read the request body -- a form through ``params`` or
``POST`` (an auth or CSRF check, a ``_method`` override), ``body``, ``json``,
``body_file`` (a webhook signature). WebOb reads it from ``wsgi.input``, a stream:
read once, it would be gone for the wrapped or mounted application. So when hooks
run before such an application, the middleware puts a :class:`ReplayableInput` in
front of ``wsgi.input``. It reads from the client only what is asked for and keeps
what was read (in memory up to 1 MiB, then in a temporary file); it tells WebOb the
body is seekable, so WebOb parses it from there instead of copying it. Before the
application is called the body is rewound: the application reads every byte, the
kept ones first, then straight from the client. A body nobody read is never kept:
the application then gets the server's own ``wsgi.input`` back. See
:doc:`/guides/middleware`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["ReplayableInput"]

#: What is kept in memory before it goes to a temporary file.
MEMORY_LIMIT = 1024 * 1024
_SEEKABLE = "webob.is_body_seekable"


class ReplayableInput:
    """``wsgi.input`` that keeps what is read of it, so that it can be read again.

    :param raw: the server's ``wsgi.input``.
    :param length: ``CONTENT_LENGTH`` (``None`` when unknown: read to the end, as a
        server that sets ``wsgi.input_terminated`` allows); more is never read.
    """

    __slots__ = ("_kept", "_left", "_pos", "_previous", "_raw", "_recording", "_size")

    def __init__(self, raw: Any, length: int | None) -> None:
        self._raw = raw
        self._left = length
        self._kept: IO[bytes] | None = None
        self._pos = 0  # the reader's position
        self._size = 0  # bytes kept
        self._recording = True
        self._previous: Any = None  # the environ's seekable flag before

    @classmethod
    def install(cls, environ: WSGIEnvironment) -> ReplayableInput:
        """Put one in front of ``environ["wsgi.input"]``."""
        try:
            length: int | None = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            length = None
        replay = cls(environ.get("wsgi.input"), length)
        replay._previous = environ.get(_SEEKABLE)
        environ["wsgi.input"] = replay
        environ[_SEEKABLE] = True  # WebOb reads it as it is, without a copy
        return replay

    # -- reading -------------------------------------------------------------------

    def _from_client(self, size: int, line: bool = False) -> bytes:
        """Up to ``size`` (``-1``: all) bytes from the client, never past the length."""
        raw, left = self._raw, self._left
        if raw is None:
            return b""
        if left is not None:
            size = left if size < 0 else min(size, left)
            if size <= 0:
                return b""
        if line:
            data: bytes = raw.readline(size) if size >= 0 else raw.readline()
        else:
            data = raw.read(size) if size >= 0 else raw.read()
        if left is not None:
            self._left = left - len(data)
        if data and self._recording:
            kept = self._kept
            if kept is None:
                kept = tempfile.SpooledTemporaryFile(max_size=MEMORY_LIMIT)  # noqa: SIM115
                self._kept = kept  # freed with the request (or by close())
            kept.seek(self._size)
            kept.write(data)
            self._size += len(data)
            self._pos = self._size
        return data

    def _from_kept(self, size: int, line: bool = False) -> bytes:
        if self._pos >= self._size or self._kept is None:
            return b""
        available = self._size - self._pos
        size = available if size < 0 else min(size, available)
        self._kept.seek(self._pos)
        data = self._kept.readline(size) if line else self._kept.read(size)
        self._pos += len(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        size = -1 if size is None else size
        data = self._from_kept(size)
        if size >= 0:
            if len(data) >= size:
                return data
            size -= len(data)
        if self._pos < self._size:  # a reader that did not start at the end
            return data
        return data + self._from_client(size)

    def readline(self, size: int | None = -1) -> bytes:
        size = -1 if size is None else size
        data = self._from_kept(size, line=True)
        if data.endswith(b"\n") or (size >= 0 and len(data) >= size):
            return data
        if self._pos < self._size:
            return data
        return data + self._from_client(size - len(data) if size >= 0 else -1, line=True)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    # -- seeking (within what was read) -------------------------------------------

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move within what was read; forward past it, the client's bytes are read
        (and kept) first."""
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            self._from_client(-1)  # the end: everything has to be read
            offset += self._size
        offset = max(0, offset)
        if offset > self._size:
            self._pos = self._size
            self._from_client(offset - self._size)
        self._pos = min(offset, self._size)
        return self._pos

    # -- handing over --------------------------------------------------------------

    def hand_over(self, environ: WSGIEnvironment) -> None:
        """Give the application the whole body from its start: what was kept, then
        the client's stream (no longer kept); the server's own stream back, as it
        was, when nothing was read."""
        if self._size == 0:
            environ["wsgi.input"] = self._raw
            previous = self._previous
            if previous is None:
                environ.pop(_SEEKABLE, None)
            else:
                environ[_SEEKABLE] = previous
            return
        self._pos = 0
        self._recording = False

    def close(self) -> None:
        """Free what was kept (called when the response's body is closed)."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None
            self._size = self._pos = 0
