"""The demo site: every page through WebTest, then the real thing with ``python -m demo``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from webtest import TestApp

from demo.site import EXAMPLES, app

from .subprocess_support import ROOT, environment, read_line

HTML = "text/html; charset=UTF-8"
JSON = "application/json"
TEXT = "text/plain; charset=UTF-8"

#: path -> (status, Content-Type, a piece of the body)
PAGES: dict[str, tuple[int, str, str]] = {
    "/rules/str": (200, HTML, "<h1>Hello from a str</h1>"),
    "/rules/bytes": (200, HTML, "bytes go out as they are: \u2713"),
    "/rules/dict": (200, JSON, '{"rule":"dict","becomes":"application/json","path":"/rules/dict"}'),
    "/rules/list": (200, JSON, '["a","list","is","JSON","too",1,2,3]'),
    "/rules/stream": (200, HTML, "Streaming /rules/stream;"),
    "/rules/status": (201, HTML, "Created, with status 201."),
    "/rules/headers": (200, "text/plain", "plain text, by a header"),
    "/rules/status-headers": (418, JSON, '{"error":"I\'m a teapot"}'),
    "/rules/response": (200, HTML, "A webob Response"),
    "/rules/wsgi": (200, TEXT, "WSGI app at /rules/wsgi,"),
    "/rules/adapted": (200, JSON, '{"x":1.5,"y":2,"norm":2.5}'),
    "/rules/abort": (404, HTML, "Nothing at /rules/abort."),
    "/report": (200, TEXT, "report line 1\nreport line 2\n"),
    "/hello/world": (200, JSON, '{"hello":"world"}'),
    "/items/2": (200, JSON, '{"id":2,"name":"kettle"}'),
    "/nowhere": (404, HTML, "Nothing at /nowhere."),
    "/pyramid/": (200, HTML, "This str came from a Pyramid view at /pyramid/."),
    "/pyramid/json": (200, JSON, '{"framework":"pyramid","route":"json"}'),
    "/pyramid/list": (200, JSON, '["pyramid","returns","a","list"]'),
    "/pyramid/stream": (200, HTML, "pyramid chunk 3 for /pyramid/stream\n"),
    "/pyramid/tuple": (202, "text/plain", "accepted by Pyramid"),
    "/pyramid/wsgi": (200, TEXT, "WSGI app at /pyramid/wsgi,"),
    "/pyramid/point": (200, JSON, '{"x":3,"y":4,"norm":5.0}'),
    "/pyramid/renderer": (200, JSON, '{"rendered_by": "pyramid\'s json renderer"}'),
    "/pyramid/view": (200, JSON, '{"view":"@view","context":"DefaultRootFactory"}'),
    "/pyramid/forbidden": (403, TEXT, "Pyramid views may call respond_mw.abort"),
    "/pyramid/nowhere": (404, HTML, "Nothing at /pyramid/nowhere."),
    "/bottle/": (200, HTML, "This str came from a Bottle route at /bottle/."),
    "/bottle/list": (200, JSON, '["bottle","returns","a","list"]'),
    "/bottle/hello/demo": (200, JSON, '{"hello":"demo","framework":"bottle"}'),
    "/bottle/stream": (200, HTML, "bottle chunk 3 for /bottle/stream\n"),
    "/bottle/tuple": (201, "text/plain", "created by Bottle"),
    "/bottle/cookies": (200, TEXT, "two cookies set"),
    "/bottle/wsgi": (200, TEXT, "WSGI app at /bottle/wsgi,"),
    "/bottle/point": (200, JSON, '{"x":6,"y":8,"norm":10.0}'),
    "/bottle/skipped": (200, HTML, "joined by Bottle itself"),
    "/bottle/unauthorized": (401, HTML, "Bottle&#039;s abort still works"),
    "/bottle/nowhere": (404, HTML, "Nothing at /bottle/nowhere."),
}

NOT_FOUND = [path for path, (status, _, _) in PAGES.items() if status == 404]


@pytest.fixture(scope="module")
def client() -> TestApp:
    return TestApp(app, lint=True, extra_environ={"HTTP_ACCEPT": "text/plain"})


def test_every_example_is_tested() -> None:
    assert [path for _, path, _ in EXAMPLES] == list(PAGES)


def test_index_links_every_example(client: TestApp) -> None:
    res = client.get("/")
    assert res.content_type == "text/html"
    links = re.findall(r"<a href='([^']+)'>", res.text)
    assert links == list(PAGES)
    for section in ("Plain functions", "Legacy WSGI app", "Pyramid", "Bottle"):
        assert section in res.text


@pytest.mark.parametrize("path", list(PAGES))
def test_demo_page(client: TestApp, path: str) -> None:
    status, content_type, snippet = PAGES[path]
    res = client.get(path, status=status, expect_errors=status >= 400)
    assert res.headers["Content-Type"] == content_type
    assert snippet in res.text


@pytest.mark.parametrize("path", NOT_FOUND)
def test_custom_404_page_everywhere(client: TestApp, path: str) -> None:
    res = client.get(path, status=404)
    assert res.headers["X-Something"] == "A value"
    assert "<title>Not found</title>" in res.text


def test_headers_and_cookies_of_the_examples(client: TestApp) -> None:
    assert client.get("/rules/headers").headers["X-Demo"] == "headers"
    assert client.get("/rules/status-headers", status=418).headers["X-Tea"] == "earl grey"
    assert client.get("/rules/response").headers["Set-Cookie"].startswith("demo=respond_mw")
    assert client.get("/pyramid/tuple", status=202).headers["X-Demo"] == "pyramid"
    assert client.get("/bottle/tuple", status=201).headers["X-Demo"] == "bottle"
    cookies = client.get("/bottle/cookies").headers.getall("Set-Cookie")
    assert sorted(c.split(";")[0] for c in cookies) == ["flavour=chocolate", "size=large"]


def test_legacy_hooks_still_time_every_stack(client: TestApp) -> None:
    for path in ("/rules/str", "/pyramid/json", "/bottle/list", "/report"):
        assert client.get(path).headers["Server-Timing"].startswith("app;dur=")


# ------------------------------------------------------------- the real server


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as res:
            return res.status, dict(res.headers), res.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


@pytest.mark.functional
def test_python_m_demo_serves_every_stack() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--host", "127.0.0.1", "--port", "0", "--threads", "2"],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(proc)
        match = re.search(r"Serving the demo on (http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        base = match[1]
        status, _, body = fetch(f"{base}/")
        assert status == 200
        assert "respond_mw demo" in body
        for path, (expected, content_type, snippet) in PAGES.items():
            status, headers, body = fetch(f"{base}{path}")
            assert (path, status) == (path, expected)
            assert headers["Content-Type"] == content_type, path
            assert snippet in body, path
        status, headers, _ = fetch(f"{base}/bottle/nowhere")
        assert headers["X-Something"] == "A value"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert out == "Stopped.\n"
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
