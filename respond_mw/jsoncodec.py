"""JSON encoding for ``dict`` and ``list`` return values and :func:`jsonify`.

The output is compact (no spaces), UTF-8, and keeps the insertion order of dicts.
Beyond what :mod:`json` encodes by itself, these types are accepted:

======================================  ==========================================
value                                   encoded as
======================================  ==========================================
:class:`datetime.datetime`, ``date``,   ISO 8601 string (``isoformat()``)
``time``
:class:`decimal.Decimal`                string (``"1.10"``: no precision is lost)
:class:`uuid.UUID`                      string (``"12345678-1234-..."``)
:class:`enum.Enum`                      its ``value``
a dataclass instance                    object of its fields, in field order
a pydantic (v2) model, an attrs         the library's own JSON-ready dump (see
instance, a msgspec ``Struct``          below)
an object with ``__json__()``           whatever ``__json__()`` returns (it may
                                        take the current request as argument,
                                        the way Pyramid's JSON renderer calls it)
an object with ``__html__()``           the string of its markup, as Flask does
======================================  ==========================================

**Model objects** are dumped by their own library: a pydantic model by
``model_dump(mode="json")``, an attrs instance by ``attrs.asdict(value, recurse=True)``
(its values then encoded by these rules), a msgspec ``Struct`` by
``msgspec.to_builtins(value)`` (values msgspec does not know are encoded by these
rules). None of these libraries is imported here: a class is recognised as a model only
through the libraries the application has imported itself, once per class
(:class:`JSONModel`, which the rules also use for a model returned by a view).

``NaN`` and infinities are refused (``ValueError``): they are not JSON. Any other
type is a ``TypeError``. Both errors happen while the response is being built, before
any header is sent.

When `orjson <https://pypi.org/project/orjson/>`_ is installed it is used for speed,
with the same semantics and the same errors as the standard library encoder: the
output decodes to the same value, and only the spelling of some floats differs
(``1e-7`` rather than ``1e-07``). Whenever orjson cannot guarantee that (integers
beyond 64 bits, non-string keys, nesting deeper than it supports, a ``null`` that may
come from a ``NaN``, strings with lone surrogates) the standard library encoder
decides.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import inspect
import json
import sys
import uuid
from abc import ABC
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .context import current_state
from .responses import JSON, new_response

if TYPE_CHECKING:
    from webob import Response

__all__ = ["JSONEncodeError", "JSONModel", "dumps", "jsonify", "model_dumper"]


class JSONEncodeError(TypeError):
    """A value could not be encoded as JSON."""


def _json_method_arity(cls: type) -> int:
    try:
        params = inspect.signature(cls.__json__).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError):  # builtins without a signature
        return 0
    positional = [
        p
        for p in params.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    ]
    return max(len(positional) - 1, 0)  # minus self


_json_arity: dict[type, int] = {}


def _call_json_method(obj: Any) -> Any:
    cls = type(obj)
    arity = _json_arity.get(cls)
    if arity is None:
        arity = _json_arity[cls] = _json_method_arity(cls)
    if arity == 0:
        return obj.__json__()
    state = current_state()
    return obj.__json__(state.request if state is not None else None)


# ----------------------------------------------------------------- model objects


def _dump_pydantic(obj: Any) -> Any:
    return obj.model_dump(mode="json")


def _find_model_dumper(cls: type) -> Callable[[Any], Any] | None:
    # Only modules already in sys.modules are looked at: an instance of a model class
    # exists only once its library is imported, so nothing is imported here. pydantic
    # imports BaseModel's module (pydantic.main) lazily, when a model is first defined.
    pydantic_main = sys.modules.get("pydantic.main")
    base_model = getattr(pydantic_main, "BaseModel", None)
    if (
        isinstance(base_model, type)
        and hasattr(base_model, "model_dump")  # pydantic 2, not 1
        and issubclass(cls, base_model)
    ):
        return _dump_pydantic
    attr = sys.modules.get("attr")  # attrs' original namespace, which attrs imports
    if attr is not None and attr.has(cls):
        asdict = attr.asdict

        def dump_attrs(obj: Any) -> Any:
            return asdict(obj, recurse=True)

        return dump_attrs
    msgspec = sys.modules.get("msgspec")
    struct = getattr(msgspec, "Struct", None)
    if msgspec is not None and isinstance(struct, type) and issubclass(cls, struct):
        to_builtins = msgspec.to_builtins

        def dump_msgspec(obj: Any) -> Any:
            return to_builtins(obj, enc_hook=_default)

        return dump_msgspec
    return None


_model_dumpers: dict[type, Callable[[Any], Any] | None] = {}


def model_dumper(cls: type) -> Callable[[Any], Any] | None:
    """How instances of ``cls`` dump themselves to JSON-ready values, when ``cls`` is
    a pydantic (v2) model, an attrs class or a msgspec ``Struct``; ``None`` for any
    other class.

    Found once per class, then cached, through the libraries the application has
    imported (none is imported here).

    .. versionadded:: 0.1.0
    """
    try:
        return _model_dumpers[cls]
    except KeyError:
        dumper = _model_dumpers[cls] = _find_model_dumper(cls)
        return dumper


class JSONModel(ABC):  # noqa: B024 -- a virtual base class: nothing to implement
    """The model classes, as a virtual base class: ``issubclass(cls, JSONModel)``
    is true when :func:`model_dumper` knows how to dump ``cls``.

    .. versionadded:: 0.1.0
    """

    @classmethod
    def __subclasshook__(cls, other: type) -> bool:
        return model_dumper(other) is not None


# ---------------------------------------------------------------------- encoding


def _default(obj: Any) -> Any:
    """Encode the extra types; called by both encoders for what they don't know."""
    if isinstance(obj, (datetime.date, datetime.time)):  # datetime is a date
        return obj.isoformat()
    if isinstance(obj, (decimal.Decimal, uuid.UUID)):
        return str(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    dump = model_dumper(type(obj))
    if dump is not None:
        return dump(obj)
    if hasattr(type(obj), "__json__"):
        return _call_json_method(obj)
    if hasattr(type(obj), "__html__"):  # markup (markupsafe.Markup is a str already)
        return str(obj.__html__())
    raise JSONEncodeError(
        f"Object of type {type(obj).__qualname__} is not JSON serializable: return "
        "str, int, float, bool, None, dict, list or tuple values, or a datetime, "
        "Decimal, UUID, Enum, dataclass, or an object with a __json__() or __html__() "
        "method (a "
        "response adapter does not apply to values inside a dict or list)"
    )


_std_encoder = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_default
)


def _make_c_encode() -> Callable[[Any], str] | None:
    """``_std_encoder.encode`` without its per-call setup in Python, when the standard
    library has its C accelerator and it gives the same text (checked here, once)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has it
        return None
    strings = json.encoder.encode_basestring

    def encode(obj: Any) -> str:
        # the arguments JSONEncoder.iterencode passes for _std_encoder's settings
        return "".join(make({}, _default, strings, None, ":", ",", False, False, False)(obj, 0))

    sample = {"a": [1, 2.5, -1e-7, None, True, "é\n\u2028"], "b": {"c": 10**20}, "d": ""}
    try:
        if encode(sample) == _std_encoder.encode(sample) and encode("x") == '"x"':
            return encode
    except Exception:  # pragma: no cover - an interpreter whose accelerator differs
        pass
    return None  # pragma: no cover


_encode_text: Callable[[Any], str] = _make_c_encode() or _std_encoder.encode


def _dumps_std(obj: Any) -> bytes:
    try:
        return _encode_text(obj).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"JSON value has a str that cannot be encoded as UTF-8 (a lone surrogate?): {exc}"
        ) from None
    except RecursionError:
        raise ValueError("JSON value is nested too deeply to be encoded") from None
    except ValueError as exc:
        if "Out of range float" in str(exc):
            raise ValueError(
                "NaN and Infinity are not valid JSON; replace them (e.g. with None) "
                "before returning the value"
            ) from None
        raise


def _make_orjson_dumps() -> Callable[[Any], bytes] | None:
    try:
        import orjson
    except ImportError:  # pragma: no cover - depends on the environment
        return None

    fast = orjson.dumps
    options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def dumps_orjson(obj: Any) -> bytes:
        try:
            out: bytes = fast(obj, default=_default, option=options)
        except TypeError:
            # orjson refuses some values the standard encoder accepts (big ints,
            # non-str keys, very deep nesting): let it decide, and raise its errors.
            return _dumps_std(obj)
        if b"null" in out:
            # orjson writes NaN and Infinity as null; the standard encoder refuses them.
            return _dumps_std(obj)
        return out

    return dumps_orjson


#: ``dumps(obj) -> bytes``: the encoder in use (orjson when installed).
dumps: Callable[[Any], bytes] = _make_orjson_dumps() or _dumps_std
#: The standard library encoder, always available (used by the tests to compare).
dumps_stdlib: Callable[[Any], bytes] = _dumps_std


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """Return an ``application/json`` :class:`webob.Response` of the arguments.

    As in Flask: ``jsonify(value)`` encodes ``value``; several positional arguments
    are encoded as a list, keyword arguments as an object; ``jsonify()`` is ``null``.
    Passing both positional and keyword arguments is a ``TypeError``.

    .. versionadded:: 0.1.0
    """
    if args and kwargs:
        raise TypeError("jsonify() takes positional arguments or keyword arguments, not both")
    value: Any = args[0] if len(args) == 1 else (list(args) if args else (kwargs or None))
    body = dumps(value)
    return new_response(
        "200 OK", [("Content-Type", JSON), ("Content-Length", str(len(body)))], [body]
    )
