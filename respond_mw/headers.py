"""Statuses and headers: what a valid one is, and how headers given by a view merge.

Everything here validates or combines *values given by an application*: the status
of a tuple, the headers of a tuple or of ``@view(headers=...)``, the status and
headers of a response on its way out (:mod:`respond_mw.egress`). The rules for
statuses and headers are listed in :mod:`respond_mw.rules`; the guarantees they
support are on the :doc:`/guarantees` page.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from webob import Response
from webob.util import status_generic_reasons, status_reasons

__all__ = [
    "CONTENT_LINES",
    "FINAL_LINES",
    "HOP_BY_HOP",
    "STATUS_LINES",
    "header_name",
    "header_value",
    "iri_to_uri",
    "is_headers",
    "merge_headers",
    "merged_headers",
    "normalize_headers",
    "parse_status",
    "short",
]

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80
_repr.maxlevel = 3


def short(value: object) -> str:
    """A short repr for error messages: bounded in length and nesting, never raising
    (a value nested 100,000 levels deep or with a failing ``__repr__`` is still named)."""
    try:
        return _repr.repr(value)
    except Exception:  # RecursionError, or a __repr__ that raises
        return f"<{type(value).__qualname__} object>"


# --------------------------------------------------------------------------- status


def _reason(code: int) -> str:
    reason: str = status_reasons.get(code) or status_generic_reasons[code // 100]
    return reason


#: The standard status line of every code from 100 to 599.
STATUS_LINES: dict[int, str] = {code: f"{code} {_reason(code)}" for code in range(100, 600)}
#: The standard lines of the final (2xx-5xx) statuses.
FINAL_LINES = frozenset(line for code, line in STATUS_LINES.items() if code >= 200)
#: The standard lines of the final statuses whose responses have content.
CONTENT_LINES = frozenset(
    line for code, line in STATUS_LINES.items() if code >= 200 and code not in (204, 205, 304)
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
        line = STATUS_LINES.get(int(value))
        if line is None:
            raise ValueError(f"status {short(value)} is out of range: it must be {_STATUS_HELP}")
        return line
    if isinstance(value, str):
        match = _STATUS_RE.fullmatch(value)
        if match is None:
            raise ValueError(f"status {short(value)} is malformed: it must be {_STATUS_HELP}")
        code = int(match[1])
        if not 100 <= code <= 599:
            raise ValueError(f"status {short(value)} is out of range: it must be {_STATUS_HELP}")
        reason = match[2]
        if reason is None or not reason.strip():
            return STATUS_LINES[code]
        if _CONTROL.search(reason) or not _is_latin1(reason):
            raise ValueError(
                f"status {short(value)} has a reason phrase with control or non latin-1 "
                "characters, which would corrupt the response"
            )
        return f"{code} {reason.strip()}"
    raise ValueError(
        f"status {short(value)} ({type(value).__name__}) is not a valid status: "
        f"it must be {_STATUS_HELP}"
    )


# -------------------------------------------------------------------------- headers

#: Header names: a letter, then letters, digits, ``-`` and ``_`` -- the HTTP tokens that
#: PEP 3333 validators (``wsgiref.validate``) and every server accept.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
#: Headers that belong to the connection, which the server manages (lower case).
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


def header_name(name: object) -> str:
    """Return ``name`` if it may be the name of a header an application sends.

    :raises ValueError: for a name that is not a token, is hop-by-hop, is ``Status``
        or ends with ``-`` or ``_`` (which PEP 3333 validators refuse).
    """
    if type(name) is str and name in _valid_names:
        return name
    if not isinstance(name, str) or _TOKEN.fullmatch(name) is None:
        raise ValueError(
            f"header name {short(name)} is not valid: it must be a str starting with a "
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


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _quote_non_ascii(text: str) -> str:
    return _NON_ASCII.sub(lambda found: quote(found.group(), safe=""), text)


def iri_to_uri(iri: str) -> str:
    """The URI of ``iri``: its host in IDNA (``bücher.example`` becomes
    ``xn--bcher-kva.example``), every other non-ASCII character percent-encoded as
    UTF-8 (``/café`` becomes ``/caf%C3%A9``); ASCII is left as it is (RFC 3987 3.1).
    A ``Location`` is sent so: a browser reads raw bytes there as UTF-8, whatever the
    server meant."""
    if iri.isascii():
        return iri
    try:
        parts = urlsplit(iri)
    except ValueError:  # an invalid IPv6 host: only its characters are quoted
        return _quote_non_ascii(iri)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # not a name IDNA can encode: quoted like the rest
            host = _quote_non_ascii(host)
        netloc = _quote_non_ascii(userinfo) + at + host + colon + port
    path, query, fragment = (_quote_non_ascii(part) for part in parts[2:])
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def header_value(name: str, value: object) -> str:
    """Return the text of header ``name``'s ``value`` (``str()`` of a non-``str``).

    A ``Location`` that is an IRI (``/café``) is given as its URI (:func:`iri_to_uri`).

    :raises ValueError: for ``None``, bytes, or a text with control characters (CR,
        LF, NUL, ...) or characters outside latin-1.
    """
    if type(value) is str and value.isascii() and value.isprintable():
        return value  # the usual value: ASCII without control characters
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, (bytes, bytearray, memoryview)):
        raise ValueError(
            f"header {name!r} has the value {short(value)}: give a str (or a value whose "
            "str() is the header text, such as an int)"
        )
    else:
        try:
            text = str(value)
        except Exception:  # RecursionError, or a __str__ that raises
            raise ValueError(
                f"header {name!r} has the value {short(value)}, whose str() failed"
            ) from None
    if _CONTROL.search(text):
        raise ValueError(
            f"header {name!r} has a value with CR, LF, NUL or another control character "
            f"({short(text)}), which could split or corrupt the response"
        )
    if name.lower() == "location":
        text = iri_to_uri(text)
    if not _is_latin1(text):
        raise ValueError(
            f"header {name!r} has a value that is not latin-1 text ({short(text)}); "
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
                    f"header item {short(item)} is not a (name, value) pair; headers given as a "
                    "list or tuple must contain pairs"
                )
            name = header_name(item[0])
            pairs.append((name, header_value(name, item[1])))
        return pairs
    items = getattr(headers, "items", None)
    if items is None:
        raise TypeError(
            f"headers must be a dict, a mapping or a list of (name, value) pairs, "
            f"not {type(headers).__name__}"
        )
    for raw_name, value in items():
        name = header_name(raw_name)
        if type(value) is not str and isinstance(value, (list, tuple)):
            pairs.extend((name, header_value(name, v)) for v in value)
        else:
            pairs.append((name, header_value(name, value)))
    return pairs


def merged_headers(
    headerlist: list[tuple[str, str]], pairs: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``headerlist`` with validated ``pairs`` merged in by the merge policy: each name
    given replaces the values of that name in ``headerlist``, except ``Set-Cookie``,
    which is always added."""
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
    return merged


def merge_headers(resp: Response, pairs: list[tuple[str, str]]) -> None:
    """Merge validated header pairs into ``resp`` by the merge policy (see
    ``merged_headers``)."""
    if pairs:
        # what the headerlist property sets, without its cost
        raw: Any = resp  # WebOb's own fields
        raw._headerlist = merged_headers(raw._headerlist, pairs)
        raw._headers = None
