"""JSON encoding (:mod:`respond_mw.jsoncodec`): the stdlib encoder and orjson (when
installed) are tested on the same values and must agree."""

from __future__ import annotations

import collections
import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webob import Request

from respond_mw import jsoncodec, jsonify, make_response
from respond_mw.context import RequestState, reset_state, set_state
from respond_mw.jsoncodec import JSONEncodeError, dumps, dumps_stdlib

ENCODERS = [
    pytest.param(dumps_stdlib, id="stdlib"),
    pytest.param(dumps, id="default"),  # orjson when installed
]


class Color(enum.Enum):
    RED = "red"
    BLUE = 2


@dataclasses.dataclass
class Item:
    name: str
    price: decimal.Decimal
    tags: list[str] = dataclasses.field(default_factory=list)


class WithJson:
    def __json__(self) -> dict[str, Any]:
        return {"kind": "plain"}


class WithJsonRequest:
    def __json__(self, request: Request | None) -> dict[str, Any]:
        return {"path": None if request is None else request.path}


Row = collections.namedtuple("Row", "a b")
UID = uuid.UUID("12345678-1234-5678-1234-567812345678")

VALUES = [
    pytest.param(
        {"b": 1, "a": 2, "c": {"z": 0, "y": 1}}, b'{"b":1,"a":2,"c":{"z":0,"y":1}}', id="order"
    ),
    pytest.param([1, 2.5, True, False, None, "s"], b'[1,2.5,true,false,null,"s"]', id="scalars"),
    pytest.param({"s": "é€😀"}, '{"s":"é€😀"}'.encode(), id="utf8-not-escaped"),
    pytest.param({"s": 'a"\\\n\t\x01'}, b'{"s":"a\\"\\\\\\n\\t\\u0001"}', id="escapes"),
    pytest.param(
        {"s": "</script>\u2028"}, '{"s":"</script>\u2028"}'.encode(), id="no-html-escaping"
    ),
    pytest.param((1, (2, 3)), b"[1,[2,3]]", id="tuple"),
    pytest.param(Row(1, 2), b"[1,2]", id="namedtuple-is-a-list-inside-json"),
    pytest.param({"n": 2**64}, b'{"n":18446744073709551616}', id="big-int"),
    pytest.param({"n": -(2**70)}, b'{"n":-1180591620717411303424}', id="big-negative-int"),
    pytest.param(
        {1: "a", 2.5: "b", False: "c", None: "d"},
        b'{"1":"a","2.5":"b","false":"c","null":"d"}',
        id="non-str-keys",
    ),
    pytest.param(
        {"d": datetime.datetime(2024, 5, 6, 7, 8, 9)}, b'{"d":"2024-05-06T07:08:09"}', id="datetime"
    ),
    pytest.param(
        {"d": datetime.datetime(2024, 5, 6, 7, 8, 9, 123, tzinfo=datetime.UTC)},
        b'{"d":"2024-05-06T07:08:09.000123+00:00"}',
        id="datetime-aware",
    ),
    pytest.param({"d": datetime.date(2024, 5, 6)}, b'{"d":"2024-05-06"}', id="date"),
    pytest.param({"t": datetime.time(7, 8, 9)}, b'{"t":"07:08:09"}', id="time"),
    pytest.param({"p": decimal.Decimal("1.10")}, b'{"p":"1.10"}', id="decimal"),
    pytest.param({"u": UID}, b'{"u":"12345678-1234-5678-1234-567812345678"}', id="uuid"),
    pytest.param({"c": Color.RED, "n": Color.BLUE}, b'{"c":"red","n":2}', id="enum"),
    pytest.param(
        Item("pen", decimal.Decimal("2.50"), ["x"]),
        b'{"name":"pen","price":"2.50","tags":["x"]}',
        id="dataclass",
    ),
    pytest.param([WithJson()], b'[{"kind":"plain"}]', id="__json__"),
    pytest.param([WithJsonRequest()], b'[{"path":null}]', id="__json__-request-outside"),
    pytest.param({"f": 1e16, "g": 0.1, "h": -0.0}, b'{"f":1e+16,"g":0.1,"h":-0.0}', id="floats"),
    pytest.param({"text": "null"}, b'{"text":"null"}', id="null-text-in-a-string"),
]


@pytest.mark.parametrize("encode", ENCODERS)
@pytest.mark.parametrize(("value", "expected"), VALUES)
def test_encoding(encode: Any, value: Any, expected: bytes) -> None:
    assert encode(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(1e-7, id="small-exponent"),
        pytest.param([1e300, 5e-324, 123456789.123456789], id="extremes"),
    ],
)
def test_float_spelling_may_differ_but_values_are_equal(value: Any) -> None:
    assert json.loads(dumps(value)) == json.loads(dumps_stdlib(value)) == value


def test_json_method_receives_the_current_request() -> None:
    token = set_state(RequestState(Request.blank("/here"), "v", "text/html"))
    try:
        assert dumps([WithJsonRequest()]) == b'[{"path":"/here"}]'
        assert dumps_stdlib([WithJsonRequest()]) == b'[{"path":"/here"}]'
    finally:
        reset_state(token)


ERRORS = [
    pytest.param(float("nan"), ValueError, "NaN and Infinity", id="nan"),
    pytest.param({"x": float("inf")}, ValueError, "NaN and Infinity", id="inf"),
    pytest.param([float("-inf")], ValueError, "NaN and Infinity", id="-inf"),
    pytest.param({float("nan"): 1}, ValueError, "NaN and Infinity", id="nan-key"),
    pytest.param(
        {"x": object()}, JSONEncodeError, "Object of type object is not JSON", id="object"
    ),
    pytest.param({"x": {1, 2}}, JSONEncodeError, "Object of type set", id="set"),
    pytest.param({"x": b"bytes"}, JSONEncodeError, "Object of type bytes", id="bytes"),
    pytest.param({(1, 2): "x"}, TypeError, "keys must be", id="tuple-key"),
    pytest.param({"s": "\ud800"}, ValueError, "lone surrogate", id="lone-surrogate"),
]


@pytest.mark.parametrize("encode", ENCODERS)
@pytest.mark.parametrize(("value", "error", "message"), ERRORS)
def test_errors(encode: Any, value: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        encode(value)


@pytest.mark.parametrize("encode", ENCODERS)
def test_deep_nesting_is_a_value_error(encode: Any) -> None:
    value: Any = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(ValueError, match="nested too deeply"):
        encode(value)


@pytest.mark.parametrize("encode", ENCODERS)
def test_moderate_nesting_beyond_orjsons_limit_is_fine(encode: Any) -> None:
    value: Any = 1
    for _ in range(300):  # orjson stops at 255 levels; the stdlib decides then
        value = [value]
    assert encode(value) == b"[" * 300 + b"1" + b"]" * 300


@pytest.mark.parametrize("encode", ENCODERS)
def test_circular_reference_is_a_value_error(encode: Any) -> None:
    value: list[Any] = []
    value.append(value)
    with pytest.raises(ValueError):
        encode(value)


def test_unserialisable_value_is_an_error_before_headers() -> None:
    with pytest.raises(TypeError, match="not JSON: Object of type object"):
        make_response({"x": object()})


# --------------------------------------------------------------------------- jsonify


@pytest.mark.parametrize(
    ("args", "kwargs", "body"),
    [
        pytest.param((), {}, b"null", id="nothing"),
        pytest.param(({"a": 1},), {}, b'{"a":1}', id="one"),
        pytest.param(([1],), {}, b"[1]", id="one-list"),
        pytest.param((1, "a"), {}, b'[1,"a"]', id="several"),
        pytest.param((), {"b": 1, "a": 2}, b'{"b":1,"a":2}', id="keywords"),
        pytest.param(("s",), {}, b'"s"', id="scalar"),
    ],
)
def test_jsonify(args: tuple[Any, ...], kwargs: dict[str, Any], body: bytes) -> None:
    resp = jsonify(*args, **kwargs)
    assert (resp.status, resp.content_type, resp.body) == ("200 OK", "application/json", body)
    assert resp.headers["Content-Length"] == str(len(body))


def test_jsonify_positional_and_keywords_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not both"):
        jsonify(1, a=2)


def test_orjson_is_used_when_installed() -> None:
    pytest.importorskip("orjson")
    assert dumps is not dumps_stdlib
    assert dumps.__name__ == "dumps_orjson"


def test_the_standard_encoder_uses_the_c_accelerator_without_per_call_setup() -> None:
    assert jsoncodec._encode_text is not jsoncodec._std_encoder.encode
    assert jsoncodec._encode_text.__name__ == "encode"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_the_accelerated_standard_encoder_matches_json_encoder(value: Any) -> None:
    assert jsoncodec._encode_text(value) == jsoncodec._std_encoder.encode(value)
    assert json.loads(dumps_stdlib(value)) == value


def test_markup_is_encoded_as_its_html_as_flask_does() -> None:
    class Markup:
        def __html__(self) -> object:
            return 42  # str() of whatever it gives, as Flask's provider

    assert jsonify({"m": Markup()}).body == b'{"m":"42"}'
    assert jsonify(Markup()).body == b'"42"'
