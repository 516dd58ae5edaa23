"""The request respond_mw hands out: a :class:`webob.Request` that never fails on what
a client sent.

Views, routes, hooks and error handlers receive a :class:`Request` (and
:func:`~respond_mw.current_request` returns one). It is a :class:`webob.Request` with
two differences, both about input the client controls (see :doc:`/guarantees`):

- **Paths and query strings that are not UTF-8.** PEP 3333 gives the path as latin-1
  text; a client may send any bytes (``/%ff``). ``path_info``,
  ``script_name`` and :attr:`~Request.GET` decode them as UTF-8 with
  undecodable bytes replaced by U+FFFD (what a form body already gets), and
  :attr:`~Request.path`, ``url`` and their kin quote the bytes the client
  sent (``/%FF``), so the URL of a request is always its own.
- **Bodies the client got wrong.** ``json`` (and ``json_body``),
  :attr:`~Request.POST` and ``params`` raise :class:`BadRequestBody` -- a
  :class:`webob.exc.HTTPBadRequest` that is also a :class:`ValueError` -- for a body
  that is not JSON, a multipart body without a boundary, or an unknown charset. It
  reaches the error handlers as any ``400`` does, and is not logged as an error. A form
  in another charset Python knows is transcoded (WebOb's ``Request.decode``).
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote, unquote_to_bytes

from webob import Request as WebObRequest
from webob.exc import HTTPBadRequest
from webob.multidict import GetDict, MultiDict, NoVars
from webob.request import NoDefault

__all__ = ["BadRequestBody", "Request"]

_FORMS = ("", "application/x-www-form-urlencoded", "multipart/form-data")


class BadRequestBody(HTTPBadRequest, ValueError):
    """The request body cannot be read as what it says it is: answered ``400``.

    A :class:`ValueError` too, so that code written for WebOb's own errors
    (``except ValueError``) keeps working.

    .. versionadded:: 0.1.0
    """


#: What WebOb leaves unquoted in a path.
_PATH_SAFE = "/~!$&'()*+,;=:@"


def _quoted(text: str) -> str:
    return quote(text.encode("latin-1"), _PATH_SAFE)


class Request(WebObRequest):
    """A :class:`webob.Request` that reads any path and refuses bad bodies with ``400``.

    See :mod:`respond_mw.request`.

    .. versionadded:: 0.1.0
    """

    def encget(self, key: str, default: Any = NoDefault, encattr: str | None = None) -> Any:
        """The environ's ``key``, decoded by ``encattr`` with undecodable bytes
        replaced (PATH_INFO and SCRIPT_NAME are latin-1 text, PEP 3333)."""
        value = self.environ.get(key, default)
        if value is NoDefault:
            raise KeyError(key)
        if value is default or not encattr:
            return value
        encoding = getattr(self, encattr)
        if encoding.lower() in ("latin-1", "latin1", "iso-8859-1"):
            return value
        return value.encode("latin-1").decode(encoding, "replace")

    @property
    def application_url(self) -> str:
        """The URL up to and including ``SCRIPT_NAME`` as the client sent it."""
        return str(self.host_url) + _quoted(self.environ.get("SCRIPT_NAME", ""))

    @property
    def path_url(self) -> str:
        """The URL without the query string, the path as the client sent it."""
        return self.application_url + _quoted(self.environ.get("PATH_INFO", ""))

    @property
    def path(self) -> str:
        """The path, quoted as the client sent it (``/%FF`` stays ``/%FF``)."""
        environ = self.environ
        return _quoted(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))

    @property
    def GET(self) -> GetDict:
        """The query string's variables, decoded as UTF-8 with undecodable bytes
        replaced."""
        environ = self.environ
        source = environ.get("QUERY_STRING", "")
        parsed = environ.get("webob._parsed_query_vars")
        if parsed is not None and parsed[1] == source:
            return cast(GetDict, parsed[0])
        data = []
        if source:
            raw = source.encode("latin-1").replace(b"+", b" ")
            for pair in raw.replace(b";", b"&").split(b"&"):
                if pair:
                    name, _, value = pair.partition(b"=")
                    data.append((_unquote(name), _unquote(value)))
        variables = GetDict(data, environ)
        environ["webob._parsed_query_vars"] = (variables, source)
        return variables

    @property
    def POST(self) -> MultiDict[str, Any] | NoVars:
        """The form's variables; :class:`BadRequestBody` for a form that cannot be
        read (an unknown charset, a multipart body without a boundary)."""
        charset = self.charset
        if charset == "UTF-8" or self.content_type not in _FORMS:
            try:
                return super().POST
            except (ValueError, LookupError) as error:
                raise _bad("form", error) from error
        environ = self.environ
        parsed = environ.get("webob._parsed_post_vars")
        if parsed is not None and parsed[1] is self.body_file_raw:
            return cast(MultiDict[str, Any], parsed[0])
        try:
            variables = self.decode(charset, "replace").POST
        except (ValueError, LookupError) as error:
            raise _bad(f"form in charset {charset!r}", error) from error
        environ["webob._parsed_post_vars"] = (variables, self.body_file_raw)
        return variables

    def _json_get(self) -> Any:
        try:
            return super().json_body
        except (ValueError, LookupError) as error:
            raise _bad("JSON body", error) from error

    json = json_body = property(
        _json_get, WebObRequest.json_body.fset, WebObRequest.json_body.fdel, doc=_json_get.__doc__
    )


def _unquote(text: bytes) -> str:
    return unquote_to_bytes(text).decode("utf-8", "replace")


def _bad(what: str, error: BaseException) -> BadRequestBody:
    return BadRequestBody(f"The request's {what} cannot be read: {error}")
