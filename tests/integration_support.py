"""What the framework integration tests share: a custom type with its adapter and a
legacy WSGI app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from respond_mw import remove_response_adapter, response_adapter


class Money:
    """A custom type taught to the rules with response_adapter."""

    def __init__(self, cents: int) -> None:
        self.cents = cents


@pytest.fixture(autouse=True)
def money_adapter() -> Iterator[None]:
    """Register the Money adapter for each test of a module that imports this."""
    response_adapter(Money)(lambda money: ({"amount": money.cents / 100}, 200, {"X-Money": "1"}))
    yield
    remove_response_adapter(Money)


def legacy_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    start_response("202 Accepted", [("Content-Type", "text/plain"), ("X-Legacy", "yes")])
    return [b"from a WSGI app at ", environ["PATH_INFO"].encode()]
