"""What a client sends is untrusted: Range, dates, conditional requests, file names,
redirect targets, paths that are not UTF-8, malformed bodies -- and a cancelled async
route. Each behaviour is checked against RFC 9110 (and, where Flask answers, as Flask
does); the properties at the end hold for any header, path or body a client may send.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Response
from webtest import TestApp

from respond_mw import (
    Middleware,
    abort,
    current_request,
    make_response,
    redirect,
    send_from_directory,
    view,
)
from respond_mw.aio import CoroutineCancelled
from respond_mw.request import BadRequestBody, Request

from .hostile_support import error_records, exchange, parse_responses
from .server import serve
from .wsgi_support import blank_environ, call_wsgi

CONTENT = bytes(range(256)) * 4  # 1,024 bytes, every value

# ------------------------------------------------------------------------ fixtures


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(CONTENT)
    return path


def _file_app(path: Path) -> TestApp:
    @view
    def serve_file() -> Path:
        return path

    return TestApp(serve_file)


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG, logger="respond_mw")
    yield
    assert error_records(caplog) == []


# --------------------------------------------------------------------------- Range


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-\u00b2",  # superscript two: str.isdigit() says yes
        "bytes=\u00b9-3",
        "bytes=\u00b3\u00b9-",
        "bytes=-\u00b9",
        "bytes=0-\u0663",  # an Arabic-Indic digit (what a proxy may pass on as latin-1)
    ],
)
def test_range_of_digits_that_are_not_ascii_is_ignored(data_file: Path, header: str) -> None:
    resp = _file_app(data_file).get("/", headers={"Range": header.encode().decode("latin-1")})
    assert resp.status_int == 200
    assert resp.body == CONTENT


@pytest.mark.usefixtures("no_errors_logged")
def test_range_numbers_thousands_of_digits_long_are_read_exactly(data_file: Path) -> None:
    app = _file_app(data_file)
    huge = "9" * 5000
    resp = app.get("/", headers={"Range": f"bytes=10-{huge}"}, status=206)
    assert resp.headers["Content-Range"] == f"bytes 10-1023/{len(CONTENT)}"
    assert resp.body == CONTENT[10:]
    resp = app.get("/", headers={"Range": f"bytes={huge}-"}, status=416)
    assert resp.headers["Content-Range"] == f"bytes */{len(CONTENT)}"
    resp = app.get("/", headers={"Range": f"bytes=-{huge}"}, status=206)
    assert resp.body == CONTENT
    resp = app.get("/", headers={"Range": "bytes=" + "0" * 5000 + "5-6"}, status=206)
    assert resp.body == CONTENT[5:7]
    # last < first, however long: an invalid range, ignored
    resp = app.get("/", headers={"Range": f"bytes={'1' * 30}-{'1' * 25}"}, status=200)
    assert resp.body == CONTENT


# -------------------------------------------------------------------- file names


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize("name", ["x" * 300, "a/" * 3000 + "b", "d" * 255 + "/e"])
def test_over_long_file_names_are_not_found(tmp_path: Path, name: str) -> None:
    mw = Middleware()

    @mw.route("/static/<path:name>")
    def static(name: str) -> Response:
        return send_from_directory(tmp_path, name)

    @mw.route("/direct/<path:name>")
    def direct(name: str) -> Path:
        return tmp_path / name

    app = TestApp(mw)
    app.get(f"/static/{name}", status=404)
    app.get(f"/direct/{name}", status=404)


# --------------------------------------------------------------------------- dates

INSTANT = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110 5.6.7's example
DATE_FORMATS = {
    "IMF-fixdate": "Sun, 06 Nov 1994 08:49:37 GMT",
    "RFC 850": "Sunday, 06-Nov-94 08:49:37 GMT",
    "asctime": "Sun Nov  6 08:49:37 1994",
}


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server's local time zone is not GMT."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize("date", DATE_FORMATS.values(), ids=DATE_FORMATS.keys())
def test_dates_in_each_of_the_three_formats_are_gmt(data_file: Path, date: str) -> None:
    app = _file_app(data_file)
    os.utime(data_file, (INSTANT, INSTANT))
    app.get("/", headers={"If-Modified-Since": date}, status=304)
    app.get("/", headers={"If-Unmodified-Since": date}, status=200)
    os.utime(data_file, (INSTANT + 3600, INSTANT + 3600))  # an hour later: modified
    assert app.get("/", headers={"If-Modified-Since": date}, status=200).body == CONTENT
    app.get("/", headers={"If-Unmodified-Since": date}, status=412)
    os.utime(data_file, (INSTANT - 3600, INSTANT - 3600))
    app.get("/", headers={"If-Modified-Since": date}, status=304)


def test_if_match_is_a_strong_comparison(data_file: Path) -> None:
    app = _file_app(data_file)
    etag = app.get("/").headers["ETag"]
    assert app.get("/", headers={"If-Match": etag}).body == CONTENT
    app.get("/", headers={"If-Match": f'"other", {etag}'}, status=200)
    app.get("/", headers={"If-Match": "*"}, status=200)
    app.get("/", headers={"If-Match": f"W/{etag}"}, status=412)
    app.get("/", headers={"If-Match": '"other"'}, status=412)
    # If-Match takes precedence over If-Unmodified-Since (RFC 9110 13.2.2)
    app.get("/", headers={"If-Match": etag, "If-Unmodified-Since": DATE_FORMATS["asctime"]})


# ------------------------------------------------------ a file with a tuple's status


@pytest.mark.parametrize("status", [200, "200 OK", "200 Fine"])
def test_revalidated_file_in_a_200_tuple_is_not_an_empty_200(
    data_file: Path, status: int | str
) -> None:
    @view
    def page() -> Any:
        return data_file, status, {"Cache-Control": "max-age=60"}

    app = TestApp(page)
    first = app.get("/")
    assert first.body == CONTENT
    etag = first.headers["ETag"]
    resp = app.get("/", headers={"If-None-Match": etag}, status=304)
    assert resp.body == b""
    assert resp.headers["ETag"] == etag
    assert resp.headers["Cache-Control"] == "max-age=60"
    resp = app.get("/", headers={"Range": "bytes=1-2"}, status=206)
    assert resp.body == CONTENT[1:3]


@pytest.mark.parametrize("status", [203, 404, 410, 500])
def test_a_file_in_a_tuple_of_another_status_is_sent_whole(data_file: Path, status: int) -> None:
    @view
    def page() -> Any:
        return data_file, status

    app = TestApp(page)
    etag = app.get("/", status=status).headers["ETag"]
    for headers in ({"If-None-Match": etag}, {"Range": "bytes=1-2"}, {"If-Match": '"x"'}):
        resp = app.get("/", headers=headers, status=status)
        assert resp.body == CONTENT


def test_an_open_file_in_a_tuple_of_another_status_is_sent_whole(data_file: Path) -> None:
    @view
    def page() -> Any:
        return data_file.open("rb"), 404

    resp = TestApp(page).get("/", headers={"Range": "bytes=1-2"}, status=404)
    assert resp.body == CONTENT


# ----------------------------------------------------- HEAD of a conditional legacy app


def _legacy_page(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = f"page {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _streamed_page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    body = f"page {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    if environ["REQUEST_METHOD"] != "HEAD":
        yield body


@pytest.mark.parametrize("legacy", [_legacy_page, _streamed_page])
def test_head_of_a_conditional_legacy_page_has_the_etag_get_gets(legacy: Any) -> None:
    app = TestApp(Middleware(legacy, conditional=True))
    get_a, get_b = app.get("/a"), app.get("/b")
    assert get_a.headers["ETag"] != get_b.headers["ETag"]
    head = app.head("/a")
    assert head.headers["ETag"] == get_a.headers["ETag"]
    assert head.headers["Content-Length"] == get_a.headers["Content-Length"]
    assert head.body == b""
    assert app.head("/b").headers["ETag"] == get_b.headers["ETag"]
    resp = app.head("/a", headers={"If-None-Match": get_a.headers["ETag"]}, status=304)
    assert resp.headers["ETag"] == get_a.headers["ETag"]


def test_head_of_a_legacy_page_without_conditional_reaches_it_as_head() -> None:
    seen: list[str] = []

    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(environ["REQUEST_METHOD"])
        return _legacy_page(environ, start_response)

    TestApp(Middleware(legacy)).head("/a")
    TestApp(Middleware(legacy, conditional=True)).head("/a")
    assert seen == ["HEAD", "GET"]


# ------------------------------------------------------------------- redirect targets


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/café", "http://localhost/caf%C3%A9"),
        (
            "/日本/ページ?q=é#frag",
            "http://localhost/%E6%97%A5%E6%9C%AC/%E3%83%9A%E3%83%BC%E3%82%B8?q=%C3%A9#frag",
        ),
        ("/already%20quoted", "http://localhost/already%20quoted"),
    ],
)
def test_redirect_to_an_iri_sends_its_uri(target: str, location: str) -> None:
    @view
    def go() -> Response:
        return redirect(target)

    assert TestApp(go).get("/", status=302).headers["Location"] == location


def test_a_location_header_that_is_an_iri_is_sent_as_its_uri() -> None:
    @view
    def moved() -> Any:
        return "", 301, {"Location": "http://bücher.example/café"}

    resp = TestApp(moved).get("/", status=301)
    assert resp.headers["Location"] == "http://xn--bcher-kva.example/caf%C3%A9"


@pytest.mark.functional
def test_redirect_to_an_iri_is_ascii_on_the_wire() -> None:
    mw = Middleware()

    @mw.route("/go")
    def go() -> Response:
        return redirect("/café")

    @mw.route("/raised")
    def raised() -> Any:
        abort(redirect("/naïve"))

    with serve(mw) as url:
        for path, expected in [("/go", b"/caf%C3%A9"), ("/raised", b"/na%C3%AFve")]:
            raw = exchange(url, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), expect=1)
            (response,) = parse_responses(raw)
            location = response.header("location")
            assert location is not None and location.endswith(expected.decode())
            assert raw.isascii()


# ------------------------------------------------------------ paths that are not UTF-8


def test_the_request_reads_a_path_that_is_not_utf8() -> None:
    request = Request(blank_environ("/caf%FF/x"))
    assert request.path_info == "/caf\ufffd/x"  # replaced, as Werkzeug does
    assert request.path == "/caf%FF/x"  # the bytes the client sent
    assert request.url == "http://localhost/caf%FF/x"
    assert request.path_qs == "/caf%FF/x"
    request = Request(blank_environ("/%C3%A9?q=%ff&r=%C3%A9"))
    assert (request.path, request.path_info) == ("/%C3%A9", "/é")
    assert request.GET["q"] == "\ufffd" and request.GET["r"] == "é"
    assert request.params["q"] == "\ufffd"


@pytest.mark.usefixtures("no_errors_logged")
def test_a_path_that_is_not_utf8_reaches_the_custom_404() -> None:
    mw = Middleware()

    @mw.route("/<name>")
    def named(name: str) -> str:
        return name

    @mw.errorhandler(404)
    def not_found(error: Exception) -> Any:
        request = current_request()
        return {"path": request.path, "info": request.path_info, "url": request.url}, 404

    resp = TestApp(mw).get("/%ff?x=%ff", status=404)
    assert resp.json == {
        "path": "/%FF",
        "info": "/\ufffd",
        "url": "http://localhost/%FF?x=%ff",
    }


def test_a_wrapped_app_raising_on_a_path_that_is_not_utf8_gets_the_500_page(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("the legacy app failed")

    mw = Middleware(legacy)
    seen: list[str] = []

    @mw.errorhandler(500)
    def failed(error: Exception) -> Any:
        seen.append(current_request().path)
        return "failed", 500

    assert TestApp(mw).get("/%ff", status=500).text == "failed"
    assert seen == ["/%FF"]
    assert any(
        "the legacy app failed" in str(r.exc_info[1]) for r in error_records(caplog) if r.exc_info
    )


def test_a_path_that_is_not_utf8_gets_the_generic_500_without_handlers() -> None:
    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("the legacy app failed")

    mw = Middleware(legacy)

    @mw.before_request
    def reads_the_path() -> None:
        assert current_request().path == "/%FF"

    result = call_wsgi(mw, "/%ff")
    assert result.status == "500 Internal Server Error"


@pytest.mark.usefixtures("no_errors_logged")
def test_a_view_reads_a_path_that_is_not_utf8() -> None:
    @view
    def echo(request: Request) -> dict[str, str]:
        return {"path": request.path, "info": request.path_info}

    assert TestApp(echo).get("/%ff").json == {"path": "/%FF", "info": "/\ufffd"}


# ------------------------------------------------------------- malformed request bodies

MALFORMED_BODIES = {
    "not JSON": (b"{not json", "application/json", "json"),
    "JSON not UTF-8": (b'"\xff\xfe"', "application/json", "json_body"),
    "JSON, unknown charset": (b"{}", "application/json; charset=nonsense", "json"),
    "multipart without boundary": (b"garbage", "multipart/form-data", "POST"),
    "form, unknown charset": (b"a=1", "application/x-www-form-urlencoded; charset=x-nope", "POST"),
    "params, unknown charset": (
        b"a=1",
        "application/x-www-form-urlencoded; charset=x-nope",
        "params",
    ),
}


def _body_reader(attribute: str) -> Callable[[Request], Any]:
    def read(request: Request) -> Any:
        value = getattr(request, attribute)
        return {"read": json.loads(json.dumps(value, default=lambda v: list(v.items())))}

    return read


@pytest.mark.usefixtures("no_errors_logged")
@pytest.mark.parametrize(
    ("body", "content_type", "attribute"), MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys()
)
def test_a_malformed_body_is_a_400_through_the_handlers(
    body: bytes, content_type: str, attribute: str
) -> None:
    mw = Middleware()
    mw.route("/read", methods=["POST"])(_body_reader(attribute))
    handled: list[BaseException] = []

    @mw.errorhandler(400)
    def bad_request(error: BaseException) -> Any:
        handled.append(error)
        return {"error": "bad body"}, 400

    # WebTest would add a boundary to a multipart type: the environ is built here (and
    # not validated: WebOb cannot read a body through wsgiref's validator)
    result = call_wsgi(mw, "/read", "POST", body=body, content_type=content_type, validate=False)
    assert result.status == "400 Bad Request"
    assert json.loads(result.body) == {"error": "bad body"}
    assert len(handled) == 1 and isinstance(handled[0], BadRequestBody)
    assert isinstance(handled[0], ValueError)  # what code written for WebOb catches

    # and the default page, with a message that says what could not be read
    plain = view(_body_reader(attribute))
    result = call_wsgi(plain, "/", "POST", body=body, content_type=content_type, validate=False)
    assert result.status == "400 Bad Request"
    assert b"cannot be read" in result.body


def test_code_that_catches_valueerror_keeps_working() -> None:
    @view
    def tolerant(request: Request) -> Any:
        try:
            return {"got": request.json}
        except ValueError:
            return {"error": "send JSON"}, 422

    app = TestApp(tolerant)
    assert app.post("/", b"{", content_type="application/json", status=422).json == {
        "error": "send JSON"
    }


def test_a_form_in_a_charset_python_knows_is_transcoded() -> None:
    @view
    def form(request: Request) -> dict[str, str]:
        return dict(request.POST)

    app = TestApp(form)
    resp = app.post(
        "/", b"name=Ren\xe9e", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert resp.json == {"name": "Renée"}


# ------------------------------------------------------------ cancelled async routes


async def _cancelled() -> str:
    task = asyncio.ensure_future(asyncio.sleep(10))
    task.cancel()
    await task
    return "never"


def test_a_cancelled_async_route_runs_teardown_and_the_500_handler() -> None:
    mw = Middleware()
    torn: list[BaseException | None] = []
    handled: list[BaseException] = []
    mw.route("/cancelled")(_cancelled)

    @mw.teardown_request
    def teardown(error: BaseException | None) -> None:
        torn.append(error)

    @mw.errorhandler(500)
    def failed(error: Any) -> Any:
        handled.append(error.original_exception)
        return "failed", 500

    assert TestApp(mw).get("/cancelled", status=500).text == "failed"
    assert len(torn) == 1 and isinstance(torn[0], CoroutineCancelled)
    assert isinstance(torn[0].__cause__, asyncio.CancelledError)
    assert handled == torn


def test_a_cancelled_async_view_is_a_generic_500(caplog: pytest.LogCaptureFixture) -> None:
    resp = TestApp(view(_cancelled)).get("/", status=500)
    assert "CancelledError" not in resp.text
    assert any(
        "cancelled" in r.getMessage() or (r.exc_info and "cancelled" in str(r.exc_info[1]))
        for r in error_records(caplog)
    )


# ====================================================================== properties
#
# Whatever a client sends in a header, a path or a body, respond_mw answers as a correct
# server could: never a 500, never an escaped exception, never an ERROR log line.

LATIN1_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
)
#: positions of a Range: numbers, digits of other scripts (str.isdigit() accepts
#: the superscripts of latin-1), numbers too long for int(), anything
POSITION = st.one_of(
    st.just(""),
    st.integers(0, 3000).map(str),
    st.text("0123456789\u00b2\u00b3\u00b9", min_size=1, max_size=6),
    st.integers(4301, 6000).map(lambda digits: "9" * digits),
    LATIN1_TEXT,
)
RANGE_LIKE = st.one_of(
    LATIN1_TEXT,
    st.builds(
        lambda unit, first, last: f"{unit}={first}-{last}",
        st.sampled_from(["bytes", "BYTES", "items", " bytes"]),
        POSITION,
        POSITION,
    ),
)
DATE_LIKE = st.one_of(
    LATIN1_TEXT,
    st.integers(0, 2**33).map(lambda t: email.utils.formatdate(t, usegmt=True)),
    st.integers(0, 2**31).map(lambda t: time.asctime(time.gmtime(t))),
)
ETAG_LIKE = st.one_of(
    LATIN1_TEXT,
    st.just("*"),
    st.lists(st.text("ab0-9", max_size=5), max_size=3).map(
        lambda tags: ", ".join(f'"{t}"' for t in tags)
    ),
)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check_file_answer(app: Any, environ: dict[str, Any], caplog: Any) -> None:
    """Serve the file for ``environ``: a correct answer, and no ERROR logged."""
    status, headers, body = call_wsgi(app, environ=environ)
    assert error_records(caplog) == []
    code = int(status[:3])
    assert code in (200, 206, 304, 412, 416), status
    fields = {name.lower(): value for name, value in headers}
    if code == 200:
        assert body == CONTENT
    elif code == 206:
        found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", fields["content-range"])
        assert found is not None
        first, last, size = map(int, found.groups())
        assert size == len(CONTENT) and 0 <= first <= last < size
        assert body == CONTENT[first : last + 1]
        assert fields["content-length"] == str(len(body))
    elif code == 416:
        assert fields["content-range"] == f"bytes */{len(CONTENT)}"
    else:
        assert body == b""


@PROPERTY_SETTINGS
@given(
    range_=st.one_of(st.none(), RANGE_LIKE),
    if_range=st.one_of(st.none(), DATE_LIKE, ETAG_LIKE),
    modified=st.one_of(st.none(), DATE_LIKE),
    unmodified=st.one_of(st.none(), DATE_LIKE),
    none_match=st.one_of(st.none(), ETAG_LIKE),
    match=st.one_of(st.none(), ETAG_LIKE),
)
def test_no_conditional_header_makes_a_file_answer_wrong(
    data_file: Path,
    caplog: pytest.LogCaptureFixture,
    range_: str | None,
    if_range: str | None,
    modified: str | None,
    unmodified: str | None,
    none_match: str | None,
    match: str | None,
) -> None:
    caplog.clear()
    environ = blank_environ("/")
    for name, value in [
        ("HTTP_RANGE", range_),
        ("HTTP_IF_RANGE", if_range),
        ("HTTP_IF_MODIFIED_SINCE", modified),
        ("HTTP_IF_UNMODIFIED_SINCE", unmodified),
        ("HTTP_IF_NONE_MATCH", none_match),
        ("HTTP_IF_MATCH", match),
    ]:
        if value is not None:
            environ[name] = value

    _check_file_answer(_file_app(data_file).app, environ, caplog)


@PROPERTY_SETTINGS
@given(range_=RANGE_LIKE)
def test_no_range_header_makes_a_file_answer_wrong(
    data_file: Path, caplog: pytest.LogCaptureFixture, range_: str
) -> None:
    caplog.clear()
    environ = blank_environ("/")
    environ["HTTP_RANGE"] = range_

    _check_file_answer(_file_app(data_file).app, environ, caplog)


@PROPERTY_SETTINGS
@given(accept=LATIN1_TEXT, code=st.sampled_from([400, 403, 404, 405, 409, 500]))
def test_no_accept_header_breaks_the_default_error_pages(
    caplog: pytest.LogCaptureFixture, accept: str, code: int
) -> None:
    caplog.clear()

    @view
    def refuse() -> Any:
        abort(code)

    environ = blank_environ("/")
    environ["HTTP_ACCEPT"] = accept
    result = call_wsgi(refuse, environ=environ)
    assert result.status.startswith(str(code))
    assert result.body
    assert error_records(caplog) == []


PATH_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0xFF), max_size=40).map(
    lambda text: "/" + text
)


@PROPERTY_SETTINGS
@given(path=PATH_TEXT, script=st.one_of(st.just(""), PATH_TEXT), query=LATIN1_TEXT)
def test_no_path_makes_the_middleware_answer_500(
    caplog: pytest.LogCaptureFixture, path: str, script: str, query: str
) -> None:
    caplog.clear()

    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode("latin-1")]

    mw = Middleware(legacy)

    @mw.route("/r/<name>")
    def named(name: str, request: Request) -> Any:
        return {"name": name, "path": request.path, "url": request.url, "q": dict(request.params)}

    @mw.errorhandler(404)
    def not_found(error: Any) -> Any:
        request = current_request()
        return {"path": request.path, "info": request.path_info, "q": dict(request.GET)}, 404

    @mw.before_request
    def reads_everything() -> None:
        request = current_request()
        read = (request.path, request.path_info, request.script_name, request.url)
        assert all(isinstance(text, str) for text in read)
        assert request.params is not None

    environ = blank_environ("/")
    environ.update(PATH_INFO=path, SCRIPT_NAME=script, QUERY_STRING=query)
    result = call_wsgi(mw, environ=environ, validate=False)
    assert result.status[:3] in ("200", "404"), result
    if result.status.startswith("200") and not path.startswith("/r/"):
        assert result.body == path.encode("latin-1")  # the wrapped app: its PATH_INFO intact
    assert error_records(caplog) == []


BODY_KINDS = {
    "json": ("application/json", "json"),
    "json charset": ("application/json; charset=latin-1", "json_body"),
    "form": ("application/x-www-form-urlencoded", "POST"),
    "form params": ("application/x-www-form-urlencoded", "params"),
    "multipart": ("multipart/form-data; boundary=XyZ", "POST"),
    "multipart no boundary": ("multipart/form-data", "params"),
}


@PROPERTY_SETTINGS
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.builds(
            lambda v: json.dumps(v).encode(),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=8,
            ),
        ),
        st.builds(
            lambda name, value: (
                b'--XyZ\r\nContent-Disposition: form-data; name="'
                + name
                + b'"\r\n\r\n'
                + value
                + b"\r\n--XyZ--\r\n"
            ),
            st.binary(max_size=10),
            st.binary(max_size=30),
        ),
    ),
    kind=st.sampled_from(sorted(BODY_KINDS)),
)
def test_no_body_makes_a_route_answer_500(
    caplog: pytest.LogCaptureFixture, body: bytes, kind: str
) -> None:
    caplog.clear()
    content_type, attribute = BODY_KINDS[kind]
    mw = Middleware()
    mw.route("/read", methods=["POST"])(_body_reader(attribute))
    environ = blank_environ("/read", "POST", body=body, content_type=content_type)
    result = call_wsgi(mw, environ=environ, validate=False)
    assert result.status[:3] in ("200", "400"), result
    if attribute in ("json", "json_body"):
        charset = "latin-1" if "latin-1" in content_type else "utf-8"
        try:
            expected: Any = {"read": json.loads(body.decode(charset))}
        except ValueError:
            assert result.status.startswith("400")
        else:
            assert result.status.startswith("200")
            assert json.loads(result.body) == expected
    assert error_records(caplog) == []


def test_make_response_of_a_file_keeps_its_conditional_answer(data_file: Path) -> None:
    @view
    def page() -> Response:
        return make_response(data_file, 200)

    etag = TestApp(page).get("/").headers["ETag"]
    TestApp(page).get("/", headers={"If-None-Match": etag}, status=304)


@pytest.mark.functional
def test_a_path_that_is_not_utf8_gets_respond_mws_pages_on_the_wire() -> None:
    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise RuntimeError("the legacy app failed")

    mw = Middleware(legacy)

    @mw.errorhandler(500)
    def failed(error: Exception) -> Any:
        return f"failed at {current_request().path}", 500

    with serve(mw) as url:
        raw = exchange(url, b"GET /%ff HTTP/1.1\r\nHost: x\r\n\r\n", expect=1)
    (response,) = parse_responses(raw)
    assert response.status == 500
    assert response.body == b"failed at /%FF"
