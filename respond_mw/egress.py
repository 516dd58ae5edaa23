"""The one way out: every response respond_mw answers leaves through here.

Whatever the edge -- :func:`~respond_mw.view` called by a server or with a request,
a :class:`~respond_mw.Middleware` route, hook or error handler, a default error
page, a raised :mod:`webob.exc` exception, the Pyramid include, the Bottle plugin --
the response is checked and completed here, once, for the request it answers:

* the status is 100-599, and never a 1xx (a client would wait for the final one);
* every header name is a token (not hop-by-hop, not ``Status``) and every value
  latin-1 text without CR, LF, NUL or another control character;
* ``1xx``/``204``/``304`` responses have no body, no ``Content-Length`` and (but a
  1xx) no ``Content-Type``; a ``205`` has no body and ``Content-Length: 0``;
* a buffered body (a list of ``bytes``, a file of known size) has a true
  ``Content-Length``: computed when absent, refused when it disagrees; a streamed
  body with a ``Content-Length`` is counted (:class:`~respond_mw.bodies.LengthChecked`);
* ``HEAD`` gets the headers ``GET`` would get -- ``Content-Length`` included -- and no
  body (a streamed body is closed unread);
* a response with content but no ``Content-Type`` says
  ``application/octet-stream``, what a client assumes anyway (RFC 9110 8.3);
* a relative ``Location`` is made absolute against the request's URL;
* a file body goes to the server's ``wsgi.file_wrapper`` when it has one.

A response that cannot be sent as it is -- a bad status, a header that would split
the response, a ``Content-Length`` that lies -- is *refused*: :func:`finish` raises
a :class:`ValueError` naming where the response came from and closes its body, and
:func:`send` answers with a logged generic ``500`` instead. Nothing malformed reaches
the server.

The fast path, :func:`send_parts`, takes the parts :func:`~respond_mw.rules.coerce_parts`
builds for the usual values (a fresh ``str``, ``bytes``, JSON or streamed body, or a
tuple of those with a status that has content): those parts are valid by
construction, so only ``HEAD`` is left to do, and the bytes are those :func:`finish`
would give. The wrapped application of a :class:`~respond_mw.Middleware` is not
respond_mw's: its responses pass through untouched. See :doc:`/architecture` and
:doc:`/guarantees`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from webob import Response

from .bodies import BLOCK_SIZE, FileBody, LengthChecked
from .callbacks import CALL_ON_CLOSE, closing_callbacks
from .errors import internal_error
from .headers import CONTENT_LINES, FINAL_LINES, header_name, header_value, parse_status, short
from .responses import Parts, new_response
from .wsgi import call_application, close_iterable, head_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = [
    "CheckedResponse",
    "check_passthrough",
    "checked_response",
    "finish",
    "refusal",
    "send",
    "send_parts",
    "trusted_response",
]

_response_call = Response.__call__


class CheckedResponse(Response):
    """A response that has left through the egress for its request, as
    :func:`checked_response` gives it to a host framework: taken as it is if it comes
    back (a ``@view`` called by Pyramid with the include), not checked twice."""


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _rendered(response: Response, environ: WSGIEnvironment) -> Parts:
    """The status, headers and body ``response`` answers ``environ`` with.

    A plain response is taken apart; one that renders itself (a :mod:`webob.exc`
    page negotiated by ``Accept``, a conditional response, a class overriding
    ``__call__``) is run -- as for ``GET`` when the request is ``HEAD``, so that its
    headers are checked against the body ``GET`` would get.
    """
    if not response.conditional_response and type(response).__call__ is _response_call:
        raw: Any = response  # WebOb's own fields, read without its properties' cost
        return raw._status, raw._headerlist, raw._app_iter
    if environ.get("REQUEST_METHOD") == "HEAD":
        environ = dict(environ)
        environ["REQUEST_METHOD"] = "GET"
    return call_application(response, environ)


def _request_url(environ: WSGIEnvironment) -> str:
    """The URL of the request (without its query), as a ``Location`` is resolved."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    if (scheme, host[-3:]) == ("http", ":80"):
        host = host[:-3]
    elif (scheme, host[-4:]) == ("https", ":443"):
        host = host[:-4]
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{scheme}://{host}" + quote(path.encode("latin-1"), safe="/:@&+$,;=%~!*'()")


def _length(body: Any) -> int | None:
    """The length of a buffered body (a list of bytes, a file of known size), else
    ``None``.

    :raises ValueError: for a list holding something else than ``bytes``.
    """
    if type(body) is list:
        total = 0
        for chunk in body:
            if type(chunk) is not bytes:
                raise ValueError(f"its body holds {short(chunk)}: a body is made of bytes")
            total += len(chunk)
        return total
    if type(body) is FileBody:
        return body.length
    return None


def _final_status(status: Any) -> str:
    """The status line of a final response (``ValueError`` for any other)."""
    if status not in FINAL_LINES:
        status = parse_status(status)
        if status[0] == "1":
            raise ValueError(
                f"the interim status {status!r} cannot be a final response: a client "
                "would wait for another one"
            )
    return status  # type: ignore[no-any-return]


def _header(item: Any) -> tuple[str, str]:
    """A checked ``(name, value)`` header item (``ValueError`` for any other)."""
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ValueError(f"header item {short(item)} is not a (name, value) pair")
    if type(item[1]) is not str:
        raise ValueError(f"header {short(item[0])} has the value {short(item[1])}, not a str")
    name = header_name(item[0])
    return name, header_value(name, item[1])


#: Header items found valid, with their lower-case names: the few an application
#: sends again and again are checked once. Bounded; values that vary per response
#: (lengths, locations) are not kept.
_known: dict[tuple[str, str], str] = {}
_MAX_KNOWN = 1024
_UNCACHED = frozenset({"content-length", "location", "set-cookie", "etag", "last-modified"})
_LENGTH_NAMES = frozenset({"Content-Length", "content-length", "CONTENT-LENGTH"})


def _checked(
    status: Any, headerlist: Any, body: Any, environ: WSGIEnvironment, where: str
) -> Parts:
    status = _final_status(status)
    headers: list[tuple[str, str]] = []
    given: list[str] = []  # Content-Length values
    at = -1  # where the first one stood, to put the checked one back there
    typed = False
    known = _known
    for item in headerlist:
        lower = known.get(item) if type(item) is tuple else None
        if lower is not None:  # an item found valid before
            name, value = item
        elif type(item) is tuple and item[0] in _LENGTH_NAMES and type(item[1]) is str:
            # its value is checked below, against the body or as digits
            name, value = item
            lower = "content-length"
        else:
            name, value = _header(item)
            lower = name.lower()
            if lower not in _UNCACHED and len(known) < _MAX_KNOWN and type(name) is str:
                known[name, value] = lower
        if lower == "content-length":
            if not given:
                at = len(headers)
            given.append(value)
            continue
        if lower == "content-type":
            typed = True
        elif lower == "location" and _SCHEME.match(value) is None:
            value = header_value(name, urljoin(_request_url(environ), value))
        headers.append((name, value))
    head = environ.get("REQUEST_METHOD") == "HEAD"
    code = "" if status in CONTENT_LINES else status[:3]  # "": the usual, with content
    if not typed and code not in ("204", "304"):
        # RFC 9110 8.3: what a recipient assumes anyway; PEP 3333 wants it said
        headers.append(("Content-Type", "application/octet-stream"))
    if code not in ("204", "205", "304"):
        length = _length(body)
        if length is not None:
            if given and (len(given) != 1 or given[0] != str(length)):
                raise ValueError(
                    f"its Content-Length ({', '.join(given)}) disagrees with its body "
                    f"({length} bytes); leave Content-Length out and it is computed"
                )
            headers.insert(len(headers) if at < 0 else at, ("Content-Length", str(length)))
        elif given:
            if len(given) != 1 or not (given[0].isascii() and given[0].isdigit()):
                raise ValueError(f"its Content-Length ({', '.join(given)}) is not a number")
            headers.insert(at, ("Content-Length", given[0]))
            if not head:
                body = LengthChecked(body, int(given[0]), where)
    else:
        close_iterable(body)
        body = []
        if code == "205":
            # RFC 9110 15.3.6: a 205 says it has no content
            headers.insert(len(headers) if at < 0 else at, ("Content-Length", "0"))
        else:  # 204, 304: no content, nor what would describe it
            headers = [item for item in headers if item[0].lower() != "content-type"]
    if head:
        body = head_body(body)
    elif type(body) is FileBody:
        body = _to_server(body, environ)
    if CALL_ON_CLOSE in environ:
        body = closing_callbacks(body, environ)
    return status, headers, body


def _to_server(body: FileBody, environ: WSGIEnvironment) -> Any:
    """A file body as the server sends it best: through its ``wsgi.file_wrapper``."""
    wrapper = environ.get("wsgi.file_wrapper")
    target = None if wrapper is None else body.for_file_wrapper()
    if wrapper is not None and target is not None:
        return wrapper(target, BLOCK_SIZE)
    return body


def finish(response: Response, environ: WSGIEnvironment, where: str) -> Parts:
    """The checked status, header list and body with which ``response`` answers the
    request of ``environ`` (see the module documentation).

    :param where: who answered, for the error message (``"view app.page"``).
    :raises ValueError: when the response is refused; its body is closed then.
    """
    if type(response) is CheckedResponse:
        checked: Any = response  # WebOb's own fields, read directly
        return checked._status, checked._headerlist, checked._app_iter
    try:
        status, headerlist, body = _rendered(response, environ)
    except Exception as problem:  # a page WebOb cannot render (a text type without charset)
        raise ValueError(f"the response of {where} cannot be rendered: {problem}") from None
    try:
        return _checked(status, headerlist, body, environ, where)
    except ValueError as problem:
        close_iterable(body)
        raise ValueError(f"the response of {where} cannot be sent: {problem}") from None


def check_passthrough(status: Any, headerlist: Any, where: str) -> None:
    """Refuse a wrapped application's response whose status or headers an
    ``after_request`` hook may have made invalid: they are checked as by
    :func:`finish`; its body and ``Content-Length`` stay the application's.

    :raises ValueError: naming ``where``.
    """
    try:
        _final_status(status)
        for item in headerlist:
            _header(item)
    except ValueError as problem:
        raise ValueError(f"the response of {where} cannot be sent: {problem}") from None


def refusal(
    error: BaseException, environ: WSGIEnvironment, where: str, debug: bool = False
) -> Parts:
    """The parts of the generic ``500`` answering ``error`` (logged, naming ``where``);
    with ``debug`` the page shows the traceback."""
    return finish(internal_error(error, where, debug), environ, where)


def _start(start_response: StartResponse, parts: Parts) -> Iterable[bytes]:
    status, headerlist, body = parts
    try:
        start_response(status, headerlist)
    except BaseException:
        close_iterable(body)
        raise
    return body


def send(
    response: Response,
    environ: WSGIEnvironment,
    start_response: StartResponse,
    where: str,
    debug: bool = False,
    propagate: bool = False,
) -> Iterable[bytes]:
    """Send ``response`` through the egress: :func:`finish`, or the generic ``500`` of
    :func:`refusal` when it is refused (the refusal is raised with ``propagate``).
    Returns the body for the server."""
    try:
        parts = finish(response, environ, where)
    except ValueError as error:
        if propagate:
            raise
        parts = refusal(error, environ, where, debug)
    return _start(start_response, parts)


def send_parts(
    parts: Parts, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """Send parts built by :func:`~respond_mw.rules.coerce_parts`, which are valid by
    construction: what :func:`finish` would do to them is only to drop the body of a
    ``HEAD`` response and to hand a file body to the server's ``wsgi.file_wrapper``."""
    status, headerlist, body = parts
    # what _start does, written out: this runs for every usual response, and a call
    # more costs 2-3 % of the fastest of them
    try:
        start_response(status, headerlist)
    except BaseException:
        close_iterable(body)
        raise
    if environ["REQUEST_METHOD"] == "HEAD":
        return head_body(body)
    return _to_server(body, environ) if type(body) is FileBody else body


def checked_response(
    response: Response, environ: WSGIEnvironment, where: str, debug: bool = False
) -> Response:
    """``response`` as it leaves through the egress, as a plain
    :class:`webob.Response` for a host framework to send (Pyramid, a caller of
    ``view(request)``): the checked parts, or the generic ``500`` of a refusal."""
    try:
        parts = finish(response, environ, where)
    except ValueError as error:
        parts = refusal(error, environ, where, debug)
    checked = new_response(*parts)
    checked.__class__ = CheckedResponse
    return checked


def trusted_response(parts: Parts, environ: WSGIEnvironment) -> Response:
    """The :class:`webob.Response` of parts built by
    :func:`~respond_mw.rules.coerce_parts`, for a host framework that sends it itself
    (WebOb then drops the body of a ``HEAD`` response; a file body goes to the
    server's ``wsgi.file_wrapper``, as :func:`finish` would do)."""
    status, headerlist, body = parts
    if type(body) is FileBody and environ.get("REQUEST_METHOD") != "HEAD":
        body = _to_server(body, environ)
    return new_response(status, headerlist, body)
