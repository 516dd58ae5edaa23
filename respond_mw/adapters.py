"""Response adapters: teach the rules of :mod:`respond_mw.rules` a type of your own.

See :doc:`/guides/custom-types`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .headers import short
from .rules import ADAPTERS, forget_handlers

__all__ = ["remove_response_adapter", "response_adapter"]


def response_adapter(*types: type) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Teach the rules a new type: decorate a function that converts it.

    The function receives the returned object and returns any value the rules
    accept (which is coerced in turn)::

        @response_adapter(User)
        def user_as_json(user):
            return {"id": user.id, "name": user.name}

    Lookup follows the method resolution order of the returned object's type (an
    adapter for a base class applies to its subclasses, the most specific wins) and
    is cached per type, so it costs nothing per request.

    .. versionadded:: 0.1.0
    """
    if not types or not all(isinstance(t, type) for t in types):
        raise TypeError(
            f"response_adapter() takes one or more classes, as in @response_adapter(User); "
            f"got {short(types)}"
        )

    def register(adapter: Callable[[Any], Any]) -> Callable[[Any], Any]:
        for cls in types:
            ADAPTERS[cls] = adapter
        forget_handlers()
        return adapter

    return register


def remove_response_adapter(cls: type) -> None:
    """Forget the adapter registered for ``cls`` (mostly useful in tests).

    .. versionadded:: 0.1.0
    """
    ADAPTERS.pop(cls, None)
    forget_handlers()
