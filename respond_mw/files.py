"""File responses: a view returns an open binary file or a :class:`pathlib.Path`.

::

    @view
    def report():
        return Path("/srv/reports/latest.pdf")

    @view
    def avatar(request):
        return open(avatar_path(request), "rb"), {"Cache-Control": "max-age=3600"}

The file is served as a streamed response:

* ``Content-Type`` guessed from the file name (``application/octet-stream`` when
  unknown; ``charset=UTF-8`` added to textual types) -- a tuple's headers override it;
* ``Content-Length``, and ``Accept-Ranges: bytes``, when the file is seekable (the
  body is what lies between the file's current position and its end);
* ``Last-Modified`` and a strong ``ETag`` (built from the modification time and size)
  for files on disk;
* the server's ``wsgi.file_wrapper`` (waitress and gunicorn offer one) is used when
  the response is served, otherwise the file is read in blocks of 64 KiB;
* the file is closed once the response has been sent (or dropped).

For ``GET`` and ``HEAD`` requests, the preconditions are evaluated in the order of
RFC 9110 13.2.2: an ``If-Match`` (strong comparison) or else ``If-Unmodified-Since``
that rules the file out is answered ``412 Precondition Failed``; an
``If-None-Match`` (or else ``If-Modified-Since``) that matches, ``304 Not Modified``;
a single ``Range: bytes=...`` on a ``GET`` with ``206 Partial Content`` (subject to
``If-Range``), an unsatisfiable one with ``416 Range Not Satisfiable`` and
``Content-Range: bytes */size``. Several ranges, or a malformed ``Range`` (positions
that are not ASCII digits), are ignored and the whole file is sent. Dates are read
in the three formats of RFC 9110 5.6.7, all GMT; an invalid date is ignored. See
:doc:`/files`.

A missing path raises :class:`webob.exc.HTTPNotFound` (a ``404``), an unreadable one
:class:`webob.exc.HTTPForbidden`. A directory or another non-regular file is a
:class:`ValueError` naming the view, a file opened in text mode a :class:`TypeError`.

.. warning::

   A view must never build a :class:`~pathlib.Path` from raw user input
   (``Path("/srv/files") / request.params["name"]``): ``..`` segments, absolute paths
   and symbolic links would let a client read any file the process can read. Serve
   user-chosen names with :func:`send_from_directory`, which confines them to a base
   directory.
"""

from __future__ import annotations

import errno
import functools
import io
import mimetypes
import os
import stat
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from webob import Response
from webob.exc import HTTPForbidden, HTTPNotFound

from .bodies import FileBody
from .conditional import etag_matches, listed_etags
from .context import RequestState
from .responses import Parts, new_response, text_content_type
from .rules import coerce, register_rule

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["FileBody", "safe_join", "send_from_directory"]

# ----------------------------------------------------------------- HTTP conditions


@functools.lru_cache(maxsize=1024)
def _http_date(seconds: int) -> str:
    """The HTTP date of a whole number of seconds (the files served again and again
    have the same modification times)."""
    return formatdate(seconds, usegmt=True)


def _parse_date(value: str) -> int | None:
    """The seconds since the epoch of an HTTP date, in any of its three formats
    (RFC 9110 5.6.7: IMF-fixdate, RFC 850, asctime), all of them GMT; ``None`` for
    anything else."""
    try:
        date = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if date.tzinfo is None:  # asctime has no zone: it is GMT, not the server's zone
        date = date.replace(tzinfo=UTC)
    try:
        return int(date.timestamp())
    except (ValueError, OverflowError):
        return None


@functools.lru_cache(maxsize=1024)
def _etag(mtime_ns: int, size: int, position: int) -> str:
    """The strong ETag of a file's body: its modification time, size and the position
    the body starts at (when not 0), in hexadecimal."""
    return f'"{mtime_ns:x}-{size:x}' + (f"-{position:x}" if position else "") + '"'


def _precondition_failed(environ: WSGIEnvironment, etag: str | None, mtime: int | None) -> bool:
    """Whether ``If-Match`` (strong comparison) or, without it, ``If-Unmodified-Since``
    rules the file out (RFC 9110 13.1.1, 13.1.4, evaluated in the order of 13.2.2)."""
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        if if_match.strip() == "*":
            return False
        return etag is None or etag.startswith("W/") or etag not in listed_etags(if_match)
    since = environ.get("HTTP_IF_UNMODIFIED_SINCE")
    if since and mtime is not None:
        date = _parse_date(since)
        return date is not None and mtime > date  # an invalid date is ignored
    return False


def _not_modified(environ: WSGIEnvironment, etag: str | None, mtime: int | None) -> bool:
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
        return etag is not None and etag_matches(if_none_match, etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and mtime is not None:
        date = _parse_date(since)
        return date is not None and mtime <= date
    return False


_UNSATISFIABLE = (-1, -1)


def _position(text: str) -> tuple[int, str] | None:
    """A range position as ``(digits, text without leading zeros)`` -- which order
    as the numbers do, however long -- or ``None`` if it is not ASCII digits."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    text = text.lstrip("0") or "0"
    return len(text), text


#: Longer positions are past the end of any file (and int() refuses 4,300 digits).
_HUGE_DIGITS = 19


def _value(position: tuple[int, str]) -> int | None:
    return int(position[1]) if position[0] < _HUGE_DIGITS else None


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """Parse a ``Range`` header for a body of ``size`` bytes.

    Returns ``(first, last)`` (inclusive) for one satisfiable byte range, ``(-1, -1)``
    for an unsatisfiable one, and ``None`` for anything to ignore (another unit,
    several ranges, malformed: positions that are not ASCII digits). Positions of any
    length are read: one past the end of the body is clamped or unsatisfiable, as
    RFC 9110 14.1.2 says.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash:
        return None
    first = _position(first_text)
    last = _position(last_text)
    if (first is None and first_text) or (last is None and last_text):
        return None  # not ASCII digits
    if first is None and last is None:
        return None
    if first is None and last is not None:  # suffix: the last N bytes
        suffix = _value(last)
        if suffix == 0 or size == 0:
            return _UNSATISFIABLE
        return (0 if suffix is None else max(0, size - suffix)), size - 1
    assert first is not None
    if last is not None and last < first:
        return None  # invalid: ignored
    start = _value(first)
    if start is None or start >= size:
        return _UNSATISFIABLE
    end = size - 1 if last is None else _value(last)
    return start, size - 1 if end is None else min(end, size - 1)


def _if_range_allows(environ: WSGIEnvironment, etag: str | None, mtime: int | None) -> bool:
    if_range = environ.get("HTTP_IF_RANGE")
    if not if_range:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):  # strong comparison: weak tags never match
        return etag is not None and if_range == etag and not etag.startswith("W/")
    return mtime is not None and _parse_date(if_range) == mtime


# ------------------------------------------------------------------- the responses


def _content_type(name: object) -> str:
    if type(name) is str:
        return _type_of_name(name)
    if isinstance(name, (str, os.PathLike)):
        text = os.fspath(name)
        if isinstance(text, str):
            return _type_of_name(text)
    return "application/octet-stream"


@functools.lru_cache(maxsize=1024)
def _type_of_name(name: str) -> str:
    """The type of a file named ``name`` (the files served again and again have the
    same names)."""
    base = os.path.basename(name)
    dot = base.find(".")
    return _type_of_suffixes("" if dot < 0 else base[dot:])


@functools.lru_cache(maxsize=1024)
def _type_of_suffixes(suffixes: str) -> str:
    """The type of a file name ending in ``suffixes`` (what follows the first dot of
    its base name): :func:`mimetypes.guess_type` reads nothing else."""
    guessed, _ = mimetypes.guess_type("file" + suffixes)
    return "application/octet-stream" if guessed is None else text_content_type(guessed)


def _extent(file: IO[bytes]) -> tuple[int, int] | None:
    """``(position, bytes left)`` of a seekable file, else ``None``."""
    try:
        if not file.seekable():
            return None
        position = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(position)
    except (OSError, ValueError):
        return None
    return position, max(0, end - position)


def _empty(status: str, headers: list[tuple[str, str]]) -> Response:
    return new_response(status, headers, [])


def file_response(
    file: IO[bytes],
    state: RequestState,
    st: os.stat_result | None = None,
    fresh: bool = False,
    conditions: bool = True,
) -> Response:
    """Build the response serving the open binary ``file`` for the request of ``state``.

    ``st`` is the file's :func:`os.stat` result, when known (it gives
    ``Last-Modified`` and ``ETag``); ``fresh``: the file was just opened, so its body
    is all of it (no seeking to find out); ``conditions``: answer the request's
    preconditions and ``Range`` (else the whole file, always). The file is closed by
    the response.
    """
    try:
        return _file_response(file, state, st, fresh, conditions)
    except BaseException:
        file.close()
        raise


def _file_response(
    file: IO[bytes], state: RequestState, st: os.stat_result | None, fresh: bool, conditions: bool
) -> Response:
    if st is None:
        try:
            fstat = os.fstat(file.fileno())
        except (OSError, AttributeError, ValueError):
            fstat = None
        if fstat is not None and stat.S_ISREG(fstat.st_mode):
            st = fstat
    extent = (0, st.st_size) if fresh and st is not None else _extent(file)
    disk_size = st.st_size if st is not None else None
    headers = [("Content-Type", _content_type(getattr(file, "name", None)))]
    etag = mtime = None
    if st is not None:
        mtime = int(st.st_mtime)
        position = extent[0] if extent else 0
        etag = _etag(st.st_mtime_ns, st.st_size, position)
        headers.append(("Last-Modified", _http_date(mtime)))
        headers.append(("ETag", etag))
    if extent is None:  # not seekable: streamed as it comes
        return new_response("200 OK", headers, FileBody(file))
    start, size = extent
    headers.append(("Accept-Ranges", "bytes"))
    # the environ, without building a request for it (a view that never asked)
    environ = state.environ if conditions else None
    if environ is None and conditions and state.request is not None:
        environ = state.request.environ
    method = None if environ is None else environ.get("REQUEST_METHOD")
    if environ is not None and method in ("GET", "HEAD"):
        if _precondition_failed(environ, etag, mtime):
            file.close()
            return _empty(
                "412 Precondition Failed",
                [("Content-Type", "application/octet-stream"), ("Content-Length", "0")],
            )
        if _not_modified(environ, etag, mtime):
            file.close()
            kept = [(k, v) for k, v in headers if k in ("ETag", "Last-Modified")]
            return _empty("304 Not Modified", kept)
        header = environ.get("HTTP_RANGE")
        if method == "GET" and header and _if_range_allows(environ, etag, mtime):
            wanted = parse_range(header, size)
            if wanted == _UNSATISFIABLE:
                file.close()
                return _empty(
                    "416 Range Not Satisfiable",
                    [
                        ("Content-Type", "application/octet-stream"),
                        ("Content-Range", f"bytes */{size}"),
                        ("Content-Length", "0"),
                    ],
                )
            if wanted is not None:
                first, last = wanted
                length = last - first + 1
                file.seek(start + first)
                headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
                headers.append(("Content-Length", str(length)))
                return new_response(
                    "206 Partial Content",
                    headers,
                    FileBody(file, start + first, length, disk_size=disk_size),
                )
    headers.append(("Content-Length", str(size)))
    return new_response("200 OK", headers, FileBody(file, start, size, disk_size=disk_size))


def _from_file(value: IO[Any], state: RequestState, depth: int) -> Response:
    return _serve_file(value, state, True)


def _whole_file(value: IO[Any], state: RequestState, depth: int) -> Response:
    return _serve_file(value, state, False)


def _serve_file(value: IO[Any], state: RequestState, conditions: bool) -> Response:
    if isinstance(value, io.TextIOBase):
        raise TypeError(
            f"The view {state.view} returned a file opened in text mode ({value!r:.80}); "
            "open it in binary mode ('rb'), or return its text as a str"
        )
    if value.closed:
        raise ValueError(f"The view {state.view} returned a closed file ({value!r:.80})")
    if not value.readable():
        value.close()
        raise TypeError(
            f"The view {state.view} returned a file that is not open for reading "
            f"({value!r:.80}); open it with mode 'rb'"
        )
    return file_response(value, state, conditions=conditions)


#: What opening a path a client named can fail with that means "there is no such file":
#: a name too long for the file system, a loop of symbolic links.
_NOT_FOUND_ERRORS = frozenset({errno.ENAMETOOLONG, errno.ELOOP})


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _open_nonblocking(path: str, flags: int) -> int:
    """Open without blocking: opening a FIFO must not hang the thread (it is refused
    once open, as not a regular file)."""
    return os.open(path, flags | _NONBLOCK)


def _open(path: Path, state: RequestState) -> tuple[IO[bytes], os.stat_result]:
    try:
        file = open(path, "rb", opener=_open_nonblocking)  # noqa: SIM115
    except (FileNotFoundError, NotADirectoryError):
        raise HTTPNotFound() from None
    except IsADirectoryError:
        file = None
    except PermissionError:
        if not path.is_dir():
            raise HTTPForbidden() from None
        file = None
    except OSError as error:
        if error.errno not in _NOT_FOUND_ERRORS:
            raise
        raise HTTPNotFound() from None
    if file is None:
        raise ValueError(
            f"The view {state.view} returned the path of a directory ({path}); return the "
            "path of a file, or use respond_mw.send_from_directory()"
        )
    st = os.fstat(file.fileno())
    if not stat.S_ISREG(st.st_mode):
        file.close()
        raise ValueError(
            f"The view {state.view} returned the path of something that is not a regular "
            f"file ({path}); only regular files can be served"
        )
    return file, st


def _from_path(value: Path, state: RequestState, depth: int) -> Response:
    file, st = _open(value, state)
    return file_response(file, state, st, fresh=True)


def _whole_path(value: Path, state: RequestState, depth: int) -> Response:
    file, st = _open(value, state)
    return file_response(file, state, st, fresh=True, conditions=False)


# ----------------------------------------------------------------- safe directories


def safe_join(directory: str | os.PathLike[str], untrusted: str) -> Path | None:
    """Join ``untrusted`` (a relative path from a client) to ``directory``, safely.

    Returns the resolved path, or ``None`` when ``untrusted`` is empty, contains a
    NUL, a backslash or a ``..`` segment, is absolute, or resolves (through symbolic
    links) to a place outside ``directory``. The path may not exist.

    :raises TypeError: when ``untrusted`` is not a ``str`` (such as a
        :class:`~pathlib.Path`: pass the text as the client sent it).

    .. versionadded:: 0.1.0
    """
    if not untrusted:
        return None
    if not isinstance(untrusted, str):
        raise TypeError(
            f"safe_join() takes the untrusted path as a str, not {type(untrusted).__name__} "
            f"({untrusted!r:.80})"
        )
    if "\x00" in untrusted or "\\" in untrusted:
        return None
    if untrusted.startswith("/") or os.path.isabs(untrusted) or os.path.splitdrive(untrusted)[0]:
        return None
    parts = untrusted.split("/")
    if ".." in parts:
        return None
    base = Path(os.path.realpath(directory))
    candidate = Path(os.path.realpath(base.joinpath(*parts)))
    if candidate != base and base not in candidate.parents:
        return None
    return candidate


def send_from_directory(directory: str | os.PathLike[str], path: str) -> Response:
    """Serve the file ``path`` (untrusted, e.g. from the URL) found under ``directory``.

    ::

        @app.route("/static/<path:name>")
        def static(name):
            return send_from_directory("/srv/static", name)

    Anything that is not a regular file inside ``directory`` -- missing, a directory,
    ``..`` segments, absolute paths, NUL characters, symbolic links leading outside --
    raises :class:`webob.exc.HTTPNotFound`. The response has all the features of a
    file response (``Range``, ``304``, ``wsgi.file_wrapper``); it is built for the
    current request (see :func:`~respond_mw.current_request`).

    .. versionadded:: 0.1.0
    """
    target = safe_join(directory, path)
    try:
        found = target is not None and target.is_file()
    except OSError:  # a name too long for the file system (ENAMETOOLONG), ...
        found = False
    if not found:
        raise HTTPNotFound()
    return coerce(target)


def _path_parts(value: Path, state: RequestState) -> Parts:
    """The parts of a file response: its headers are the file rule's own, valid and
    true (``Content-Length`` the size of its window), as the egress would send them."""
    response: Any = _from_path(value, state, 0)  # WebOb's own fields, read directly
    return response._status, response._headerlist, response._app_iter


register_rule(Path, _from_path, parts=_path_parts, whole=_whole_path)
register_rule(io.IOBase, _from_file, protocol=True, whole=_whole_file)
