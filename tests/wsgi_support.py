"""Running WSGI applications and responses under wsgiref's PEP 3333 validator, and an
iterator that records how it was used."""

from __future__ import annotations

from typing import Any
from wsgiref.validate import validator

from webob import Request


def blank_environ(path: str = "/", method: str = "GET") -> dict[str, Any]:
    """A complete WSGI environ for ``method path``."""
    environ: dict[str, Any] = Request.blank(path, method=method).environ
    return environ


def run_validated(
    app: Any, path: str = "/", method: str = "GET", environ: dict[str, Any] | None = None
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call ``app`` through :func:`wsgiref.validate.validator`, drain and close its body.

    Returns ``(status, headers, body)``; any PEP 3333 violation is an AssertionError
    (or a warning, which pytest turns into an error).
    """
    if environ is None:
        environ = blank_environ(path, method)
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured[:] = [status, list(headers)]
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return captured[0], captured[1], body


def header_values(headers: list[tuple[str, str]], name: str) -> list[str]:
    """All values of header ``name`` (case-insensitive), in order."""
    return [value for key, value in headers if key.lower() == name.lower()]


class Chunks:
    """An iterator that records whether it was read and closed."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    def __iter__(self) -> Chunks:
        return self

    def __next__(self) -> str:
        self.events.append("read")
        raise StopIteration

    def close(self) -> None:
        self.events.append("closed")
