"""The ``500`` page of ``debug=True`` (``@view`` and ``Middleware``): the traceback in
the representation ``Accept`` asks for -- HTML escaped inside ``<pre>``, JSON, plain
text -- and nothing of it without debug."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from webtest import TestApp

from respond_mw import Middleware, view

MESSAGE = "<script>alert('debug')</script>"


def failing_view(debug: bool) -> Any:
    @view(debug=debug)
    def explode() -> str:
        raise RuntimeError(MESSAGE)

    return explode


def failing_route(debug: bool) -> Any:
    site = Middleware(debug=debug)

    @site.route("/")
    def explode() -> str:
        raise RuntimeError(MESSAGE)

    return site


EDGES = [
    pytest.param(failing_view, id="view"),
    pytest.param(failing_route, id="middleware"),
]


def get(make: Any, debug: bool, accept: str | None) -> Any:
    headers = {} if accept is None else {"Accept": accept}
    return TestApp(make(debug), lint=True).get("/", status=500, headers=headers)


@pytest.mark.parametrize("make", EDGES)
@pytest.mark.parametrize("accept", ["text/html", "*/*", "text/html,application/json;q=0.9"])
def test_html_has_the_traceback_escaped_inside_pre(make: Any, accept: str) -> None:
    resp = get(make, True, accept)
    assert resp.content_type == "text/html"
    [pre] = re.findall(r"<pre>(.*?)</pre>", resp.text, re.DOTALL)
    assert "Traceback (most recent call last):\n" in pre
    assert f"RuntimeError: {html.escape(MESSAGE)}" in pre
    assert "<script>" not in resp.text
    assert "<h1>500 Internal Server Error</h1>" in resp.text


@pytest.mark.parametrize("make", EDGES)
def test_json_has_the_traceback(make: Any) -> None:
    resp = get(make, True, "application/json")
    assert resp.content_type == "application/json"
    document = resp.json
    assert document["code"] == "500 Internal Server Error"
    assert document["title"] == "Internal Server Error"
    assert " raised:\nTraceback (most recent call last):\n" in document["traceback"]
    assert document["traceback"].endswith(f"RuntimeError: {MESSAGE}\n")


@pytest.mark.parametrize("make", EDGES)
@pytest.mark.parametrize("accept", ["text/plain", None], ids=["text-plain", "no-accept"])
def test_plain_text_has_the_traceback_as_it_is(make: Any, accept: str | None) -> None:
    resp = get(make, True, accept)
    assert resp.content_type == "text/plain"
    assert resp.text.startswith("500 Internal Server Error\n\n")
    assert "Traceback (most recent call last):\n  File " in resp.text
    assert resp.text.endswith(f"RuntimeError: {MESSAGE}\n")


@pytest.mark.parametrize("make", EDGES)
@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_head_has_the_length_of_get_and_no_body(make: Any, accept: str) -> None:
    client = TestApp(make(True), lint=True)
    got = client.get("/", status=500, headers={"Accept": accept})
    head = client.head("/", status=500, headers={"Accept": accept})
    assert head.body == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"] == str(len(got.body))


@pytest.mark.parametrize("make", EDGES)
@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_without_debug_nothing_of_the_traceback(make: Any, accept: str) -> None:
    resp = get(make, False, accept)
    assert resp.status_int == 500
    for secret in ("Traceback", "RuntimeError", "alert", "explode", "script", "raised"):
        assert secret not in resp.text
