"""The coercion rules: what a view's return value becomes.

One function, :func:`coerce`, decides what a return value means. A value is matched
by its type, following its method resolution order (a subclass of ``dict`` is JSON
too); an adapter registered for a type or a base class comes before the built-in
rule of that type, and an iterator is recognised by what it can do:

=====================================  ==============================================
return value                           response
=====================================  ==============================================
a :class:`webob.Response` (any         used as it is
subclass: Pyramid responses,
``webob.exc`` HTTP exceptions)
``str``                                ``200 OK``, ``text/html; charset=UTF-8``,
                                       UTF-8 encoded body
``bytes``, ``bytearray``,              ``200 OK``, ``text/html; charset=UTF-8``,
``memoryview``                         the raw bytes
an iterator or generator of            streamed: nothing is read before the server
``str``/``bytes``                      iterates, ``str`` chunks are UTF-8 encoded, no
                                       ``Content-Length``, ``close()`` closes the
                                       generator
``dict`` or ``list``                   ``application/json``, encoded eagerly
``(body, status)``,                    ``body`` coerced by these rules, then the
``(body, headers)``,                   status replaces its status and the headers
``(body, status, headers)``            are merged into its headers (see below)
a type registered with                 the adapter's result, coerced by these rules
:func:`response_adapter`
any other callable                     run as a WSGI application against the current
                                       request; a streaming body stays streaming
=====================================  ==============================================

Anything else -- ``None``, numbers, booleans, sets, tuple subclasses such as
namedtuples, tuples of the wrong length, ``(None, 404)`` -- is a :class:`TypeError`
whose message names the view, the type it returned and what it could have returned.

**Statuses** may be an ``int`` or :class:`http.HTTPStatus` (100-599), or a string
``"404"`` or ``"404 Custom Reason"``. ``None`` keeps the body's status. Anything else
(bool, float, bytes, out of range, control characters, non latin-1 reason) is a
:class:`ValueError`.

**Headers** may be a ``dict`` or any mapping (a value may be a list or tuple to give
the name several values), a list or tuple of ``(name, value)`` pairs, or WebOb
headers. For each name given, its values replace the body's values of that name (so
``Content-Type`` can be changed), except ``Set-Cookie``, whose values are always
added; a name given several times keeps all its values. Values that are not ``str``
are converted with ``str()``. Names must be made of letters, digits, ``-`` and
``_``, starting with a letter (not ``Status``, not ending in ``-`` or ``_``, as PEP
3333 validators require) and values latin-1 text without control characters, else
:class:`ValueError`. Hop-by-hop headers (``Connection``, ``Transfer-Encoding``,
``Keep-Alive``, ...) belong to the server and are refused. A ``Content-Length`` that
disagrees with a buffered body is refused; a streamed body given a
``Content-Length`` is counted, and one that turns out longer or shorter is aborted
(:class:`LengthChecked`). A response the view built itself is checked the same way.

When a tuple gives a status of 204 or 304 the body is dropped (a streaming body is
closed) together with ``Content-Type`` and ``Content-Length``: such responses have no
content. A 205 drops the body too but keeps ``Content-Type`` and announces
``Content-Length: 0`` (RFC 9110). A 1xx status drops the body and ``Content-Length``
but keeps ``Content-Type``, which PEP 3333 expects on every other response; such a
response is then refused where it leaves the library (:func:`refuse_interim`), as a
1xx cannot be a final response.

A WSGI application's status and headers are checked by the same rules.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import Context, copy_context
from logging import getLogger
from typing import TYPE_CHECKING, Any, overload

from webob import Response
from webob.util import status_generic_reasons, status_reasons

from .context import RequestState, current_state
from .jsoncodec import dumps
from .wsgi import call_application, close_iterable

if TYPE_CHECKING:
    from .typing import HeadersValue, ResponseReturnValue, StatusValue

__all__ = [
    "DEFAULT_STATE",
    "HTML",
    "JSON",
    "StreamingBody",
    "coerce",
    "coerce_parts",
    "drop_content",
    "is_headers",
    "make_response",
    "merge_headers",
    "new_response",
    "normalize_headers",
    "parse_status",
    "refuse_interim",
    "response_adapter",
]

log = getLogger("respond_mw")

HTML = "text/html; charset=UTF-8"
JSON = "application/json"

#: Used when coercing outside of a request (``make_response`` in a script or test).
DEFAULT_STATE = RequestState(None, "<no view>", HTML)

_new_object = object.__new__

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80
_repr.maxlevel = 3


def _short(value: object) -> str:
    """A short repr for error messages: bounded in length and nesting, never raising
    (a value nested 100,000 levels deep or with a failing ``__repr__`` is still named)."""
    try:
        return _repr.repr(value)
    except Exception:  # RecursionError, or a __repr__ that raises
        return f"<{type(value).__qualname__} object>"


def new_response(status: str, headerlist: list[tuple[str, str]], app_iter: Any) -> Response:
    """Build a :class:`webob.Response` from already valid parts, cheaply.

    Equivalent to ``Response(status=..., headerlist=..., app_iter=...)`` without the
    constructor's defaults and parsing; used on the hot path.
    """
    resp: Response = _new_object(Response)
    resp._status = status
    resp._headers = None
    resp._headerlist = headerlist
    resp._app_iter = app_iter
    resp.conditional_response = False
    return resp


# --------------------------------------------------------------------------- status


def _reason(code: int) -> str:
    reason: str = status_reasons.get(code) or status_generic_reasons[code // 100]
    return reason


_STATUS_LINES: dict[int, str] = {code: f"{code} {_reason(code)}" for code in range(100, 600)}
_FINAL_LINES = frozenset(line for code, line in _STATUS_LINES.items() if code >= 200)
#: The standard lines of the final statuses whose responses have content.
_CONTENT_LINES = frozenset(
    line for code, line in _STATUS_LINES.items() if code >= 200 and code not in (204, 205, 304)
)
_STATUS_RE = re.compile(r"([0-9]{3})(?: (.*))?", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_STATUS_HELP = (
    'an int or http.HTTPStatus from 100 to 599, or a str such as "404" or "404 Not Found"'
)


def parse_status(value: object) -> str:
    """Return the status line (``"404 Not Found"``) for a status given by a view.

    :raises ValueError: for anything but an int/HTTPStatus/str status from 100 to 599
        with a latin-1 reason phrase free of control characters.
    """
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        line = _STATUS_LINES.get(int(value))
        if line is None:
            raise ValueError(f"status {_short(value)} is out of range: it must be {_STATUS_HELP}")
        return line
    if isinstance(value, str):
        match = _STATUS_RE.fullmatch(value)
        if match is None:
            raise ValueError(f"status {_short(value)} is malformed: it must be {_STATUS_HELP}")
        code = int(match[1])
        if not 100 <= code <= 599:
            raise ValueError(f"status {_short(value)} is out of range: it must be {_STATUS_HELP}")
        reason = match[2]
        if reason is None or not reason.strip():
            return _STATUS_LINES[code]
        if _CONTROL.search(reason) or not _is_latin1(reason):
            raise ValueError(
                f"status {_short(value)} has a reason phrase with control or non latin-1 "
                "characters, which would corrupt the response"
            )
        return f"{code} {reason.strip()}"
    raise ValueError(
        f"status {_short(value)} ({type(value).__name__}) is not a valid status: "
        f"it must be {_STATUS_HELP}"
    )


# -------------------------------------------------------------------------- headers

#: Header names: a letter, then letters, digits, ``-`` and ``_`` -- the HTTP tokens that
#: PEP 3333 validators (``wsgiref.validate``) and every server accept.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


def _is_latin1(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


#: Header names found valid, so that the names an application uses again and again
#: (a few dozen, usually) are checked once; bounded, in case names come from requests.
_valid_names: set[str] = set()
_MAX_VALID_NAMES = 1024


def _header_name(name: object) -> str:
    if type(name) is str and name in _valid_names:
        return name
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        raise ValueError(
            f"header name {_short(name)} is not valid: it must be a str starting with a "
            "letter, made of letters, digits, '-' and '_' (no spaces, colons or control "
            "characters)"
        )
    lower = name.lower()
    if lower in HOP_BY_HOP:
        raise ValueError(
            f"header {name!r} is hop-by-hop: the server manages it, a WSGI application "
            "must not set it (PEP 3333)"
        )
    if lower == "status" or name[-1] in "-_":
        raise ValueError(
            f"header name {name!r} is not allowed in WSGI: it must not be 'Status' and "
            "must not end with '-' or '_' (PEP 3333)"
        )
    if type(name) is str and len(_valid_names) < _MAX_VALID_NAMES:
        _valid_names.add(name)
    return name


def _header_value(name: str, value: object) -> str:
    if type(value) is str and value.isascii() and value.isprintable():
        return value  # the usual value: ASCII without control characters
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, (bytes, bytearray, memoryview)):
        raise ValueError(
            f"header {name!r} has the value {_short(value)}: give a str (or a value whose "
            "str() is the header text, such as an int)"
        )
    else:
        try:
            text = str(value)
        except Exception:  # RecursionError, or a __str__ that raises
            raise ValueError(
                f"header {name!r} has the value {_short(value)}, whose str() failed"
            ) from None
    if _CONTROL.search(text):
        raise ValueError(
            f"header {name!r} has a value with CR, LF, NUL or another control character "
            f"({_short(text)}), which could split or corrupt the response"
        )
    if not _is_latin1(text):
        raise ValueError(
            f"header {name!r} has a value that is not latin-1 text ({_short(text)}); "
            "encode it first (for example with urllib.parse.quote)"
        )
    return text


def is_headers(value: object) -> bool:
    """Whether the second item of a 2-tuple means headers (else it is a status)."""
    cls = type(value)
    if cls is int or cls is str:  # the usual statuses, without the ABC check
        return False
    return isinstance(value, (Mapping, list, tuple)) or hasattr(value, "items")


def normalize_headers(headers: object) -> list[tuple[str, str]]:
    """Validate headers given by a view and return them as a list of pairs.

    :raises ValueError: for an invalid name or value, or a pair of the wrong length.
    :raises TypeError: when ``headers`` is not a mapping or a list/tuple of pairs.
    """
    pairs: list[tuple[str, str]] = []
    if type(headers) is not dict and isinstance(headers, (list, tuple)):
        for item in headers:
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise ValueError(
                    f"header item {_short(item)} is not a (name, value) pair; headers given as a "
                    "list or tuple must contain pairs"
                )
            name = _header_name(item[0])
            pairs.append((name, _header_value(name, item[1])))
        return pairs
    items = getattr(headers, "items", None)
    if items is None:
        raise TypeError(
            f"headers must be a dict, a mapping or a list of (name, value) pairs, "
            f"not {type(headers).__name__}"
        )
    for raw_name, value in items():
        name = _header_name(raw_name)
        if type(value) is not str and isinstance(value, (list, tuple)):
            pairs.extend((name, _header_value(name, v)) for v in value)
        else:
            pairs.append((name, _header_value(name, value)))
    return pairs


def _body_length(app_iter: Any) -> int | None:
    if type(app_iter) is list:
        return sum(len(chunk) for chunk in app_iter)
    return None


def _merged_headers(
    headerlist: list[tuple[str, str]], pairs: list[tuple[str, str]], body: Any
) -> list[tuple[str, str]]:
    """``headerlist`` with validated ``pairs`` merged in by the merge policy.

    Each name given replaces the values of that name in ``headerlist``, except
    ``Set-Cookie``, which is always added. A ``Content-Length`` given must agree with
    ``body`` when it is a list of chunks.

    :raises ValueError: for a ``Content-Length`` that disagrees with the body.
    """
    # Loops rather than comprehensions: this runs for every tuple with headers, and a
    # comprehension is a function call of its own before Python 3.12.
    replaced: set[str] = set()
    for name, _ in pairs:
        replaced.add(name.lower())
    replaced.discard("set-cookie")
    merged: list[tuple[str, str]] = []
    for item in headerlist:
        if item[0].lower() not in replaced:
            merged.append(item)
    merged.extend(pairs)
    if "content-length" in replaced:
        given = [v for n, v in pairs if n.lower() == "content-length"]
        actual = _body_length(body)
        if (
            len(given) > 1
            or not (given[0].isascii() and given[0].isdigit())
            or (actual is not None and int(given[0]) != actual)
        ):
            raise ValueError(
                f"Content-Length {', '.join(given)} disagrees with the body "
                f"({actual} bytes); leave Content-Length out and it is computed"
            )
    return merged


def merge_headers(resp: Response, pairs: list[tuple[str, str]]) -> None:
    """Merge validated header pairs into ``resp`` by the merge policy.

    Each name given replaces the response's values of that name, except
    ``Set-Cookie``, which is always added.
    """
    if pairs:
        # what the headerlist property sets, without its cost
        resp._headerlist = _merged_headers(resp._headerlist, pairs, resp._app_iter)
        resp._headers = None


_NO_CONTENT = frozenset({204, 304})


def drop_content(
    resp: Response, drop: tuple[str, ...] = ("content-type", "content-length")
) -> None:
    """Empty the body of ``resp`` (closing a streamed one) and remove the ``drop``
    headers (lower-case names): what a response without content must not carry."""
    old = resp._app_iter
    resp._app_iter = []
    if type(old) is not list:
        close = getattr(old, "close", None)
        if close is not None:
            close()
    resp.headerlist = [item for item in resp.headerlist if item[0].lower() not in drop]


# ------------------------------------------------------------------------ streaming


class StreamingBody:
    """The WSGI iterable of a streamed response.

    Each step of the view's iterator runs inside the context captured when the
    response was built (so :func:`~respond_mw.current_request` works), ``str`` chunks
    are UTF-8 encoded, and :meth:`close` closes the iterator explicitly -- also as
    soon as the iterator is exhausted.
    """

    __slots__ = ("_closed", "_context", "_iterator", "_view")

    def __init__(self, iterator: Iterator[Any], view: str, context: Context | None = None) -> None:
        self._iterator = iterator
        self._view = view
        self._context = context if context is not None else copy_context()
        self._closed = False

    def __iter__(self) -> StreamingBody:
        return self

    def __next__(self) -> bytes:
        try:
            chunk = self._context.run(next, self._iterator)
        except StopIteration:
            # Done: close now, for servers and frameworks that drop an iterable
            # without calling close() when it turns out empty (Bottle does).
            self.close()
            raise
        except Exception:
            log.exception("error while streaming the response of view %s", self._view)
            raise
        if type(chunk) is bytes:
            return chunk
        if isinstance(chunk, str):
            return chunk.encode("utf-8")
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            return bytes(chunk)
        error = TypeError(
            f"the generator returned by view {self._view} yielded "
            f"{type(chunk).__name__} ({_short(chunk)}); a streamed body may only yield "
            "str or bytes"
        )
        log.error("%s", error)
        raise error

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


class LengthChecked:
    """A streamed body whose ``Content-Length`` was given: the bytes are counted.

    A body longer or shorter than its ``Content-Length`` would let a client or a
    proxy misread where the response ends (a keep-alive connection would then mix
    two responses). Instead, the error is logged naming the view and raised before
    the excess chunk, or at the end of a short body: the server aborts the response
    and closes the connection. ``close()`` closes the wrapped body.
    """

    __slots__ = ("_body", "_expected", "_iterator", "_sent", "_view")

    def __init__(self, body: Iterable[bytes], expected: int, view: str) -> None:
        self._body = body
        self._iterator = iter(body)
        self._expected = expected
        self._sent = 0
        self._view = view

    def __iter__(self) -> LengthChecked:
        return self

    def _fail(self, problem: str) -> ValueError:
        error = ValueError(
            f"the streamed body of view {self._view} {problem} than its Content-Length "
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


def refuse_interim(resp: Response, view: str) -> None:
    """Refuse a final response with a 1xx status, closing its body.

    A client or proxy reads a 1xx as an interim response and waits for another one:
    on a keep-alive connection it would take the next response for this one's.
    Checked where a response leaves the library (:func:`~respond_mw.view`, routes,
    hooks and error handlers of :class:`~respond_mw.Middleware`, the Pyramid and
    Bottle integrations).

    :raises ValueError: naming ``view``.
    """
    if resp._status in _FINAL_LINES:  # the usual statuses, without parsing them
        return
    if resp.status_code < 200:
        close_iterable(resp.app_iter)
        raise ValueError(
            f"The view {view} answered {resp.status!r}: an interim (1xx) status cannot be "
            "the final response of a WSGI application"
        )


def _check_length(resp: Response, state: RequestState) -> None:
    """Refuse (list body) or count (streamed body) a ``Content-Length`` that may
    disagree with the body; bodiless responses (HEAD, 1xx, 204, 304) are exempt."""
    given = [v for n, v in resp._headerlist if n.lower() == "content-length"]
    if not given:
        return
    code = resp.status_code
    request = state.request
    if code < 200 or code in _NO_CONTENT or (request is not None and request.method == "HEAD"):
        return
    body = resp._app_iter
    valid = len(given) == 1 and given[0].isascii() and given[0].isdigit()
    if valid and type(body) is not list:
        resp._app_iter = LengthChecked(body, int(given[0]), state.view)
        return
    actual = _body_length(body)
    if not valid or actual != int(given[0]):
        close_iterable(body)
        raise ValueError(
            f"The view {state.view} returned a response whose Content-Length "
            f"({', '.join(given)}) disagrees with its body ({actual} bytes); leave "
            "Content-Length out and it is computed"
        )


# ------------------------------------------------------------------------ the rules

Handler = Callable[[Any, RequestState, int], Response]

_ALLOWED = (
    "a view may return a str, bytes, a dict or list (JSON), an iterator or generator "
    "of str/bytes (streamed), a webob.Response, a WSGI application, or a tuple "
    "(body, status), (body, headers) or (body, status, headers)"
)


def _describe(value: object) -> str:
    return f"{type(value).__qualname__} {_short(value)}"


def _reject(value: object, state: RequestState, *_: object) -> Response:
    if value is None:
        hint = " Did you forget a return statement?"
    elif isinstance(value, tuple) and type(value) is not tuple:
        hint = " Tuple subclasses (namedtuples, rows) are not unpacked: convert it to a dict."
    else:
        hint = " Register a response adapter to teach respond_mw this type."
    raise TypeError(
        f"The view {state.view} did not return a valid response: it returned "
        f"{_describe(value)}; {_ALLOWED}.{hint}"
    )


def _from_response(value: Response, state: RequestState, depth: int) -> Response:
    # A response the view built itself has not been through the checks above: a
    # status or header that would split the response (or that the server owns) is
    # refused here, naming the view, rather than reaching the server.
    try:
        parse_status(value.status)
        for item in value.headerlist:
            if len(item) != 2 or type(item[0]) is not str or type(item[1]) is not str:
                raise ValueError(f"header item {_short(item)} is not a (str, str) pair")
            _header_value(_header_name(item[0]), item[1])
    except (TypeError, ValueError) as exc:
        close_iterable(value.app_iter)
        raise ValueError(
            f"The view {state.view} returned a {type(value).__qualname__} with an "
            f"invalid status or header: {exc}"
        ) from None
    _check_length(value, state)
    return value


#: The status, header list and body of a response.
Parts = tuple[str, list[tuple[str, str]], Iterable[bytes]]


def _str_parts(value: str, state: RequestState) -> Parts:
    try:
        body = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"The view {state.view} returned a str that cannot be encoded as UTF-8 "
            f"(a lone surrogate?): {exc}"
        ) from None
    return "200 OK", [("Content-Type", state.text_type), ("Content-Length", str(len(body)))], [body]


def _bytes_parts(value: bytes | bytearray | memoryview, state: RequestState) -> Parts:
    body = bytes(value)
    return "200 OK", [("Content-Type", state.text_type), ("Content-Length", str(len(body)))], [body]


def _json_parts(value: Any, state: RequestState) -> Parts:
    try:
        body = dumps(value)
    except (TypeError, ValueError) as exc:
        error = TypeError if isinstance(exc, TypeError) else ValueError
        raise error(f"The view {state.view} returned a value that is not JSON: {exc}") from exc
    return "200 OK", [("Content-Type", JSON), ("Content-Length", str(len(body)))], [body]


def _from_str(value: str, state: RequestState, depth: int) -> Response:
    return new_response(*_str_parts(value, state))


def _from_bytes(value: bytes | bytearray | memoryview, state: RequestState, depth: int) -> Response:
    return new_response(*_bytes_parts(value, state))


def _from_json(value: Any, state: RequestState, depth: int) -> Response:
    return new_response(*_json_parts(value, state))


def _iterator_parts(value: Iterator[Any], state: RequestState) -> Parts:
    return "200 OK", [("Content-Type", state.text_type)], StreamingBody(value, state.view)


def _from_iterator(value: Iterator[Any], state: RequestState, depth: int) -> Response:
    return new_response(*_iterator_parts(value, state))


def _from_wsgi(value: Any, state: RequestState, depth: int) -> Response:
    if state.request is None:
        raise RuntimeError(
            f"The view {state.view} returned a WSGI application ({value!r}), which can only "
            "be run while a request is being handled"
        )
    status, headers, body = call_application(value, state.request.environ)
    try:
        line = parse_status(status)
        pairs = normalize_headers(headers)
    except (TypeError, ValueError) as exc:
        close_iterable(body)
        raise ValueError(
            f"The view {state.view} returned a WSGI application ({value!r:.60}) that "
            f"answered an invalid response: {exc}"
        ) from None
    resp = new_response(line, pairs, body)
    _check_length(resp, state)
    return resp


def _unpack_tuple(
    value: tuple[Any, ...], state: RequestState
) -> tuple[Any, str | None, list[tuple[str, str]] | None]:
    """The body of a tuple, its status line and its header pairs, validated."""
    size = len(value)
    if size == 3:
        body, status, headers = value
    elif size == 2:
        body, second = value
        if is_headers(second):
            status, headers = None, second
        else:
            status, headers = second, None
    else:
        raise TypeError(
            f"The view {state.view} returned a tuple of {size} items ({_short(value)}); a tuple "
            "must be (body, status), (body, headers) or (body, status, headers)"
        )
    if body is None or type(body) is tuple:
        raise TypeError(
            f"The view {state.view} returned a tuple whose body is {_describe(body)}; the "
            "first item of a (body, status, headers) tuple must itself be a valid return "
            "value (str, bytes, dict, list, iterator, response or WSGI application)"
        )
    try:
        line = None if status is None else parse_status(status)
        pairs = None if headers is None else normalize_headers(headers)
    except (TypeError, ValueError) as exc:
        # The body is abandoned: close what the view opened (a started generator, a
        # file, a response's body) now rather than whenever it is garbage collected.
        if isinstance(body, (Response, Iterator)):
            close_iterable(body.app_iter if isinstance(body, Response) else body)
        error = TypeError if isinstance(exc, TypeError) else ValueError
        raise error(f"The view {state.view} returned an invalid response: {exc}") from None
    return body, line, pairs


def _from_tuple(value: tuple[Any, ...], state: RequestState, depth: int) -> Response:
    body, line, pairs = _unpack_tuple(value, state)
    resp = _coerce(body, state, depth + 1)
    try:
        if line is not None:
            resp._status = line  # parse_status made it a valid status line already
        if pairs:
            merge_headers(resp, pairs)
    except ValueError as exc:
        drop_content(resp)
        raise _invalid_headers(exc, state) from None
    if pairs and type(resp._app_iter) is not list:
        _check_length(resp, state)
    if resp._status in _CONTENT_LINES:  # the usual statuses, without parsing them
        return resp
    code = int(resp._status[:3])
    if code in _NO_CONTENT:
        drop_content(resp)
    elif code == 205:
        # RFC 9110: a 205 has no content and says so with Content-Length: 0; PEP 3333
        # still wants its Content-Type.
        drop_content(resp, ("content-length",))
        resp._headerlist.append(("Content-Length", "0"))
    elif code < 200:
        # PEP 3333 (and wsgiref's validator) want a Content-Type on every response
        # but 204 and 304; a 1xx keeps it and loses its body.
        drop_content(resp, ("content-length",))
    return resp


def _invalid_headers(exc: ValueError, state: RequestState) -> ValueError:
    return ValueError(f"The view {state.view} returned an invalid response: {exc}")


def _tuple_parts(value: tuple[Any, ...], state: RequestState) -> Parts | None:
    """The parts of a tuple whose body has parts of its own (see :func:`coerce_parts`),
    when its status is a standard one with content and no ``Location`` is given (which
    sending a response makes absolute); ``None`` for any other tuple."""
    body_parts = _BODY_PARTS.get(_handlers.get(type(value[0]))) if value else None
    if body_parts is None:
        return None
    body, line, pairs = _unpack_tuple(value, state)
    if line is not None and line not in _CONTENT_LINES:
        return None  # a 1xx, 204, 205, 304 or a reason of its own: _from_tuple decides
    status, headerlist, chunks = body_parts(body, state)
    if pairs:
        for name, _ in pairs:
            if name.lower() == "location":
                return None
        try:
            headerlist = _merged_headers(headerlist, pairs, chunks)
        except ValueError as exc:
            raise _invalid_headers(exc, state) from None
    return line or status, headerlist, chunks


_BUILTIN: dict[type, Handler] = {
    Response: _from_response,
    str: _from_str,
    bytes: _from_bytes,
    bytearray: _from_bytes,
    memoryview: _from_bytes,
    dict: _from_json,
    list: _from_json,
    tuple: _from_tuple,
}
_adapters: dict[type, Callable[[Any], Any]] = {}
_handlers: dict[type, Handler] = {}


def _adapter_handler(adapter: Callable[[Any], Any]) -> Handler:
    def handle(value: Any, state: RequestState, depth: int) -> Response:
        return _coerce(adapter(value), state, depth + 1)

    return handle


#: Rules for types that are recognised by what they can do rather than by their class
#: (checked with ``issubclass`` in order, after the classes above).
_PROTOCOLS: list[tuple[type, Handler]] = [(Iterator, _from_iterator)]


def register_rule(cls: type, handler: Handler, *, protocol: bool = False) -> None:
    """Add a built-in rule: ``handler(value, state, depth)`` for values of ``cls``.

    With ``protocol=True``, ``cls`` is an abstract base class checked with
    ``issubclass`` before the iterator rule (for example async iterators). Used by the
    library's own modules; applications use :func:`response_adapter`.
    """
    if protocol:
        _PROTOCOLS.insert(len(_PROTOCOLS) - 1, (cls, handler))
    else:
        _BUILTIN[cls] = handler
    _handlers.clear()


def _find_handler(cls: type) -> Handler:
    for klass in cls.__mro__:
        adapter = _adapters.get(klass)
        if adapter is not None:
            return _adapter_handler(adapter)
        handler = _BUILTIN.get(klass)
        if handler is not None:
            if klass is tuple and cls is not tuple:
                return _reject  # only exact tuples are unpacked
            return handler
    for protocol, handler in _PROTOCOLS:
        if issubclass(cls, protocol):
            return handler
    if any("__call__" in vars(klass) for klass in cls.__mro__):
        return _from_wsgi  # functions, callable objects: WSGI applications
    return _reject


_MAX_DEPTH = 16


def _coerce(value: Any, state: RequestState, depth: int) -> Response:
    if depth > _MAX_DEPTH:
        raise TypeError(
            f"The view {state.view} returned {_describe(value)}, which response adapters "
            f"kept converting more than {_MAX_DEPTH} times; an adapter must eventually "
            "return a value the rules accept"
        )
    cls = type(value)
    handler = _handlers.get(cls)
    if handler is None:
        handler = _handlers[cls] = _find_handler(cls)
    return handler(value, state, depth)


#: The rules that build a fresh ``200`` response from scratch, by their parts.
_BODY_PARTS: dict[Handler | None, Callable[[Any, RequestState], Parts]] = {
    _from_str: _str_parts,
    _from_bytes: _bytes_parts,
    _from_json: _json_parts,
}
#: ... and the tuples of one of those with a usual status (which may decline), and
#: streamed iterators (not in a tuple: a Content-Length given there must be counted).
_PARTS: dict[Handler | None, Callable[[Any, RequestState], Parts | None]] = {
    **_BODY_PARTS,
    _from_tuple: _tuple_parts,
    _from_iterator: _iterator_parts,
}


def coerce_parts(value: Any, state: RequestState) -> Parts | None:
    """``(status, headerlist, body)`` of the response :func:`coerce` would build, for
    values whose rule builds a fresh response from scratch (``str``, ``bytes``,
    ``dict``, ``list``, iterators, and tuples of ``str``, ``bytes``, ``dict`` or
    ``list`` with a standard status that has content and no ``Location`` -- unless an
    adapter overrides their rule, and once their type has been coerced before);
    ``None`` for any other value.

    The hot paths of :func:`~respond_mw.view` and :class:`~respond_mw.Middleware`
    use it to skip building a :class:`webob.Response` they would only take apart
    again; they answer ``HEAD`` with :func:`~respond_mw.wsgi.head_body`.
    """
    parts = _PARTS.get(_handlers.get(type(value)))
    return None if parts is None else parts(value, state)


def coerce(value: Any, state: RequestState | None = None) -> Response:
    """Turn a view's return value into a :class:`webob.Response` by the rules above.

    :param value: what the view returned.
    :param state: the request being handled (for the view name in error messages,
        the text content type and the WSGI-application rule); defaults to the current
        one.
    :raises TypeError: for a value no rule accepts.
    :raises ValueError: for a malformed status, header or JSON value.
    :raises RuntimeError: for a WSGI application outside of a request (there is no
        request to run it against).

    .. versionadded:: 0.1.0
    """
    if state is None:
        state = current_state() or DEFAULT_STATE
    return _coerce(value, state, 0)


@overload
def make_response() -> Response: ...
@overload
def make_response(value: ResponseReturnValue | object, /) -> Response: ...
@overload
def make_response(
    body: object, status_or_headers: StatusValue | HeadersValue | None, /
) -> Response: ...
@overload
def make_response(
    body: object, status: StatusValue | None, headers: HeadersValue | None, /
) -> Response: ...


def make_response(*args: Any) -> Response:
    """Turn view return values into a :class:`webob.Response` the view can change.

    Follows the calling convention of Flask's ``make_response``:

    * ``make_response()`` -- an empty ``200 OK`` response;
    * ``make_response(value)`` -- ``value`` coerced by the rules;
    * ``make_response(body, status)``, ``make_response(body, headers)``,
      ``make_response(body, status, headers)`` -- as the tuple forms.

    .. versionadded:: 0.1.0
    """
    if not args:
        args = ("",)
    value = args[0] if len(args) == 1 else args
    return coerce(value)


def response_adapter(*types: type) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Teach the rules a new type: decorate a function that converts it.

    The function receives the returned object and returns any value the rules
    accept (which is coerced in turn)::

        @response_adapter(User)
        def user_as_json(user):
            return {"id": user.id, "name": user.name}

    Lookup follows the method resolution order of the returned object's type (an
    adapter for a base class applies to its subclasses, the most specific wins) and
    is cached per type, so it costs nothing per request.

    .. versionadded:: 0.1.0
    """
    if not types or not all(isinstance(t, type) for t in types):
        raise TypeError(
            f"response_adapter() takes one or more classes, as in @response_adapter(User); "
            f"got {_short(types)}"
        )

    def register(adapter: Callable[[Any], Any]) -> Callable[[Any], Any]:
        for cls in types:
            _adapters[cls] = adapter
        _handlers.clear()
        return adapter

    return register


def remove_response_adapter(cls: type) -> None:
    """Forget the adapter registered for ``cls`` (mostly useful in tests).

    .. versionadded:: 0.1.0
    """
    _adapters.pop(cls, None)
    _handlers.clear()
