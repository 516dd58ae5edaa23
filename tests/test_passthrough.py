"""What the Middleware does to the wrapped application's responses when hooks or
conditional responses apply: a file keeps the server's fast path, and pages of
real applications (Flask, Django) with a Content-Length get their ETag."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from webtest import TestApp

from respond_mw import Middleware
from tests.server import serve
from tests.test_request_body import _django_app

# ------------------------------------------------ a file through wsgi.file_wrapper


class FileWrapper:
    """A server's wsgi.file_wrapper: the object it recognises to send a file itself."""

    def __init__(self, file: Any, block_size: int = 8192) -> None:
        self.file = file
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.file.read(8192):
            yield chunk

    def close(self) -> None:
        self.closed = True
        self.file.close()


def _file_app(path: Path) -> Callable[..., Any]:
    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](open(path, "rb"), 65536)

    return legacy


def test_a_file_keeps_the_servers_own_wrapper_with_hooks(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 100_000)
    events: list[str] = []
    mw = Middleware(_file_app(path))
    mw.before_request(lambda: events.append("before"))
    mw.teardown_request(lambda error: events.append(f"teardown {error}"))
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/file",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.file_wrapper": FileWrapper,
    }
    body = mw(environ, lambda status, headers, exc_info=None: None)
    assert type(body) is FileWrapper  # the server's object: it sends the file itself
    assert events == ["before"]
    assert b"".join(body) == path.read_bytes()
    body.close()
    assert body.closed and events == ["before", "teardown None"]  # teardown still runs
    body.close()
    assert events == ["before", "teardown None"]  # once


@pytest.mark.functional
def test_a_file_through_waitress_with_hooks_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * 40_000)  # 10 MB
    torn: list[str] = []
    mw = Middleware(_file_app(path))
    mw.before_request(lambda: None)
    mw.teardown_request(lambda error: torn.append("done"))
    with serve(mw) as url:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/file")
        response = conn.getresponse()
        assert response.read() == path.read_bytes()
        conn.close()
    assert torn == ["done"]


# ------------------------------------------------ conditional legacy pages


def _flask_pages() -> Any:
    app = flask.Flask("legacy_pages")

    @app.get("/page")
    def page() -> str:
        return "<h1>a Flask page</h1>"

    @app.get("/big")
    def big() -> str:
        return "x" * 5000

    @app.get("/stream")
    def stream() -> Any:
        return flask.Response((c for c in ["a", "b"]), mimetype="text/plain")

    return app


def _django_pages() -> Any:
    from django.urls import path

    app = _django_app()
    urls = __import__("tests_legacy_django_urls")
    if not any(getattr(p, "name", None) == "page" for p in urls.urlpatterns):
        from django.http import HttpResponse, StreamingHttpResponse

        urls.urlpatterns += [
            path("page", lambda r: HttpResponse("<h1>a Django page</h1>"), name="page"),
            path("big", lambda r: HttpResponse("x" * 5000), name="big"),
            path("stream", lambda r: StreamingHttpResponse(iter([b"a", b"b"])), name="s"),
        ]
    return app


PAGES = {"flask": _flask_pages, "django": _django_pages}


@pytest.mark.parametrize("legacy", PAGES)
def test_legacy_pages_with_a_length_get_an_etag_and_a_304(legacy: str) -> None:
    alone = TestApp(PAGES[legacy]()).get("/page")
    client = TestApp(Middleware(PAGES[legacy](), conditional=True, conditional_limit=1000))
    page = client.get("/page")
    assert page.body == alone.body
    etag = page.headers["ETag"]
    again = client.get("/page", headers={"If-None-Match": etag}, status=304)
    assert again.body == b""
    assert again.headers["ETag"] == etag
    assert "ETag" not in alone.headers


@pytest.mark.parametrize("legacy", PAGES)
@pytest.mark.parametrize("page", ["/big", "/stream"], ids=["over-the-limit", "streamed"])
def test_legacy_pages_over_the_limit_or_streamed_are_not_read(legacy: str, page: str) -> None:
    alone = TestApp(PAGES[legacy]()).get(page)
    client = TestApp(Middleware(PAGES[legacy](), conditional=True, conditional_limit=1000))
    resp = client.get(page)
    assert (resp.body, "ETag" in resp.headers) == (alone.body, False)
