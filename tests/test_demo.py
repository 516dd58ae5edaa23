"""The demo site: every page through WebTest, then the real thing with ``python -m demo``."""

from __future__ import annotations

import html
import inspect
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from webob import Request
from webtest import TestApp

from demo.shared import STYLE
from demo.site import EXAMPLES, GREET, app

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
    "/rules/stream": (200, TEXT, "Streaming /rules/stream;"),
    "/rules/status": (201, HTML, "Created, with status 201."),
    "/rules/headers": (200, "text/plain", "plain text, by a header"),
    "/rules/status-headers": (418, JSON, '{"error":"I\'m a teapot"}'),
    "/rules/response": (200, HTML, "A webob Response"),
    "/rules/wsgi": (200, TEXT, "WSGI app at /rules/wsgi,"),
    "/rules/adapted": (200, JSON, '{"x":1.5,"y":2,"norm":2.5}'),
    GREET: (200, HTML, "Hello, &lt;em&gt;Ada&lt;/em&gt;!"),
    "/rules/post-only": (405, HTML, "GET is not allowed here (Allow: OPTIONS, POST)."),
    "/rules/abort": (404, HTML, "Nothing at /rules/abort."),
    "/report": (200, TEXT, "report line 1\nreport line 2\n"),
    "/hello/world": (200, JSON, '{"hello":"world"}'),
    "/items/2": (200, JSON, '{"id":2,"name":"kettle"}'),
    "/nowhere": (404, HTML, "Nothing at /nowhere."),
    "/pyramid/": (200, HTML, "This str came from a Pyramid view at /pyramid/."),
    "/pyramid/json": (200, JSON, '{"framework":"pyramid","route":"json"}'),
    "/pyramid/list": (200, JSON, '["pyramid","returns","a","list"]'),
    "/pyramid/stream": (200, TEXT, "pyramid chunk 3 for /pyramid/stream\n"),
    "/pyramid/tuple": (202, "text/plain", "accepted by Pyramid"),
    "/pyramid/wsgi": (200, TEXT, "WSGI app at /pyramid/wsgi,"),
    "/pyramid/point": (200, JSON, '{"x":3,"y":4,"norm":5.0}'),
    "/pyramid/renderer": (200, JSON, '{"rendered_by": "pyramid\'s json renderer"}'),
    "/pyramid/view": (200, JSON, '{"view":"@view","context":"DefaultRootFactory"}'),
    "/pyramid/forbidden": (403, HTML, "exception view says: Pyramid views may call respond_mw"),
    "/pyramid/nowhere": (404, HTML, "Nothing at /pyramid/nowhere."),
    "/bottle/": (200, HTML, "This str came from a Bottle route at /bottle/."),
    "/bottle/list": (200, JSON, '["bottle","returns","a","list"]'),
    "/bottle/hello/demo": (200, JSON, '{"hello":"demo","framework":"bottle"}'),
    "/bottle/stream": (200, TEXT, "bottle chunk 3 for /bottle/stream\n"),
    "/bottle/tuple": (201, "text/plain", "created by Bottle"),
    "/bottle/cookies": (200, TEXT, "two cookies set"),
    "/bottle/wsgi": (200, TEXT, "WSGI app at /bottle/wsgi,"),
    "/bottle/point": (200, JSON, '{"x":6,"y":8,"norm":10.0}'),
    "/bottle/skipped": (200, HTML, "joined by Bottle itself"),
    "/bottle/unauthorized": (401, HTML, "handler of Bottle says: Bottle&#x27;s abort still works"),
    "/bottle/nowhere": (404, HTML, "Nothing at /bottle/nowhere."),
}

NOT_FOUND = [path for path, (status, _, _) in PAGES.items() if status == 404]
#: Every HTML page of the demo: the index and the examples that answer HTML.
HTML_PAGES = ["/", *(path for path, (_, content_type, _) in PAGES.items() if content_type == HTML)]
STREAMED = ["/rules/stream", "/pyramid/stream", "/bottle/stream", "/report"]
BACK_LINK = "<a class='home' href='/'>"


@pytest.fixture(scope="module")
def client() -> TestApp:
    return TestApp(app, lint=True, extra_environ={"HTTP_ACCEPT": "text/plain"})


def test_every_example_is_tested() -> None:
    assert [example.path for _, example in EXAMPLES] == list(PAGES)


def test_index_links_every_example(client: TestApp) -> None:
    res = client.get("/")
    assert res.content_type == "text/html"
    links = re.findall(r"<a href='([^']+)'>", res.text)
    assert [html.unescape(link) for link in links] == list(PAGES)
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


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_have_the_stylesheet_and_the_back_link(client: TestApp, path: str) -> None:
    res = client.get(path, expect_errors=True)
    assert res.content_type == "text/html"
    head, _, body = res.text.partition("</head>")
    assert f"<style>{STYLE}</style>" in head
    assert "<link" not in head  # no external assets
    assert BACK_LINK in body


def test_every_html_example_is_checked_for_the_layout() -> None:
    """Each example answering HTML, in a browser too, is in :data:`HTML_PAGES`."""
    browser = TestApp(app, extra_environ={"HTTP_ACCEPT": "text/html,*/*;q=0.8"})
    for path in PAGES:
        res = browser.get(path, expect_errors=True)
        assert (res.content_type == "text/html") == (path in HTML_PAGES), path


@pytest.mark.parametrize("path", STREAMED)
def test_streamed_examples_are_plain_text_and_stream(path: str) -> None:
    status, headers, app_iter = Request.blank(path).call_application(app)
    try:
        assert status == "200 OK"
        assert dict(headers)["Content-Type"] == TEXT
        assert "Content-Length" not in dict(headers)  # not buffered
        assert not isinstance(app_iter, list)
        assert len(b"".join(app_iter).splitlines()) >= 3
    finally:
        getattr(app_iter, "close", lambda: None)()


def test_405_example_answers_405_with_allow(client: TestApp) -> None:
    res = client.get("/rules/post-only", status=405)
    assert res.headers["Allow"] == "OPTIONS, POST"
    assert "<form method='post'>" in res.text
    assert BACK_LINK in res.text
    assert client.head("/rules/post-only", status=405).headers["Allow"] == "OPTIONS, POST"
    posted = client.post("/rules/post-only", {"note": "a note"})
    assert "You posted the note: a note" in posted.text


def _index_examples(text: str) -> list[tuple[str, list[str]]]:
    """``(link, [source shown, unescaped])`` for each example of the index page."""
    found = []
    for link, body in re.findall(
        r"<div class='example'><p><a href='([^']+)'>.*?</p>(.*?)</div>", text, re.DOTALL
    ):
        blocks = re.findall(r"<pre><code>(.*?)</code></pre>", body, re.DOTALL)
        found.append((html.unescape(link), [html.unescape(block) for block in blocks]))
    return found


def test_index_shows_the_source_of_each_example(client: TestApp) -> None:
    text = client.get("/").text
    expected = [
        (example.path, [inspect.getsource(func) for func in example.code])
        for _, example in EXAMPLES
    ]
    assert _index_examples(text) == expected
    for _, example in EXAMPLES:
        assert example.code, f"{example.path} shows no code"
        for func in example.code:
            assert f"<pre><code>{html.escape(inspect.getsource(func))}</code></pre>" in text


def test_the_source_shown_is_escaped(client: TestApp) -> None:
    text = client.get("/").text
    assert "<h1>" not in text.partition("</h1>")[2]  # the examples' markup is shown as text
    assert html.escape("<p>A str is an HTML page (200, UTF-8).</p>") in text


SCRIPT = "<script>alert(1)</script>"


def test_echoed_input_is_escaped(client: TestApp) -> None:
    greeting = client.get("/rules/greet", {"name": SCRIPT})
    assert "Hello, &lt;script&gt;alert(1)&lt;/script&gt;!" in greeting.text
    posted = client.post("/rules/post-only", {"note": SCRIPT})
    assert "note: &lt;script&gt;alert(1)&lt;/script&gt;" in posted.text
    missing = client.get("/nowhere/" + urllib.parse.quote(SCRIPT), status=404)
    for res in (greeting, posted, missing):
        assert "<script" not in res.text


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


def fetch(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, data, timeout=10) as res:
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
        for path in HTML_PAGES:
            _, headers, body = fetch(f"{base}{path}")
            assert f"<style>{STYLE}</style>" in body and BACK_LINK in body, path
        for path in STREAMED:
            _, headers, _ = fetch(f"{base}{path}")
            assert headers["Content-Type"] == TEXT, path
            assert headers["Transfer-Encoding"] == "chunked", path
        status, headers, _ = fetch(f"{base}/rules/post-only")
        assert (status, headers["Allow"]) == (405, "OPTIONS, POST")
        note = urllib.parse.urlencode({"note": SCRIPT}).encode()
        status, _, body = fetch(f"{base}/rules/post-only", note)
        assert status == 200
        assert "note: &lt;script&gt;" in body and "<script" not in body
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0
        assert out == "Stopped.\n"
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
