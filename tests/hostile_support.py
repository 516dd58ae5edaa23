"""Helpers for the reliability tests: raw HTTP over a socket, log inspection."""

from __future__ import annotations

import logging
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

#: A header line as RFC 9110 allows it: a token, a colon, a value without CR/LF/NUL.
HEADER_LINE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*[^\r\n\x00]*")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9]{2}) [^\r\n\x00]*")


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    complete: bool = True
    raw_head: bytes = b""
    extra: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def exchange(url: str, raw_request: bytes, timeout: float = 5.0, expect: int = 0) -> bytes:
    """Send ``raw_request`` and read until the server closes or goes quiet (or, with
    ``expect``, until that many complete responses have arrived)."""
    deadline = time.monotonic() + timeout
    data = b""
    with socket.create_connection(address(url), timeout=timeout) as sock:
        sock.sendall(raw_request)
        sock.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if expect and _complete_responses(data) >= expect:
                break
    return data


def _complete_responses(data: bytes) -> int:
    try:
        return sum(r.complete for r in parse_responses(data))
    except (AssertionError, ValueError):
        return 0


def parse_responses(data: bytes) -> list[RawResponse]:
    """Split a byte stream into HTTP/1.1 responses, strictly.

    Every status line and header line must be well formed; bodies are delimited by
    Content-Length or chunked encoding. A response cut short is marked incomplete and
    ends the list; bytes left over after the last response fail the assertion.
    """
    responses: list[RawResponse] = []
    rest = data
    while rest:
        head, sep, after = rest.partition(b"\r\n\r\n")
        assert sep, f"truncated header block: {rest[:200]!r}"
        lines = head.split(b"\r\n")
        match = STATUS_LINE.fullmatch(lines[0])
        assert match, f"malformed status line {lines[0]!r}"
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            assert HEADER_LINE.fullmatch(line), f"malformed header line {line!r}"
            name, _, value = line.partition(b":")
            headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        resp = RawResponse(int(match[1]), headers, b"", raw_head=head)
        length = resp.header("Content-Length")
        if resp.header("Transfer-Encoding") == "chunked":
            body = b""
            while True:
                size_line, sep, after = after.partition(b"\r\n")
                if not sep:
                    resp.complete = False
                    break
                size = int(size_line, 16)
                if len(after) < size + 2:
                    resp.complete = False
                    body += after[:size]
                    after = b""
                    break
                body += after[:size]
                after = after[size + 2 :]
                if size == 0:
                    break
            resp.body = body
        elif length is not None:
            resp.body = after[: int(length)]
            resp.complete = len(resp.body) == int(length)
            after = after[int(length) :]
        elif resp.status in (204, 304) or resp.status < 200:
            pass
        else:  # delimited by the connection closing
            resp.body, after = after, b""
        responses.append(resp)
        if not resp.complete:
            break
        rest = after
    return responses


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The ERROR records on the ``respond_mw`` logger."""
    return [r for r in caplog.records if r.name == "respond_mw" and r.levelno >= logging.ERROR]


def logged_text(record: logging.LogRecord) -> str:
    """A record's message with the message of the exception it carries."""
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + str(record.exc_info[1])
    return text
