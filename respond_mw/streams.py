"""Server-sent events and NDJSON: streamed responses that reach the client item by item.

:func:`event_stream` turns an iterator (or async iterator) of events into a
``text/event-stream`` response, :func:`ndjson` an iterator of JSON values into an
``application/x-ndjson`` one. Each item becomes one chunk of the body, which the server
sends as soon as the item exists. Both give a :class:`webob.Response` whose body is
the library's own :class:`~respond_mw.bodies.StreamingBody`, so everything that holds
for a returned generator holds for them -- but that no item is taken early: nothing is
read before the server iterates, the request's context is kept, ``close()`` closes the
generator, and the response leaves through the egress (``HEAD`` gets no body). See the
:doc:`/guides/streaming` guide.

These streams never take an item before the server asks for it, not even the first:
an event stream often waits long for its first event, and the view should not wait
with it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from contextvars import copy_context
from dataclasses import dataclass
from typing import Any

from webob import Response

from .aio import AsyncIteratorBridge
from .bodies import StreamingBody
from .context import current_state
from .headers import short
from .jsoncodec import dumps
from .responses import new_response
from .rules import DEFAULT_STATE
from .wsgi import Prepended, close_iterable

__all__ = ["EVENT_STREAM", "NDJSON", "Comment", "Event", "event_stream", "ndjson"]

#: The ``Content-Type`` of :func:`event_stream` responses.
EVENT_STREAM = "text/event-stream; charset=utf-8"
#: The ``Content-Type`` of :func:`ndjson` responses.
NDJSON = "application/x-ndjson"

#: What tells caches and buffering proxies (nginx) to pass each chunk on at once.
_PROXY_HEADERS = (("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"))

#: The line breaks of the event stream format: CRLF, a lone CR, a lone LF.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_FIELDS = frozenset({"data", "event", "id", "retry"})


# ------------------------------------------------------------------------- events


def _one_line(field: str, value: str, *, nul: bool = False) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(
            f"the {field} field of an event cannot contain a line break (CR or LF): got "
            f"{short(value)}; only the data field may have several lines"
        )
    if nul and "\0" in value:
        raise ValueError(
            f"the {field} field of an event cannot contain NUL: got {short(value)} "
            "(browsers ignore such an id)"
        )


def _check_fields(event: object, id: object, retry: object) -> None:
    """Refuse field values the event stream format cannot carry."""
    if event is not None:
        if not isinstance(event, str):
            raise TypeError(f"the event field of an event must be a str, not {short(event)}")
        _one_line("event", event)
    if id is not None:
        if isinstance(id, bool) or not isinstance(id, (str, int)):
            raise TypeError(f"the id field of an event must be a str or int, not {short(id)}")
        if isinstance(id, str):
            _one_line("id", id, nul=True)
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int):
            raise TypeError(
                f"the retry field of an event must be an int (milliseconds), not {short(retry)}"
            )
        if retry < 0:
            raise ValueError(f"the retry field of an event must be 0 or more, not {retry}")


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: what :func:`event_stream` sends for it.

    :param data: the event's data: a ``str`` (sent as it is, one ``data:`` line per
        line of it, CRLF, CR and LF all being line breaks), any other value encoded as
        JSON by the library's JSON rules (:doc:`/guides/json`), or ``None`` for
        an event without data (which a browser does not dispatch, but whose ``id`` and
        ``retry`` it remembers).
    :param event: the event type (``addEventListener(type, ...)`` in a browser);
        ``None`` for a ``message`` event.
    :param id: the event id, which a reconnecting browser sends back in its
        ``Last-Event-ID`` request header.
    :param retry: the reconnection delay the browser should use, in milliseconds.
    :raises ValueError: when ``event`` or ``id`` contains a line break, ``id`` a NUL,
        or ``retry`` is negative.
    :raises TypeError: for a field of another type.

    .. versionadded:: 0.1.0
    """

    data: Any = None
    event: str | None = None
    id: str | int | None = None
    retry: int | None = None

    def __post_init__(self) -> None:
        _check_fields(self.event, self.id, self.retry)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment line of an event stream (``: text``), which clients ignore.

    Send one as a heartbeat: it keeps proxies from closing an idle connection, and
    writing it is how the server notices a client that has gone away.

    .. versionadded:: 0.1.0
    """

    text: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"the text of a Comment must be a str, not {short(self.text)}")


def _field(name: str, value: str) -> str:
    return f"{name}: {value}\n" if value else f"{name}:\n"


def _data_lines(text: str) -> str:
    return "".join([_field("data", line) for line in _LINE_BREAK.split(text)])


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"an event cannot be encoded as UTF-8 (a lone surrogate?): {exc}"
        ) from None


def _event_chunk(event: Event) -> bytes:
    lines = []
    if event.event is not None:
        lines.append(_field("event", event.event))
    if event.id is not None:
        lines.append(_field("id", str(event.id)))
    if event.retry is not None:
        lines.append(f"retry: {event.retry}\n")
    data = event.data
    if isinstance(data, str):
        lines.append(_data_lines(data))
    elif data is not None:
        try:
            encoded = dumps(data)
        except (TypeError, ValueError) as exc:
            error = TypeError if isinstance(exc, TypeError) else ValueError
            raise error(f"the data of an event is not JSON: {exc}") from exc
        # JSON text has no raw line break: it is one data line.
        return _utf8("".join(lines)) + b"data: " + encoded + b"\n\n"
    lines.append("\n")
    return _utf8("".join(lines))


def _comment_chunk(comment: Comment) -> bytes:
    lines = [f": {line}\n" if line else ":\n" for line in _LINE_BREAK.split(comment.text)]
    return _utf8("".join(lines) + "\n")


def _encode_event(item: object) -> bytes:
    """The chunk of one item of an event stream, a blank line at its end."""
    if isinstance(item, str):
        return _utf8(_data_lines(item) + "\n")
    if isinstance(item, Event):
        return _event_chunk(item)
    if isinstance(item, Comment):
        return _comment_chunk(item)
    if isinstance(item, Mapping):
        unknown = [key for key in item if key not in _FIELDS]
        if unknown:
            raise ValueError(
                f"an event given as a dict may only have the fields data, event, id and "
                f"retry, not {short(unknown[0])}; to send a dict as JSON data, give "
                "{'data': value} or Event(data=value)"
            )
        return _event_chunk(Event(**item))
    raise TypeError(
        f"an event stream got {type(item).__qualname__} {short(item)}; its items may be "
        "a str (the data of an event), an Event, a dict of the fields data, event, id "
        "and retry, or a Comment"
    )


def _encode_json_line(item: object) -> bytes:
    try:
        return dumps(item) + b"\n"
    except (TypeError, ValueError) as exc:
        error = TypeError if isinstance(exc, TypeError) else ValueError
        raise error(f"an NDJSON stream got a value that is not JSON: {exc}") from exc


# ------------------------------------------------------------------------ bodies


class _Encoded:
    """Each item of ``items`` encoded by ``encode``; ``close()`` closes ``items``."""

    __slots__ = ("_encode", "_items")

    def __init__(self, items: Iterator[Any], encode: Callable[[Any], bytes]) -> None:
        self._items = items
        self._encode = encode

    def __iter__(self) -> _Encoded:
        return self

    def __next__(self) -> bytes:
        return self._encode(next(self._items))

    def close(self) -> None:
        close_iterable(self._items)


def _streamed(
    function: str,
    items: Iterable[Any] | AsyncIterable[Any],
    encode: Callable[[Any], bytes],
    content_type: str,
    first: bytes | None = None,
) -> Response:
    iterator: Iterator[Any]
    if isinstance(items, AsyncIterable):
        # Each step runs on an event loop in a copy of this context, as for an async
        # generator a view returns; the items are encoded in the StreamingBody's copy.
        iterator = AsyncIteratorBridge(aiter(items), copy_context())
    elif isinstance(items, Iterable) and not isinstance(
        items, (str, bytes, bytearray, memoryview, Mapping)
    ):
        iterator = iter(items)
    else:
        raise TypeError(
            f"{function}() takes an iterator, generator or async iterator of the items to "
            f"send (or a list of them), not {type(items).__qualname__} {short(items)}"
        )
    encoded = _Encoded(iterator, encode)
    chunks = encoded if first is None else Prepended([first], encoded, encoded)
    body = StreamingBody(chunks, (current_state() or DEFAULT_STATE).view)
    return new_response("200 OK", [("Content-Type", content_type), *_PROXY_HEADERS], body)


def event_stream(
    events: Iterable[Any] | AsyncIterable[Any], *, retry: int | None = None
) -> Response:
    """Stream ``events`` as server-sent events (``text/event-stream``).

    Each item of ``events`` is one event, sent as one chunk that ends with a blank
    line:

    * a ``str`` -- the data of a ``message`` event;
    * an :class:`Event`, or a ``dict`` of its fields (``data``, ``event``, ``id``,
      ``retry``) -- data that is not a ``str`` is encoded as JSON;
    * a :class:`Comment` -- a comment line, for heartbeats.

    The response is ``200 OK`` with ``Content-Type: text/event-stream; charset=utf-8``,
    ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no`` (so that nginx passes
    each event on at once). Return it from a view, a route or a Pyramid or Bottle view,
    alone or in a tuple that changes its headers. Nothing is read from ``events``
    before the server iterates the response; an item that cannot be sent is a
    :class:`ValueError` or :class:`TypeError` raised while streaming, which ends the
    response.

    :param events: an iterator, generator, async iterator or async generator (or a
        list) of events.
    :param retry: when given, the stream starts with a ``retry:`` field telling the
        client how many milliseconds to wait before it reconnects; it is sent at once,
        before the first event exists.
    :raises TypeError: when ``events`` is not iterable (or is a ``str``, ``bytes`` or
        ``dict``), or ``retry`` not an ``int``.
    :raises ValueError: when ``retry`` is negative.

    .. versionadded:: 0.1.0
    """
    first = None
    if retry is not None:
        _check_fields(None, None, retry)
        first = f"retry: {retry}\n\n".encode("ascii")
    return _streamed("event_stream", events, _encode_event, EVENT_STREAM, first)


def ndjson(items: Iterable[Any] | AsyncIterable[Any]) -> Response:
    """Stream ``items`` as newline-delimited JSON (``application/x-ndjson``).

    Each item is encoded by the library's JSON rules (:doc:`/guides/json`:
    dicts, lists, strings, numbers, ``None``, dates, dataclasses, ...) and sent as one
    line, one chunk. The response is ``200 OK`` with ``Content-Type:
    application/x-ndjson``, ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no``.
    Nothing is read from ``items`` before the server iterates the response; an item
    that is not JSON is a :class:`TypeError` (or :class:`ValueError`, for ``NaN``)
    raised while streaming, which ends the response.

    :param items: an iterator, generator, async iterator or async generator (or a
        list) of values.
    :raises TypeError: when ``items`` is not iterable (or is a ``str``, ``bytes`` or
        ``dict``).

    .. versionadded:: 0.1.0
    """
    return _streamed("ndjson", items, _encode_json_line, NDJSON)
