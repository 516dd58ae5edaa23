"""The coercion rules: what a view's return value becomes.

One function, :func:`coerce`, decides what a return value means. A value is matched
by its type, following its method resolution order (a subclass of ``dict`` is JSON
too); an adapter registered for a type or a base class comes before the built-in
rule of that type, and an iterator is recognised by what it can do. This table
lists every rule, wherever it is registered:

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
``dict`` or ``list``                   ``application/json``, encoded eagerly
                                       (:mod:`respond_mw.jsoncodec`)
a pydantic (v2) model, an attrs        ``application/json`` like a ``dict``: the
instance, a msgspec ``Struct``         library's own JSON-ready dump, encoded eagerly
``(body, status)``,                    ``body`` coerced by these rules, then the
``(body, headers)``,                   status replaces its status and the headers
``(body, status, headers)``            are merged into its headers (see below)
a type registered with                 the adapter's result, coerced by these rules
:func:`response_adapter`
a :class:`pathlib.Path`                the file, with ``Content-Length``,
                                       ``ETag``, ``Last-Modified``, ranges and
                                       ``304`` (:mod:`respond_mw.files`)
an open binary file                    the same, from its current position
a coroutine (an ``async def`` view)    run to completion, its result coerced
                                       (:mod:`respond_mw.aio`)
an async iterator or generator         streamed like an iterator, each step run on
                                       an event loop (:mod:`respond_mw.aio`)
an iterator or generator of            streamed: only the first chunk is taken
``str``/``bytes``                      before the status is committed (an error
                                       before it is the view's), ``str`` chunks
                                       UTF-8 encoded, no ``Content-Length``,
                                       ``close()`` closes the generator
any other callable                     run as a WSGI application against the current
                                       request (its body from the start, when the
                                       view read it); a streaming body stays
                                       streaming
=====================================  ==============================================

Anything else -- ``None``, numbers, booleans, sets, tuple subclasses such as
namedtuples, tuples of the wrong length, ``(None, 404)`` -- is a :class:`TypeError`
whose message names the view, the type it returned and what it could have returned.

**Statuses** may be an ``int`` or :class:`http.HTTPStatus` (100-599), or a string
``"404"`` or ``"404 Custom Reason"``. ``None`` keeps the body's status. Anything else
(bool, float, bytes, out of range, control characters, non latin-1 reason) is a
:class:`ValueError` (:func:`~respond_mw.headers.parse_status`).

**Headers** may be a ``dict`` or any mapping (a value may be a list or tuple to give
the name several values), a list or tuple of ``(name, value)`` pairs, or WebOb
headers. For each name given, its values replace the body's values of that name (so
``Content-Type`` can be changed), except ``Set-Cookie``, whose values are always
added; a name given several times keeps all its values. Values that are not ``str``
are converted with ``str()``. Names must be made of letters, digits, ``-`` and
``_``, starting with a letter (not ``Status``, not ending in ``-`` or ``_``, as PEP
3333 validators require) and values latin-1 text without control characters, else
:class:`ValueError`. Hop-by-hop headers (``Connection``, ``Transfer-Encoding``,
``Keep-Alive``, ...) belong to the server and are refused
(:func:`~respond_mw.headers.normalize_headers`).

**What goes out** is decided by the status and the request, wherever the response
came from, in :mod:`respond_mw.egress`: a ``204`` or ``304`` has no body,
``Content-Type`` or ``Content-Length``; a ``205`` no body and ``Content-Length: 0``; a
``1xx`` cannot be a final response and is refused; ``HEAD`` gets ``GET``'s headers
and no body; a ``Content-Length`` that disagrees with a buffered body is refused and
one given to a streamed body is counted. A response the view built itself, a WSGI
application's answer and an error page are checked there the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast, overload

from webob import Response

from .bodies import LazyStream, StreamingBody
from .context import RequestState, current_state
from .headers import (
    CONTENT_LINES,
    is_headers,
    merge_headers,
    merged_headers,
    normalize_headers,
    parse_status,
    short,
)
from .jsoncodec import JSONModel, dumps
from .responses import HTML, JSON, Parts, new_response
from .wsgi import call_application, close_iterable

if TYPE_CHECKING:
    from .typing import HeadersValue, ResponseReturnValue, StatusValue

__all__ = [
    "ADAPTERS",
    "DEFAULT_STATE",
    "Handler",
    "coerce",
    "coerce_inner",
    "coerce_parts",
    "forget_handlers",
    "make_response",
    "register_rule",
]

#: Used when coercing outside of a request (``make_response`` in a script or test).
DEFAULT_STATE = RequestState(None, "<no view>", HTML)


# ------------------------------------------------------------------------ the rules

Handler = Callable[[Any, RequestState, int], Response]

_ALLOWED = (
    "a view may return a str, bytes, a dict or list (JSON), an iterator or generator "
    "of str/bytes (streamed), a webob.Response, a WSGI application, or a tuple "
    "(body, status), (body, headers) or (body, status, headers)"
)


def _describe(value: object) -> str:
    return f"{type(value).__qualname__} {short(value)}"


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
    return value  # checked where it leaves (respond_mw.egress), like every response


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
    body = StreamingBody(value, state.view)
    if type(value) is not LazyStream:
        body.peek()  # an error before the first chunk is answered as any other
    return "200 OK", [("Content-Type", state.text_type)], body


def _from_iterator(value: Iterator[Any], state: RequestState, depth: int) -> Response:
    return new_response(*_iterator_parts(value, state))


def _from_wsgi(value: Any, state: RequestState, depth: int) -> Response:
    if state.request is None:
        raise RuntimeError(
            f"The view {state.view} returned a WSGI application ({value!r}), which can only "
            "be run while a request is being handled"
        )
    environ = state.request.environ
    if environ.get("webob.is_body_seekable"):  # the view read the body through WebOb:
        environ["wsgi.input"].seek(0)  # the application reads it from its start
    status, headers, body = call_application(value, environ)
    return new_response(status, headers, body)


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
            f"The view {state.view} returned a tuple of {size} items ({short(value)}); a tuple "
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
    whole = None if line is None else _WHOLE.get(_handler(type(body)))
    if whole is not None and line is not None and line[:3] != "200":
        # another status than the rule's own 200: the whole body, the request's
        # conditions (If-None-Match, Range) are not the rule's to answer
        resp: Any = whole(body, state, depth + 1)  # Any: WebOb's own _status is set
        resp._status = line
    else:
        resp = coerce_inner(body, state, depth + 1)
        # parse_status made the line a valid status already; a rule that answered the
        # request's conditions (a file's 304, 206, 412 or 416) keeps its answer
        if line is not None and (whole is None or resp._status[:3] == "200"):
            resp._status = line
    if pairs:
        merge_headers(resp, pairs)
    return cast(Response, resp)


def _tuple_parts(value: tuple[Any, ...], state: RequestState) -> Parts | None:
    """The parts of a tuple whose body has parts of its own (see :func:`coerce_parts`),
    when its status is a standard one with content and it gives no ``Location`` or
    ``Content-Length`` (which the egress completes or checks); ``None`` for any other
    tuple."""
    if not value:
        return None
    handler = _handlers.get(type(value[0]))
    if handler is None:  # not seen yet: found and cached, as coerce() would
        handler = _handler(type(value[0]))
    body_parts = _BODY_PARTS.get(handler)
    if body_parts is None:
        return None
    body, line, pairs = _unpack_tuple(value, state)
    if line is not None and line not in CONTENT_LINES:
        return None  # a 1xx, 204, 205, 304 or a reason of its own: the egress decides
    status, headerlist, chunks = body_parts(body, state)
    if pairs:
        for name, _ in pairs:
            if name.lower() in _EGRESS_HEADERS:
                return None
        headerlist = merged_headers(headerlist, pairs)
    return line or status, headerlist, chunks


#: Headers the egress completes or checks against the body: a tuple giving one takes
#: the general path.
_EGRESS_HEADERS = frozenset({"location", "content-length"})


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
#: The adapters of :func:`~respond_mw.response_adapter`, by class (respond_mw.adapters).
ADAPTERS: dict[type, Callable[[Any], Any]] = {}
_handlers: dict[type, Handler] = {}


def forget_handlers() -> None:
    """Forget the rule found for each type, after a rule or adapter changed."""
    _handlers.clear()


def _adapter_handler(adapter: Callable[[Any], Any]) -> Handler:
    def handle(value: Any, state: RequestState, depth: int) -> Response:
        return coerce_inner(adapter(value), state, depth + 1)

    return handle


#: Rules for types that are recognised by what they can do rather than by their class
#: (checked with ``issubclass`` in order, after the classes above).
_PROTOCOLS: list[tuple[type, Handler]] = [(JSONModel, _from_json), (Iterator, _from_iterator)]


def register_rule(
    cls: type,
    handler: Handler,
    *,
    protocol: bool = False,
    parts: Callable[[Any, RequestState], Parts | None] | None = None,
    whole: Handler | None = None,
) -> None:
    """Add a built-in rule: ``handler(value, state, depth)`` for values of ``cls``.

    With ``protocol=True``, ``cls`` is an abstract base class checked with
    ``issubclass`` before the iterator rule (for example async iterators). ``parts``
    gives :func:`coerce_parts` the parts of the same response, when the rule builds
    them valid by construction (what the egress would send unchanged). ``whole``: for
    a rule whose ``200`` answers the request's conditions (files: ``304``, ``206``),
    the handler that builds the whole ``200`` regardless, used when a tuple gives
    another status. Used by the library's own modules; applications use
    :func:`~respond_mw.response_adapter`.
    """
    if parts is not None:
        _PARTS[handler] = parts
    if whole is not None:
        _WHOLE[handler] = whole
    if protocol:
        _PROTOCOLS.insert(len(_PROTOCOLS) - 1, (cls, handler))
    else:
        _BUILTIN[cls] = handler
    _handlers.clear()


#: Rules that answer the request's conditions, and how they build the whole response.
_WHOLE: dict[Handler, Handler] = {}


def _find_handler(cls: type) -> Handler:
    for klass in cls.__mro__:
        adapter = ADAPTERS.get(klass)
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


def _handler(cls: type) -> Handler:
    """The rule for values of ``cls`` (found once, then cached)."""
    handler = _handlers.get(cls)
    if handler is None:
        handler = _handlers[cls] = _find_handler(cls)
    return handler


def coerce_inner(value: Any, state: RequestState, depth: int) -> Response:
    """Coerce ``value`` found ``depth`` levels inside a view's return value (the body
    of a tuple, what an adapter or a coroutine returned); for rules registered with
    :func:`register_rule`, which receive their ``depth``."""
    if depth > _MAX_DEPTH:
        raise TypeError(
            f"The view {state.view} returned {_describe(value)}, which response adapters "
            f"kept converting more than {_MAX_DEPTH} times; an adapter must eventually "
            "return a value the rules accept"
        )
    handler = _handlers.get(type(value))
    if handler is None:
        handler = _handler(type(value))
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
    ``list`` with a standard status that has content and no ``Location`` or
    ``Content-Length`` -- unless an adapter overrides their rule); ``None`` for any
    other value. The first value of a type is answered as every later one.

    The fast paths of the edges use it to skip building a :class:`webob.Response`
    they would only take apart again, and send the parts with
    :func:`respond_mw.egress.send_parts`.
    """
    handler = _handlers.get(type(value))
    if handler is None:  # not seen yet: found and cached, as coerce() would
        handler = _handler(type(value))
    parts = _PARTS.get(handler)
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
    return coerce_inner(value, state, 0)


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
