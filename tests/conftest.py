"""Fixtures every test module may use; the plain helpers they go with (calling a WSGI
application, the legacy app) are in :mod:`tests.wsgi_support`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration_support import Money
from tests.wsgi_support import Adapters


@pytest.fixture
def adapters() -> Iterator[Adapters]:
    """Register response adapters for one test: ``adapters.register(Type)(func)``.

    Every type registered through it is removed at teardown, whether the test passed or
    not, so no adapter leaks into the next test.
    """
    registered = Adapters()
    yield registered
    registered.remove_all()


@pytest.fixture
def money_adapter(adapters: Adapters) -> None:
    """The adapter of :class:`tests.integration_support.Money`: JSON, ``X-Money: 1``."""
    adapters.register(Money)(lambda money: ({"amount": money.cents / 100}, 200, {"X-Money": "1"}))
