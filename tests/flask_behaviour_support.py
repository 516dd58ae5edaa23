"""The two sides of :mod:`tests.test_flask_behaviour`: a Flask app and a respond_mw
:class:`~respond_mw.Middleware`, built by the same function.

A test writes one ``build(app, kit)`` function. ``app`` is a :class:`flask.Flask` or
a :class:`respond_mw.Middleware` -- both have ``route``, ``errorhandler``,
``before_request``, ``after_request`` and ``teardown_request`` decorators -- and
``kit`` is what differs between the two libraries, under one set of names: the HTTP
exception classes (``kit.Forbidden`` is :class:`werkzeug.exceptions.Forbidden` on one
side, :class:`webob.exc.HTTPForbidden` on the other), ``abort``, ``make_response``,
``jsonify``, ``redirect``, the request's query arguments, a per-request store (``g``
on the Flask side, the environ on ours), and ``kit.calls``, a list each side records
what ran in. :func:`sides` builds both; ``side.get(path)`` answers a request through
Flask's test client or WebTest and returns a :class:`Seen`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any, ClassVar
from urllib.parse import urljoin

import flask
import werkzeug.exceptions as wz
from webob import Response as WebObResponse
from webob import exc as webob_exc
from webtest import TestApp

import respond_mw

__all__ = ["BROWSER_ACCEPT", "FlaskKit", "Kit", "OurKit", "Seen", "resolved", "sides"]

#: What both clients send: a browser's ``Accept``. Werkzeug's error pages are always
#: HTML; WebOb's are negotiated, and HTML for a browser.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclasses.dataclass(frozen=True)
class Seen:
    """What a client received, whichever library answered."""

    code: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None

    def header_list(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def media_type(self) -> str | None:
        value = self.header("Content-Type")
        return None if value is None else value.split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        value = self.header("Content-Type") or ""
        for param in value.split(";")[1:]:
            key, _, val = param.strip().partition("=")
            if key.lower() == "charset":
                return val.strip().lower()
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def content(self) -> Any:
        """The body, parsed when it is JSON (key order and spacing are a documented
        difference, see docs/rules.rst)."""
        if self.media_type is not None and self.media_type.endswith("json"):
            return json.loads(self.body)
        return self.body

    @property
    def allow(self) -> set[str]:
        value = self.header("Allow") or ""
        return {m.strip() for m in value.split(",") if m.strip()}

    def summary(self, *headers: str, body: bool = True) -> dict[str, Any]:
        """The fields compared: status code, media type, charset (case-insensitive:
        ``utf-8`` and ``UTF-8`` are a documented spelling difference), the body --
        parsed for JSON -- unless ``body`` is false (each library's own default error
        page), and the named headers."""
        seen: dict[str, Any] = {
            "code": self.code,
            "media_type": self.media_type,
            "charset": self.charset,
        }
        if body:
            seen["content"] = self.content
        for name in headers:
            seen[name] = self.allow if name == "Allow" else self.header(name)
        return seen


class Kit:
    """What a build function uses that is not the same in Flask and respond_mw."""

    name: ClassVar[str]
    Forbidden: type[Exception]
    NotFound: type[Exception]
    Unauthorized: type[Exception]
    InternalServerError: type[Exception]
    MethodNotAllowed: type[Exception]
    HTTPException: type[Exception]

    def __init__(self) -> None:
        #: What ran, in order (the build function appends to it).
        self.calls: list[Any] = []
        self.app: Any = None

    # -- helpers of the two libraries, under Flask's names
    def abort(self, *args: Any) -> Any:
        raise NotImplementedError

    def make_response(self, *args: Any) -> Any:
        raise NotImplementedError

    def jsonify(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def redirect(self, location: str, code: int = 302) -> Any:
        raise NotImplementedError

    def after_this_request(self, func: Callable[..., Any]) -> Any:
        raise NotImplementedError

    def stream_with_context(self, gen: Any) -> Any:
        raise NotImplementedError

    def response(self, body: str = "", status: int = 200, headers: Any = None) -> Any:
        """A response object of the library (``flask.Response`` / ``webob.Response``)."""
        raise NotImplementedError

    # -- the request and the response, as each library spells them
    def arg(self, name: str) -> str:
        raise NotImplementedError

    def method(self) -> str:
        raise NotImplementedError

    def path(self) -> str:
        raise NotImplementedError

    def body_text(self, response: Any) -> str:
        raise NotImplementedError

    def stash(self, key: str, value: Any) -> None:
        raise NotImplementedError

    def unstash(self, key: str) -> Any:
        raise NotImplementedError

    def append_body(self, response: Any, data: bytes) -> None:
        raise NotImplementedError

    def set_media_type(self, response: Any, media_type: str) -> None:
        raise NotImplementedError

    def error_name(self, error: BaseException) -> str:
        """The name of the error's class, in Werkzeug's words (``NotFound`` for
        ``webob.exc.HTTPNotFound``)."""
        return type(error).__name__

    # -- requests
    def get(self, path: str, method: str = "GET", **kwargs: Any) -> Seen:
        raise NotImplementedError


class FlaskKit(Kit):
    name = "flask"
    Forbidden = wz.Forbidden
    NotFound = wz.NotFound
    Unauthorized = wz.Unauthorized
    InternalServerError = wz.InternalServerError
    MethodNotAllowed = wz.MethodNotAllowed
    HTTPException = wz.HTTPException

    def __init__(self) -> None:
        super().__init__()
        self.app = flask.Flask("flask_behaviour")
        self.app.testing = False  # unhandled exceptions answer 500, as ours do

    def abort(self, *args: Any) -> Any:
        flask.abort(*args)

    def make_response(self, *args: Any) -> Any:
        return flask.make_response(*args)

    def jsonify(self, *args: Any, **kwargs: Any) -> Any:
        return flask.jsonify(*args, **kwargs)

    def redirect(self, location: str, code: int = 302) -> Any:
        return flask.redirect(location, code)

    def after_this_request(self, func: Callable[..., Any]) -> Any:
        return flask.after_this_request(func)

    def stream_with_context(self, gen: Any) -> Any:
        return flask.stream_with_context(gen)

    def response(self, body: str = "", status: int = 200, headers: Any = None) -> Any:
        return flask.Response(body, status, headers)

    def arg(self, name: str) -> str:
        return flask.request.args[name]

    def method(self) -> str:
        return flask.request.method

    def path(self) -> str:
        return flask.request.path

    def body_text(self, response: Any) -> str:
        text: str = response.get_data(as_text=True)
        return text

    def stash(self, key: str, value: Any) -> None:
        setattr(flask.g, key, value)

    def unstash(self, key: str) -> Any:
        return getattr(flask.g, key)

    def append_body(self, response: Any, data: bytes) -> None:
        response.data += data

    def set_media_type(self, response: Any, media_type: str) -> None:
        response.mimetype = media_type

    def get(self, path: str, method: str = "GET", **kwargs: Any) -> Seen:
        kwargs.setdefault("headers", {"Accept": BROWSER_ACCEPT})
        client = self.app.test_client()
        # buffered: the body is read and closed, which runs what waits for close()
        response = client.open(path, method=method, buffered=True, **kwargs)
        try:
            return Seen(response.status_code, list(response.headers.items()), response.data)
        finally:
            response.close()


#: webob.exc class names that are not Werkzeug's with "HTTP" in front.
_WERKZEUG_NAMES: dict[str, str] = {}


class OurKit(Kit):
    name = "respond_mw"
    Forbidden = webob_exc.HTTPForbidden
    NotFound = webob_exc.HTTPNotFound
    Unauthorized = webob_exc.HTTPUnauthorized
    InternalServerError = webob_exc.HTTPInternalServerError
    MethodNotAllowed = webob_exc.HTTPMethodNotAllowed
    HTTPException = webob_exc.HTTPException

    def __init__(self, app: Any = None) -> None:
        super().__init__()
        self.app = respond_mw.Middleware(app)

    def abort(self, *args: Any) -> Any:
        respond_mw.abort(*args)

    def make_response(self, *args: Any) -> Any:
        return respond_mw.make_response(*args)

    def jsonify(self, *args: Any, **kwargs: Any) -> Any:
        return respond_mw.jsonify(*args, **kwargs)

    def redirect(self, location: str, code: int = 302, **kwargs: Any) -> Any:
        return respond_mw.redirect(location, code, **kwargs)

    def after_this_request(self, func: Callable[..., Any]) -> Any:
        return respond_mw.after_this_request(func)

    def stream_with_context(self, gen: Any) -> Any:
        return respond_mw.stream_with_context(gen)

    def response(self, body: str = "", status: int = 200, headers: Any = None) -> Any:
        response = WebObResponse(body, status=status)
        items: Iterable[tuple[str, str]] = (
            headers.items() if hasattr(headers, "items") else (headers or [])
        )
        for key, value in items:
            response.headers[key] = value
        return response

    def arg(self, name: str) -> str:
        value: str = respond_mw.current_request().GET[name]
        return value

    def method(self) -> str:
        method: str = respond_mw.current_request().method
        return method

    def path(self) -> str:
        path: str = respond_mw.current_request().path_info
        return path

    def body_text(self, response: Any) -> str:
        text: str = response.text
        return text

    def stash(self, key: str, value: Any) -> None:
        respond_mw.current_request().environ.setdefault("tests.stash", {})[key] = value

    def unstash(self, key: str) -> Any:
        return respond_mw.current_request().environ["tests.stash"][key]

    def append_body(self, response: Any, data: bytes) -> None:
        response.body += data

    def set_media_type(self, response: Any, media_type: str) -> None:
        response.content_type = media_type

    def error_name(self, error: BaseException) -> str:
        name = type(error).__name__
        if type(error).__module__ == "webob.exc" and name.startswith("HTTP"):
            name = _WERKZEUG_NAMES.get(name, name[4:])
        return name

    def get(self, path: str, method: str = "GET", **kwargs: Any) -> Seen:
        sent: list[list[tuple[str, str]]] = []

        def server_side(environ: Any, start_response: Any) -> Any:
            """Record the headers as the server receives them (WebOb adds a
            Content-Length to the TestResponse once it has read the body)."""

            def recording(status: str, headers: Any, exc_info: Any = None) -> Any:
                sent.append(list(headers))
                return start_response(status, headers, exc_info)

            return self.app(environ, recording)

        kwargs.setdefault("headers", {"Accept": BROWSER_ACCEPT})
        response = TestApp(server_side).request(path, method=method, expect_errors=True, **kwargs)
        return Seen(response.status_int, sent[-1], response.body)


def sides(build: Callable[[Any, Any], Any], legacy: Any = None) -> tuple[FlaskKit, OurKit]:
    """The Flask app and the respond_mw middleware ``build(app, kit)`` made, as kits
    (``kit.app``, ``kit.get``, ``kit.calls``). ``legacy`` is the application our
    middleware wraps (none: unmatched URLs are routing's 404, as in Flask)."""
    theirs, ours = FlaskKit(), OurKit(legacy)
    build(theirs.app, theirs)
    build(ours.app, ours)
    return theirs, ours


def resolved(location: str | None, base: str = "http://localhost/") -> str | None:
    """A Location made absolute: Werkzeug sends a relative one as given, WebOb makes
    it absolute (both valid, RFC 9110; see tests/test_flask_differential.py, 14)."""
    return None if location is None else urljoin(base, location)
