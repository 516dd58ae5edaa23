"""abort() and redirect() (:mod:`respond_mw.helpers`)."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
import webtest
from webob import Request, Response
from webob import exc as webob_exc

from respond_mw import abort, redirect, view
from respond_mw.context import RequestState, reset_state, set_state


@pytest.fixture
def in_request() -> Iterator[None]:
    token = set_state(RequestState(Request.blank("http://site.example/a/b?q=1"), "v", "text/html"))
    yield
    reset_state(token)


# --------------------------------------------------------------------------- abort

ABORTS = [
    pytest.param(404, webob_exc.HTTPNotFound, "404 Not Found", id="int"),
    pytest.param(HTTPStatus.FORBIDDEN, webob_exc.HTTPForbidden, "403 Forbidden", id="httpstatus"),
    pytest.param("410", webob_exc.HTTPGone, "410 Gone", id="str"),
    pytest.param("404 Gone Fishing", webob_exc.HTTPNotFound, "404 Gone Fishing", id="custom"),
    pytest.param(499, webob_exc.HTTPClientError, "499 Unknown Client Error", id="unknown-4xx"),
    pytest.param(599, webob_exc.HTTPServerError, "599 Unknown Server Error", id="unknown-5xx"),
]


@pytest.mark.parametrize(("status", "cls", "line"), ABORTS)
def test_abort(status: Any, cls: type[Exception], line: str) -> None:
    with pytest.raises(cls) as info:
        abort(status, "some <detail>")
    error: Any = info.value
    assert error.status == line
    assert error.detail == "some <detail>"


@pytest.mark.parametrize(
    ("status", "code"),
    [pytest.param(404, 404, id="known"), pytest.param("404 Gone Fishing", 404, id="custom")],
)
def test_abort_in_a_view_answers_with_escaped_detail(status: Any, code: int) -> None:
    @view
    def gone() -> str:
        abort(status, "<script>x</script>")

    resp = webtest.TestApp(gone).get("/", status=code, headers={"Accept": "text/html"})
    assert "<script>x</script>" not in resp.text
    assert "&lt;script&gt;" in resp.text


def test_abort_with_a_response() -> None:
    ready = Response("teapot", status=418)
    with pytest.raises(webob_exc.HTTPException) as info:
        abort(ready)
    assert info.value.wsgi_response is ready


@pytest.mark.parametrize(
    "status",
    [pytest.param(99, id="99"), pytest.param(600, id="600"), pytest.param("x", id="garbage")],
)
def test_abort_with_a_bad_status(status: Any) -> None:
    with pytest.raises(ValueError, match="status"):
        abort(status)


# ------------------------------------------------------------------------ redirect

SAFE = [
    pytest.param("/elsewhere", "http://site.example/elsewhere", id="absolute-path"),
    pytest.param("other", "http://site.example/a/other", id="relative"),
    pytest.param("../up", "http://site.example/up", id="dot-dot"),
    pytest.param("?page=2", "http://site.example/a/b?page=2", id="query-only"),
    pytest.param("http://site.example/x", "http://site.example/x", id="same-origin-url"),
    pytest.param("/caf%C3%A9", "http://site.example/caf%C3%A9", id="quoted"),
]


@pytest.mark.parametrize(("location", "target"), SAFE)
@pytest.mark.usefixtures("in_request")
def test_redirect_resolves_against_the_request(location: str, target: str) -> None:
    resp = redirect(location)
    assert (resp.status_code, resp.location) == (302, target)


OPEN_REDIRECTS = [
    pytest.param("//evil.example", "leaves this site", id="scheme-relative"),
    pytest.param("//evil.example/path", "leaves this site", id="scheme-relative-path"),
    pytest.param("/\\evil.example", "backslashes", id="slash-backslash"),
    pytest.param("\\\\evil.example", "backslashes", id="backslashes"),
    pytest.param(" //evil.example", "whitespace", id="leading-space"),
    pytest.param("\t//evil.example", "whitespace", id="leading-tab"),
    pytest.param("/\r\nSet-Cookie: x=1", "control characters", id="crlf-injection"),
    pytest.param("https://evil.example", "leaves this site", id="other-host"),
    pytest.param("https://site.example/", "leaves this site", id="other-scheme"),
    pytest.param("http://site.example@evil.example/", "leaves this site", id="userinfo-trick"),
    pytest.param("https:evil.example", "leaves this site", id="scheme-without-slashes"),
    pytest.param("javascript:alert(1)", "leaves this site", id="javascript"),
]


@pytest.mark.parametrize(("location", "message"), OPEN_REDIRECTS)
@pytest.mark.usefixtures("in_request")
def test_open_redirects_are_refused(location: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redirect(location)


@pytest.mark.usefixtures("in_request")
def test_allow_external() -> None:
    resp = redirect("https://other.example/x", 303, allow_external=True)
    assert (resp.status_code, resp.location) == (303, "https://other.example/x")


@pytest.mark.parametrize(
    ("location", "message"),
    [
        pytest.param("javascript:alert(1)", "must be an http", id="other-schemes"),
        pytest.param(" //evil.example", "whitespace", id="whitespace-tricks"),
    ],
)
@pytest.mark.usefixtures("in_request")
def test_allow_external_still_refuses(location: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redirect(location, allow_external=True)


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_codes(code: int) -> None:
    resp = redirect("/x", code)
    assert (resp.status_code, resp.location) == (code, "/x")


@pytest.mark.parametrize("code", [200, 300, 304, 404])
def test_redirect_bad_code(code: int) -> None:
    with pytest.raises(ValueError, match="not one of 301"):
        redirect("/x", code)


@pytest.mark.parametrize(
    "location",
    [
        pytest.param("relative", id="relative"),
        pytest.param("//evil.example", id="scheme-relative"),
        pytest.param("https://evil.example", id="url"),
    ],
)
def test_outside_a_request_only_absolute_paths(location: str) -> None:
    with pytest.raises(ValueError, match="absolute path outside of a request"):
        redirect(location)


@pytest.mark.parametrize(
    ("location", "message"),
    [pytest.param("", "non-empty str", id="empty")],
)
def test_redirect_bad_location(location: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redirect(location)


def test_redirect_from_a_view() -> None:
    @view
    def go() -> Response:
        return redirect("next")

    resp = webtest.TestApp(go).get("/dir/page", status=302)
    assert resp.headers["Location"] == "http://localhost/dir/next"
