"""Type aliases for what a view may return, so mypy and editors check views::

    from respond_mw.typing import ResponseReturnValue

    @view
    def show(request: Request) -> ResponseReturnValue:
        return {"id": 1}, 201, {"Location": "/items/1"}

They describe the built-in rules of :mod:`respond_mw.rules`. A :class:`webob.Response`
is a WSGI application, so :data:`ResponseValue` covers it; the model objects encoded as
JSON (pydantic models, attrs instances, msgspec structs) are :data:`ModelValue`. Types
taught to the rules with :func:`~respond_mw.response_adapter` are not known here:
annotate such views with a union (``-> ResponseReturnValue | User``).

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias, Union

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "AttrsInstance",
    "HeaderValue",
    "HeadersValue",
    "ModelValue",
    "MsgspecStruct",
    "PydanticModel",
    "ResponseReturnValue",
    "ResponseValue",
    "StatusValue",
]


class PydanticModel(Protocol):
    """A pydantic (v2) model, by what the JSON rule calls: ``model_dump(mode="json")``.

    .. versionadded:: 0.1.0
    """

    def model_dump(self, *, mode: str = ...) -> Any: ...


class AttrsInstance(Protocol):
    """An instance of an attrs class (as attrs' own ``AttrsInstance``: mypy's attrs
    plugin gives attrs classes their ``__attrs_attrs__``).

    .. versionadded:: 0.1.0
    """

    __attrs_attrs__: ClassVar[Any]


class MsgspecStruct(Protocol):
    """A ``msgspec.Struct`` instance, by its ``__struct_fields__``.

    .. versionadded:: 0.1.0
    """

    __struct_fields__: ClassVar[tuple[str, ...]]


#: A model object, encoded as JSON by its library's own dump (see :doc:`/guides/json`).
#: Structural: none of these libraries is imported.
ModelValue: TypeAlias = PydanticModel | AttrsInstance | MsgspecStruct

#: A body: text or bytes, JSON (``dict``/``list``, a model object), a stream of
#: ``str``/``bytes``, or a WSGI application (which includes :class:`webob.Response`).
ResponseValue: TypeAlias = Union[
    str,
    bytes,
    bytearray,
    memoryview,
    dict[Any, Any],
    list[Any],
    ModelValue,
    Iterator[str | bytes],
    "WSGIApplication",
]

#: A status: ``404``, ``HTTPStatus.NOT_FOUND``, ``"404"`` or ``"404 Custom Reason"``.
StatusValue: TypeAlias = int | HTTPStatus | str

#: One header value; anything but ``str`` is converted with ``str()``.
HeaderValue: TypeAlias = str | int | float

#: Headers: a mapping (a value may be a list/tuple of ``str`` for several values) or a
#: sequence of ``(name, value)`` pairs.
HeadersValue: TypeAlias = (
    Mapping[str, HeaderValue | Sequence[str]] | Sequence[tuple[str, HeaderValue]]
)

#: Everything a view may return under the built-in rules.
ResponseReturnValue: TypeAlias = (
    ResponseValue
    | tuple[ResponseValue, StatusValue | None]
    | tuple[ResponseValue, HeadersValue]
    | tuple[ResponseValue, StatusValue | None, HeadersValue | None]
)
