"""File responses (:mod:`respond_mw.files`): paths, file objects, Range, 304,
wsgi.file_wrapper, and serving from a directory safely."""

from __future__ import annotations

import io
import os
import socket
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from waitress.buffers import ReadOnlyFileBasedBuffer
from webtest import TestApp

from respond_mw import Middleware, make_response, safe_join, send_from_directory, view
from respond_mw.files import FileBody, parse_range

from .server import serve
from .wsgi_support import blank_environ, call_wsgi, open_wsgi

CONTENT = b"0123456789"


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "hello.txt"
    path.write_bytes(CONTENT)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    return path


def serving(value: Any, **options: Any) -> TestApp:
    """A WebTest app (lint on) whose view returns ``value`` (called if callable)."""

    @view(**options)
    def files() -> Any:
        return value() if callable(value) else value

    return TestApp(files)


def etag_of(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


# ------------------------------------------------------------------------ paths


def test_path_is_served_with_type_length_dates_and_etag(text_file: Path) -> None:
    resp = serving(text_file).get("/")
    assert resp.status == "200 OK"
    assert resp.body == CONTENT
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert resp.headers["Content-Length"] == "10"
    assert resp.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert resp.headers["ETag"] == etag_of(text_file)
    assert resp.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        pytest.param("page.html", "text/html; charset=UTF-8", id="html"),
        pytest.param("data.json", "application/json", id="json"),
        pytest.param("image.png", "image/png", id="png"),
        pytest.param("archive.unknownext", "application/octet-stream", id="unknown"),
        pytest.param("noextension", "application/octet-stream", id="no-extension"),
    ],
)
def test_content_type_is_guessed_from_the_name(
    tmp_path: Path, name: str, content_type: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert serving(path).get("/").headers["Content-Type"] == content_type


def test_tuple_headers_override_content_type_and_add_headers(text_file: Path) -> None:
    resp = serving((text_file, {"Content-Type": "text/csv", "Cache-Control": "max-age=60"})).get(
        "/"
    )
    assert resp.headers["Content-Type"] == "text/csv"
    assert resp.headers["Cache-Control"] == "max-age=60"
    assert resp.body == CONTENT


def test_tuple_status_applies_to_a_file(text_file: Path) -> None:
    resp = serving((text_file, 203)).get("/", status=203)
    assert resp.body == CONTENT


def test_missing_path_is_a_404(tmp_path: Path) -> None:
    serving(tmp_path / "nope.txt").get("/", status=404)


def test_path_through_a_file_is_a_404(text_file: Path) -> None:
    serving(text_file / "child").get("/", status=404)


def test_directory_is_a_value_error_naming_the_view(tmp_path: Path) -> None:
    app = serving(tmp_path, propagate_exceptions=True)
    with pytest.raises(ValueError, match=r"view .*files returned the path of a directory"):
        app.get("/")


def test_directory_is_a_500_by_default(tmp_path: Path) -> None:
    serving(tmp_path).get("/", status=500)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    app = serving(fifo, propagate_exceptions=True)
    with pytest.raises(ValueError, match="not a regular file"):
        app.get("/")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_path_is_a_403(text_file: Path) -> None:
    text_file.chmod(0)
    try:
        serving(text_file).get("/", status=403)
    finally:
        text_file.chmod(0o644)


def test_make_response_outside_a_request_serves_the_whole_file(text_file: Path) -> None:
    resp = make_response(text_file)
    assert resp.status == "200 OK"
    assert resp.body == CONTENT


# ------------------------------------------------------------------ file objects


def test_open_binary_file_is_served_and_closed(text_file: Path) -> None:
    opened: list[io.BufferedReader] = []

    def open_it() -> io.BufferedReader:
        opened.append(text_file.open("rb"))
        return opened[-1]

    resp = serving(open_it).get("/")
    assert resp.body == CONTENT
    assert resp.headers["ETag"] == etag_of(text_file)
    assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert opened[0].closed


def test_file_is_served_from_its_current_position(text_file: Path) -> None:
    def open_at_4() -> io.BufferedReader:
        file = text_file.open("rb")
        file.seek(4)
        return file

    resp = serving(open_at_4).get("/")
    assert resp.body == b"456789"
    assert resp.headers["Content-Length"] == "6"
    assert resp.headers["ETag"] != etag_of(text_file)


def test_bytesio_is_served_without_dates(text_file: Path) -> None:
    resp = serving(lambda: io.BytesIO(b"in memory")).get("/")
    assert resp.body == b"in memory"
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["Content-Length"] == "9"
    assert "ETag" not in resp.headers
    assert "Last-Modified" not in resp.headers


def test_bytesio_supports_ranges() -> None:
    resp = serving(lambda: io.BytesIO(CONTENT)).get("/", headers={"Range": "bytes=3-5"})
    assert resp.status == "206 Partial Content"
    assert resp.body == b"345"


def test_unseekable_file_is_streamed_without_length() -> None:
    opened: list[io.BufferedReader] = []

    def pipe() -> io.BufferedReader:
        read_fd, write_fd = os.pipe()
        os.write(write_fd, b"from a pipe")
        os.close(write_fd)
        opened.append(open(read_fd, "rb"))  # noqa: SIM115
        return opened[-1]

    _, headers, body = call_wsgi(serving(pipe).app, headers={"Range": "bytes=0-1"})
    assert body == b"from a pipe"
    names = {name.lower() for name, _ in headers}
    assert "content-length" not in names
    assert "accept-ranges" not in names
    assert opened[0].closed


def test_text_mode_file_is_a_type_error(text_file: Path) -> None:
    with text_file.open() as text:
        app = serving(text, propagate_exceptions=True)
        with pytest.raises(TypeError, match=r"view .*files returned a file opened in text mode"):
            app.get("/")


def test_write_only_file_is_a_type_error(tmp_path: Path) -> None:
    file = (tmp_path / "out.bin").open("wb")
    app = serving(file, propagate_exceptions=True)
    with pytest.raises(TypeError, match="not open for reading"):
        app.get("/")
    assert file.closed


def test_closed_file_is_a_value_error(text_file: Path) -> None:
    file = text_file.open("rb")
    file.close()
    app = serving(file, propagate_exceptions=True)
    with pytest.raises(ValueError, match=r"view .*files returned a closed file"):
        app.get("/")


def test_head_sends_headers_and_closes_the_file(text_file: Path) -> None:
    file = text_file.open("rb")
    resp = serving(file).head("/")
    assert resp.headers["Content-Length"] == "10"
    assert resp.body == b""
    assert file.closed


# ------------------------------------------------------------------------ Range


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        pytest.param("bytes=0-0", 0, 0, id="first-byte"),
        pytest.param("bytes=2-4", 2, 4, id="middle"),
        pytest.param("bytes=5-", 5, 9, id="open-ended"),
        pytest.param("bytes=-3", 7, 9, id="suffix"),
        pytest.param("bytes=-100", 0, 9, id="suffix-longer-than-file"),
        pytest.param("bytes=8-100", 8, 9, id="end-clamped"),
        pytest.param("BYTES = 1-2", 1, 2, id="case-and-spaces"),
    ],
)
def test_satisfiable_range_is_a_206(text_file: Path, header: str, first: int, last: int) -> None:
    resp = serving(text_file).get("/", headers={"Range": header}, status=206)
    assert resp.body == CONTENT[first : last + 1]
    assert resp.headers["Content-Range"] == f"bytes {first}-{last}/10"
    assert resp.headers["Content-Length"] == str(last - first + 1)
    assert resp.headers["ETag"] == etag_of(text_file)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("bytes=10-", id="start-at-end"),
        pytest.param("bytes=20-30", id="beyond-end"),
        pytest.param("bytes=-0", id="empty-suffix"),
    ],
)
def test_unsatisfiable_range_is_a_416(text_file: Path, header: str) -> None:
    file = text_file.open("rb")
    resp = serving(file).get("/", headers={"Range": header}, status=416)
    assert resp.headers["Content-Range"] == "bytes */10"
    assert resp.body == b""
    assert file.closed


def test_any_range_of_an_empty_file_is_a_416(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    resp = serving(empty).get("/", headers={"Range": "bytes=0-"}, status=416)
    assert resp.headers["Content-Range"] == "bytes */0"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("bytes=4-2", id="reversed"),
        pytest.param("bytes=a-b", id="not-numbers"),
        pytest.param("bytes=1", id="no-dash"),
        pytest.param("bytes=-", id="only-dash"),
        pytest.param("items=0-1", id="other-unit"),
        pytest.param("bytes=0-1,3-4", id="several-ranges"),
        pytest.param("bytes=+1-2", id="sign"),
    ],
)
def test_ignored_range_sends_the_whole_file(text_file: Path, header: str) -> None:
    resp = serving(text_file).get("/", headers={"Range": header}, status=200)
    assert resp.body == CONTENT
    assert "Content-Range" not in resp.headers


@pytest.mark.parametrize("method", ["HEAD", "POST"])
def test_range_only_applies_to_get(text_file: Path, method: str) -> None:
    app = serving(text_file)
    headers = {"Range": "bytes=0-1"}
    resp = app.head("/", headers=headers) if method == "HEAD" else app.post("/", headers=headers)
    assert resp.status == "200 OK"
    assert resp.headers["Content-Length"] == "10"
    assert "Content-Range" not in resp.headers


def test_if_range_with_the_current_etag_gives_the_range(text_file: Path) -> None:
    headers = {"Range": "bytes=0-1", "If-Range": etag_of(text_file)}
    assert serving(text_file).get("/", headers=headers, status=206).body == b"01"


def test_if_range_with_the_last_modified_date_gives_the_range(text_file: Path) -> None:
    headers = {"Range": "bytes=0-1", "If-Range": formatdate(1_700_000_000, usegmt=True)}
    assert serving(text_file).get("/", headers=headers, status=206).body == b"01"


@pytest.mark.parametrize(
    "if_range",
    [
        pytest.param('"stale"', id="other-etag"),
        pytest.param("W/" + '"x"', id="weak-etag"),
        pytest.param(formatdate(1_600_000_000, usegmt=True), id="other-date"),
        pytest.param("not a date", id="garbage"),
    ],
)
def test_if_range_not_matching_sends_the_whole_file(text_file: Path, if_range: str) -> None:
    headers = {"Range": "bytes=0-1", "If-Range": if_range}
    assert serving(text_file).get("/", headers=headers, status=200).body == CONTENT


def test_weak_form_of_the_current_etag_does_not_satisfy_if_range(text_file: Path) -> None:
    headers = {"Range": "bytes=0-1", "If-Range": "W/" + etag_of(text_file)}
    assert serving(text_file).get("/", headers=headers, status=200).body == CONTENT


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-4", (0, 4)),
        ("bytes=9-", (9, 9)),
        ("bytes=10-", (-1, -1)),
        ("bytes=-0", (-1, -1)),
        ("bytes=3-2", None),
        ("bytes=0-0,1-1", None),
        ("pages=1-2", None),
    ],
)
def test_parse_range(header: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 10) == expected


# --------------------------------------------------------------- 304 Not Modified


@pytest.mark.parametrize(
    "if_none_match",
    [
        pytest.param("{etag}", id="same"),
        pytest.param("W/{etag}", id="weak-form"),
        pytest.param('"other", {etag}', id="in-a-list"),
        pytest.param("*", id="star"),
    ],
)
def test_if_none_match_is_a_304(text_file: Path, if_none_match: str) -> None:
    file = text_file.open("rb")
    header = if_none_match.format(etag=etag_of(text_file))
    resp = serving(file).get("/", headers={"If-None-Match": header}, status=304)
    assert resp.body == b""
    assert resp.headers["ETag"] == etag_of(text_file)
    assert resp.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert "Content-Type" not in resp.headers
    assert "Content-Length" not in resp.headers
    assert file.closed


SAME_SECOND = formatdate(1_700_000_000, usegmt=True)  # the file's mtime
LATER = formatdate(1_800_000_000, usegmt=True)
EARLIER = formatdate(1_600_000_000, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"If-None-Match": '"other"'}, 200, id="if-none-match-not-matching"),
        pytest.param({"If-Modified-Since": SAME_SECOND}, 304, id="modified-since-same-second"),
        pytest.param({"If-Modified-Since": LATER}, 304, id="modified-since-later"),
        pytest.param({"If-Modified-Since": EARLIER}, 200, id="modified-since-earlier"),
        pytest.param({"If-Modified-Since": "yesterday"}, 200, id="invalid-modified-since-ignored"),
        pytest.param(
            {"If-None-Match": '"other"', "If-Modified-Since": LATER},
            200,
            id="if-none-match-takes-precedence-over-if-modified-since",
        ),
        pytest.param(
            {"If-None-Match": "{etag}", "Range": "bytes=0-1"}, 304, id="304-wins-over-range"
        ),
    ],
)
def test_conditional_get(text_file: Path, headers: dict[str, str], status: int) -> None:
    sent = {name: value.format(etag=etag_of(text_file)) for name, value in headers.items()}
    resp = serving(text_file).get("/", headers=sent, status=status)
    assert resp.body == (CONTENT if status == 200 else b"")


def test_conditions_only_apply_to_get_and_head(text_file: Path) -> None:
    headers = {"If-None-Match": "*"}
    assert serving(text_file).post("/", headers=headers, status=200).body == CONTENT
    serving(text_file).head("/", headers=headers, status=304)


# ------------------------------------------------------------- wsgi.file_wrapper


class RecordingWrapper:
    """A PEP 3333 file wrapper that records what it was given."""

    instances: list[RecordingWrapper] = []

    def __init__(self, filelike: Any, block_size: int = 8192) -> None:
        self.filelike = filelike
        self.block_size = block_size
        RecordingWrapper.instances.append(self)

    def __iter__(self) -> Iterator[bytes]:
        while data := self.filelike.read(self.block_size):
            yield data

    def close(self) -> None:
        self.filelike.close()


def call_with_wrapper(app: Any, headers: dict[str, str] | None = None) -> tuple[str, Any]:
    environ = blank_environ(headers=headers or {})
    environ["wsgi.file_wrapper"] = RecordingWrapper
    RecordingWrapper.instances.clear()
    started, body = open_wsgi(app, environ=environ)
    return started.status, body


def test_whole_file_is_given_to_the_file_wrapper(text_file: Path) -> None:
    file = text_file.open("rb")
    status, body = call_with_wrapper(serving(file).app)
    assert status == "200 OK"
    assert [type(body)] == [RecordingWrapper]
    assert body.filelike is file
    assert b"".join(body) == CONTENT
    body.close()
    assert file.closed


def test_range_is_given_to_the_file_wrapper_as_a_window(text_file: Path) -> None:
    file = text_file.open("rb")
    status, body = call_with_wrapper(serving(file).app, {"Range": "bytes=2-5"})
    assert status == "206 Partial Content"
    assert type(body) is RecordingWrapper
    assert isinstance(body.filelike, FileBody)
    assert b"".join(body) == b"2345"  # a reader of the wrapper cannot overrun the range
    body.close()
    assert file.closed


def test_range_to_the_end_is_given_to_the_file_wrapper_as_the_file(text_file: Path) -> None:
    file = text_file.open("rb")
    status, body = call_with_wrapper(serving(file).app, {"Range": "bytes=6-"})
    assert status == "206 Partial Content"
    assert body.filelike is file
    assert b"".join(body) == b"6789"
    body.close()


def test_no_file_wrapper_for_head_or_unseekable_files(text_file: Path) -> None:
    environ = blank_environ(method="HEAD")
    environ["wsgi.file_wrapper"] = RecordingWrapper
    RecordingWrapper.instances.clear()
    _, body = open_wsgi(serving(text_file).app, environ=environ)
    assert list(body) == []
    body.close()
    read_fd, write_fd = os.pipe()
    os.close(write_fd)
    _, body = call_with_wrapper(serving(open(read_fd, "rb")).app)  # noqa: SIM115
    assert isinstance(body, FileBody)
    body.close()
    assert RecordingWrapper.instances == []


def test_file_body_window_reads_seeks_and_tells() -> None:
    file = io.BytesIO(CONTENT)
    file.seek(2)  # a FileBody starts where its file is positioned
    window = FileBody(file, start=2, length=5)
    assert window.length == 5
    assert window.read(3) == b"234"
    assert window.tell() == 3
    assert window.read() == b"56"
    assert window.read() == b""
    assert window.seek(0, os.SEEK_END) == 5
    assert window.seek(-2, os.SEEK_END) == 3
    assert window.read(10) == b"56"
    assert window.seek(1) == 1
    assert window.seek(-10, os.SEEK_CUR) == 0
    assert list(window) == [b"23456"]
    window.close()
    window.close()
    assert window.file.closed
    with pytest.raises(io.UnsupportedOperation):
        FileBody(io.BytesIO(b"")).seek(0, os.SEEK_END)


# ------------------------------------------------------------- safe directories


@pytest.fixture
def public(tmp_path: Path) -> Path:
    """tmp/public with files, tmp/secret.txt outside it, and symbolic links."""
    base = tmp_path / "public"
    (base / "sub").mkdir(parents=True)
    (base / "hello.txt").write_bytes(CONTENT)
    (base / "sub" / "nested.txt").write_bytes(b"nested")
    (base / "%2e%2e").mkdir()
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (base / "link_out.txt").symlink_to(tmp_path / "secret.txt")
    (base / "link_dir").symlink_to(tmp_path)
    (base / "link_in.txt").symlink_to(base / "hello.txt")
    return base


ESCAPES = [
    pytest.param("../secret.txt", id="dot-dot"),
    pytest.param("sub/../../secret.txt", id="dot-dot-nested"),
    pytest.param("..", id="parent"),
    pytest.param("/etc/passwd", id="absolute"),
    pytest.param("//etc/passwd", id="double-slash-absolute"),
    pytest.param("sub\\..\\..\\secret.txt", id="backslashes"),
    pytest.param("hello.txt\x00.png", id="nul"),
    pytest.param("link_out.txt", id="symlink-to-file-outside"),
    pytest.param("link_dir/secret.txt", id="symlink-dir-outside"),
    pytest.param("%2e%2e/secret.txt", id="percent-encoded-taken-literally"),
    pytest.param("", id="empty"),
    pytest.param("sub", id="directory"),
    pytest.param("missing.txt", id="missing"),
]


@pytest.mark.parametrize("untrusted", ESCAPES)
def test_send_from_directory_refuses_with_404(public: Path, untrusted: str) -> None:
    @view
    def static() -> Any:
        return send_from_directory(public, untrusted)

    resp = TestApp(static).get("/", status=404)
    assert b"SECRET" not in resp.body


@pytest.mark.parametrize(
    "untrusted",
    [
        pytest.param(Path("sub/nested.txt"), id="path"),
        pytest.param(b"sub/nested.txt", id="bytes"),
    ],
)
def test_safe_join_wants_the_untrusted_path_as_a_str(public: Path, untrusted: Any) -> None:
    with pytest.raises(TypeError, match="safe_join\\(\\) takes the untrusted path as a str"):
        safe_join(public, untrusted)


def test_safe_join_refuses_absolute_path_to_outside(public: Path) -> None:
    assert safe_join(public, str(public.parent / "secret.txt")) is None
    assert safe_join(public, "sub/nested.txt") == (public / "sub" / "nested.txt").resolve()


@pytest.mark.parametrize(
    ("untrusted", "body"),
    [
        pytest.param("hello.txt", CONTENT, id="file"),
        pytest.param("sub/nested.txt", b"nested", id="nested"),
        pytest.param("./hello.txt", CONTENT, id="dot-segment"),
        pytest.param("link_in.txt", CONTENT, id="symlink-inside"),
    ],
)
def test_send_from_directory_serves_files_inside(public: Path, untrusted: str, body: bytes) -> None:
    @view
    def static() -> Any:
        return send_from_directory(public, untrusted)

    resp = TestApp(static).get("/", headers={"Range": "bytes=0-"}, status=206)
    assert resp.body == body


def static_middleware(public: Path) -> Middleware:
    mw = Middleware()

    @mw.route("/static/<path:name>")
    def static(name: str) -> Any:
        return send_from_directory(public, name)

    return mw


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("/static/%2e%2e/secret.txt", id="encoded-dot-dot"),
        pytest.param("/static/..%2fsecret.txt", id="encoded-slash"),
        pytest.param("/static/%2e%2e%2fsecret.txt", id="encoded-both"),
        pytest.param("/static/sub/%2e%2e/%2e%2e/secret.txt", id="nested-encoded"),
        pytest.param("/static/%2fetc%2fpasswd", id="encoded-absolute"),
        pytest.param("/static/hello.txt%00", id="encoded-nul"),
        pytest.param("/static/link_out.txt", id="symlink"),
    ],
)
def test_traversal_through_the_url_is_a_404(public: Path, url: str) -> None:
    resp = TestApp(static_middleware(public)).get(url, status=404, expect_errors=True)
    assert b"SECRET" not in resp.body


# ------------------------------------------------------------------ over the wire


def raw_request(url: str, request: bytes, timeout: float = 10.0) -> tuple[bytes, bytes]:
    """Send raw bytes to the server; return (head, body) of a Content-Length response."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if head.startswith(b"HTTP/1.1 304") or b"HEAD " in request[:5]:
            length = 0
        while len(body) < length and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return head, body


def header(head: bytes, name: str) -> str | None:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(1_000_000))
    return path


@pytest.mark.functional
def test_waitress_serves_files_with_its_file_wrapper(big_file: Path) -> None:
    returned: list[Any] = []
    files: list[io.BufferedReader] = []

    @view
    def download() -> io.BufferedReader:
        files.append(big_file.open("rb"))
        return files[-1]

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        body = download(environ, start_response)
        returned.append(body)
        return body

    data = big_file.read_bytes()
    etag = etag_of(big_file)
    with serve(recording) as url:
        head, body = raw_request(url, b"GET /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert header(head, "Content-Length") == "1000000"
        assert header(head, "ETag") == etag
        assert body == data

        head, body = raw_request(
            url,
            b"GET /f HTTP/1.1\r\nHost: x\r\nRange: bytes=1000-200999\r\nConnection: close\r\n\r\n",
        )
        assert head.startswith(b"HTTP/1.1 206 Partial Content")
        assert header(head, "Content-Range") == "bytes 1000-200999/1000000"
        assert header(head, "Content-Length") == "200000"
        assert body == data[1000:201000]

        head, body = raw_request(
            url, b"GET /f HTTP/1.1\r\nHost: x\r\nRange: bytes=-10\r\nConnection: close\r\n\r\n"
        )
        assert head.startswith(b"HTTP/1.1 206")
        assert body == data[-10:]

        head, body = raw_request(
            url, b"GET /f HTTP/1.1\r\nHost: x\r\nRange: bytes=2000000-\r\nConnection: close\r\n\r\n"
        )
        assert head.startswith(b"HTTP/1.1 416")
        assert header(head, "Content-Range") == "bytes */1000000"

        request = (
            f"GET /f HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
        )
        head, body = raw_request(url, request.encode())
        assert head.startswith(b"HTTP/1.1 304")
        assert body == b""

        head, body = raw_request(url, b"HEAD /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert header(head, "Content-Length") == "1000000"
        assert body == b""

        # The file goes to waitress as its own file wrapper for the full and ranged
        # GETs; every file is closed once sent (waitress closes it on its own thread).
        assert [type(b) for b in returned[:3]] == [ReadOnlyFileBasedBuffer] * 3
        deadline = time.monotonic() + 10
        while not all(f.closed for f in files) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(files) == 6
        assert all(f.closed for f in files)


@pytest.mark.functional
def test_traversal_over_the_wire_is_a_404(public: Path) -> None:
    with serve(static_middleware(public)) as url:
        head, body = raw_request(
            url, b"GET /static/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert head.startswith(b"HTTP/1.1 200")
        assert body == CONTENT
        for target in (
            b"/static/../secret.txt",
            b"/static/%2e%2e/secret.txt",
            b"/static/..%2fsecret.txt",
            b"/static/%2E%2E%2Fsecret.txt",
            b"/static/sub/..%2f..%2fsecret.txt",
            b"/static/link_out.txt",
            b"/static/link_dir/secret.txt",
            b"/static/hello.txt%00",
        ):
            request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            head, body = raw_request(url, request)
            assert head.split(b"\r\n")[0].split(b" ")[1] == b"404", target
            assert b"SECRET" not in body, target
