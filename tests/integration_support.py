"""What the framework integration tests share: a custom type taught to the rules (the
``money_adapter`` fixture in ``conftest.py`` registers its adapter)."""

from __future__ import annotations


class Money:
    """A custom type taught to the rules with response_adapter."""

    def __init__(self, cents: int) -> None:
        self.cents = cents
