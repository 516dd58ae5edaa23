"""Model objects as JSON (:mod:`respond_mw.jsoncodec`, the model rule of
:mod:`respond_mw.rules`): pydantic (v2) models, attrs instances and msgspec structs,
returned alone, in a tuple, or inside JSON, at every edge -- and none of those libraries
imported by respond_mw itself."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import subprocess
import sys
import textwrap
import uuid
import warnings
from pathlib import Path
from typing import Any

import attrs
import msgspec
import pydantic
import pytest
from webob import Request
from webtest import TestApp

from respond_mw import Middleware, coerce, jsonify, make_response, view
from respond_mw.context import RequestState
from respond_mw.jsoncodec import JSONModel, dumps, dumps_stdlib, model_dumper
from respond_mw.rules import coerce_parts

from .subprocess_support import ROOT, environment
from .wsgi_support import Adapters, call_wsgi, legacy_app

UID = uuid.UUID("12345678-1234-5678-1234-567812345678")
WHEN = datetime.datetime(2024, 5, 17, 12, 30, tzinfo=datetime.UTC)
LIBRARIES = ("pydantic", "pydantic_core", "attr", "attrs", "msgspec")

ENCODERS = [
    pytest.param(dumps_stdlib, id="stdlib"),
    pytest.param(dumps, id="default"),  # orjson when installed
]


# ------------------------------------------------------------------------- models


class Order(pydantic.BaseModel):
    id: uuid.UUID
    placed: datetime.datetime
    total: decimal.Decimal
    lines: list[str] = []


class Named(pydantic.BaseModel):
    name: str


class Numbers(pydantic.RootModel[list[int]]):
    pass


@attrs.define
class Point:
    x: int
    y: int


@attrs.frozen
class Visit:
    where: Point
    at: datetime.datetime
    tags: list[str] = attrs.field(factory=list)


@attrs.define
class Box:
    content: Any


class Tag(msgspec.Struct):
    label: str


class Post(msgspec.Struct):
    title: str
    tag: Tag
    at: datetime.datetime


class Holder(msgspec.Struct):
    content: Any


class WithJson:
    def __json__(self) -> dict[str, Any]:
        return {"kind": "plain", "on": datetime.date(2024, 5, 17)}


ORDER = Order(id=UID, placed=WHEN, total=decimal.Decimal("9.90"), lines=["pen"])
ORDER_JSON = (
    b'{"id":"12345678-1234-5678-1234-567812345678","placed":"2024-05-17T12:30:00Z",'
    b'"total":"9.90","lines":["pen"]}'
)
VISIT = Visit(Point(1, 2), WHEN, ["home"])
VISIT_JSON = b'{"where":{"x":1,"y":2},"at":"2024-05-17T12:30:00+00:00","tags":["home"]}'
POST = Post("Hello", Tag("news"), WHEN)
POST_JSON = b'{"title":"Hello","tag":{"label":"news"},"at":"2024-05-17T12:30:00Z"}'

MODELS = [
    pytest.param(ORDER, ORDER_JSON, id="pydantic"),
    pytest.param(Numbers([1, 2]), b"[1,2]", id="pydantic-root-model"),
    pytest.param(VISIT, VISIT_JSON, id="attrs"),
    pytest.param(POST, POST_JSON, id="msgspec"),
]


@dataclasses.dataclass
class Envelope:
    item: Any


# ----------------------------------------------------------------------- encoding


@pytest.mark.parametrize("encode", ENCODERS)
@pytest.mark.parametrize(("model", "expected"), MODELS)
def test_a_model_is_encoded_by_its_own_dump(encode: Any, model: Any, expected: bytes) -> None:
    assert encode(model) == expected


@pytest.mark.parametrize("encode", ENCODERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"order": ORDER}, b'{"order":' + ORDER_JSON + b"}", id="in-dict"),
        pytest.param([VISIT, POST], b"[" + VISIT_JSON + b"," + POST_JSON + b"]", id="in-list"),
        pytest.param(Envelope(POST), b'{"item":' + POST_JSON + b"}", id="in-dataclass"),
        pytest.param(
            {"a": [{"b": (Named(name="x"),)}]}, b'{"a":[{"b":[{"name":"x"}]}]}', id="deep"
        ),
        pytest.param(Box(Named(name="x")), b'{"content":{"name":"x"}}', id="pydantic-in-attrs"),
        pytest.param(Holder(Box(1)), b'{"content":{"content":1}}', id="attrs-in-msgspec"),
        pytest.param(
            Box(Envelope(WHEN)),
            b'{"content":{"item":"2024-05-17T12:30:00+00:00"}}',
            id="dataclass-in-attrs",
        ),
        pytest.param(
            Holder(WithJson()),
            b'{"content":{"kind":"plain","on":"2024-05-17"}}',
            id="json-method-in-msgspec",
        ),
    ],
)
def test_models_nested_in_json(encode: Any, value: Any, expected: bytes) -> None:
    assert encode(value) == expected


def test_attrs_values_are_encoded_by_the_json_rules() -> None:
    """attrs.asdict leaves the values as they are: the JSON rules encode them."""
    box = Box({"price": decimal.Decimal("1.10"), "id": UID, "day": datetime.date(2024, 1, 2)})
    assert json.loads(dumps(box)) == {
        "content": {"price": "1.10", "id": str(UID), "day": "2024-01-02"}
    }


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        pytest.param(Box(object()), TypeError, "Object of type object", id="attrs"),
        pytest.param(Holder(object()), TypeError, "Object of type object", id="msgspec"),
        pytest.param(Box(float("nan")), ValueError, "NaN", id="attrs-nan"),
    ],
)
def test_a_value_a_model_cannot_dump_is_an_error_before_headers(
    value: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        make_response(value)
    with pytest.raises(error, match=match):
        make_response({"nested": [value]})


def test_a_pydantic_model_it_cannot_serialise_is_an_error_before_headers() -> None:
    class Loose(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
        thing: object

    with pytest.raises(ValueError, match="not JSON"):
        make_response(Loose(thing=object()))

    @view
    def loose() -> Any:
        return {"loose": Loose(thing=object())}

    resp = Request.blank("/").get_response(loose)
    assert resp.status_int == 500


# -------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("model", "expected"), MODELS)
def test_a_returned_model_is_a_json_response(model: Any, expected: bytes) -> None:
    resp = make_response(model)
    assert (resp.status, resp.content_type, resp.body) == ("200 OK", "application/json", expected)
    assert resp.headers["Content-Length"] == str(len(expected))
    assert coerce(model).body == expected


@pytest.mark.parametrize(("model", "expected"), MODELS)
def test_jsonify_a_model(model: Any, expected: bytes) -> None:
    resp = jsonify(model)
    assert (resp.status, resp.content_type, resp.body) == ("200 OK", "application/json", expected)
    assert jsonify([model]).body == b"[" + expected + b"]"


@pytest.mark.parametrize(("model", "expected"), MODELS)
@pytest.mark.parametrize(
    ("extra", "status", "header"),
    [
        pytest.param((201,), "201 Created", None, id="status"),
        pytest.param(("404 Not Here",), "404 Not Here", None, id="reason"),
        pytest.param(({"X-Model": "1"},), "200 OK", "1", id="headers"),
        pytest.param((201, [("X-Model", "2")]), "201 Created", "2", id="status-headers"),
        pytest.param((None, {"X-Model": "3"}), "200 OK", "3", id="none-status"),
    ],
)
def test_a_model_in_a_tuple(
    model: Any, expected: bytes, extra: tuple[Any, ...], status: str, header: str | None
) -> None:
    for resp in (make_response((model, *extra)), make_response(model, *extra)):
        assert (resp.status, resp.content_type, resp.body) == (status, "application/json", expected)
        assert resp.headers.get("X-Model") == header


@pytest.mark.parametrize(("model", "expected"), MODELS)
def test_a_model_takes_the_json_fast_path(model: Any, expected: bytes) -> None:
    """Like a dict: the parts straight from the rule, alone and in a tuple."""
    state = RequestState(None, "view", "text/html; charset=UTF-8")
    parts = coerce_parts(model, state)
    assert parts is not None
    assert parts[0] == "200 OK" and list(parts[2]) == [expected]
    parts = coerce_parts((model, 201, {"X-A": "1"}), state)
    assert parts is not None
    assert parts[0] == "201 Created" and ("X-A", "1") in parts[1]


def test_the_model_classes_are_found_once_per_class() -> None:
    dumper = model_dumper(Order)
    assert dumper is not None and model_dumper(Order) is dumper
    assert model_dumper(Visit) is not None and model_dumper(Post) is not None
    for cls in (dict, Envelope, WithJson, Request):
        assert model_dumper(cls) is None
    assert issubclass(Order, JSONModel) and isinstance(POST, JSONModel)
    assert not issubclass(Envelope, JSONModel) and not isinstance({}, JSONModel)


def test_a_model_that_is_callable_is_json_not_a_wsgi_application() -> None:
    class Callable_(pydantic.BaseModel):
        name: str

        def __call__(self) -> str:
            return "called"

    assert make_response(Callable_(name="c")).body == b'{"name":"c"}'


def test_a_response_adapter_for_a_model_class_comes_first(adapters: Adapters) -> None:
    adapters.register(pydantic.BaseModel)(lambda model: ("adapted", 202))
    adapters.register(Point)(lambda point: f"{point.x},{point.y}")
    assert make_response(Named(name="x")).status == "202 Accepted"
    assert make_response(Point(1, 2)).body == b"1,2"
    assert make_response(POST).content_type == "application/json"


def test_a_pydantic_v1_model_is_not_a_model_object() -> None:
    """Only pydantic 2 models dump themselves (``model_dump``); ``pydantic.v1`` models
    are refused like any other object."""
    with warnings.catch_warnings():  # pydantic.v1 warns on the newest Pythons
        warnings.simplefilter("ignore")
        v1 = pytest.importorskip("pydantic.v1")

        class Old(v1.BaseModel):
            name: str

    with pytest.raises(TypeError, match="did not return a valid response"):
        make_response(Old(name="x"))


# ------------------------------------------------------------------------- edges


@view
def order_view() -> Any:
    return ORDER, 201, {"Location": "/orders/1"}


@view
def post_view() -> Any:
    return POST


@view
def visits_view() -> Any:
    return {"visits": [VISIT]}


@pytest.mark.parametrize(
    ("app", "status", "body"),
    [
        pytest.param(order_view, "201 Created", ORDER_JSON, id="pydantic-tuple"),
        pytest.param(post_view, "200 OK", POST_JSON, id="msgspec"),
        pytest.param(visits_view, "200 OK", b'{"visits":[' + VISIT_JSON + b"]}", id="attrs-nested"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_view(app: Any, status: str, body: bytes, method: str) -> None:
    for _ in range(2):  # the first request of a type is answered as every later one
        result = call_wsgi(app, "/", method)
        headers = dict(result.headers)
        assert (result.status, headers["Content-Type"]) == (status, "application/json")
        assert headers["Content-Length"] == str(len(body))
        assert result.body == (body if method == "GET" else b"")
    resp = Request.blank("/").get_response(app)  # called with a request
    assert (resp.status, resp.body) == (status, body)


def test_middleware_routes() -> None:
    mw = Middleware(legacy_app)

    @mw.route("/orders/<int:n>")
    def order(n: int) -> Any:
        return Order(id=UID, placed=WHEN, total=decimal.Decimal(n)), 201

    @mw.route("/visit")
    def visit() -> Any:
        return VISIT, {"X-Kind": "attrs"}

    @mw.route("/posts")
    def posts() -> Any:
        return [POST, {"tag": Tag("x")}]

    app = TestApp(mw, lint=True)
    resp = app.get("/orders/3", status=201)
    assert resp.content_type == "application/json"
    assert resp.json == {
        "id": str(UID),
        "placed": "2024-05-17T12:30:00Z",
        "total": "3",
        "lines": [],
    }
    resp = app.get("/visit")
    assert (resp.headers["X-Kind"], resp.body) == ("attrs", VISIT_JSON)
    assert app.get("/posts").body == b"[" + POST_JSON + b',{"tag":{"label":"x"}}]'
    assert app.head("/posts").body == b""
    assert app.get("/legacy").body == b"legacy /legacy"  # the wrapped application


# ---------------------------------------------------- no model library is imported


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )


def test_respond_mw_does_not_import_the_model_libraries() -> None:
    result = run_python(
        f"""
        import dataclasses, sys
        import respond_mw
        from respond_mw import jsonify, make_response

        @dataclasses.dataclass
        class Point:
            x: int

        assert make_response({{"p": Point(1)}}).body == b'{{"p":{{"x":1}}}}'
        assert jsonify([Point(2)]).body == b'[{{"x":2}}]'
        try:
            make_response(object())
        except TypeError:
            pass
        try:
            make_response({{"x": object()}})
        except TypeError:
            pass
        imported = [name for name in {LIBRARIES!r} if name in sys.modules]
        assert not imported, imported
        """
    )
    assert result.returncode == 0, result.stderr


def test_without_the_model_libraries_respond_mw_works() -> None:
    """None of them importable: the package imports and its JSON works."""
    result = run_python(
        f"""
        import sys
        for name in {LIBRARIES!r}:
            sys.modules[name] = None  # "import name" raises ImportError
        import dataclasses, datetime
        from webob import Request
        from respond_mw import jsonify, make_response, view

        @dataclasses.dataclass
        class Point:
            x: int

        @view
        def show():
            return {{"p": Point(1), "at": datetime.date(2024, 1, 2)}}, 201

        resp = Request.blank("/").get_response(show)
        assert (resp.status, resp.body) == ("201 Created", b'{{"p":{{"x":1}},"at":"2024-01-02"}}')
        assert jsonify(Point(2)).body == b'{{"x":2}}'
        try:
            make_response(Point(3))
        except TypeError as exc:
            assert "did not return a valid response" in str(exc)
        else:
            raise AssertionError("a dataclass is no response")
        for name in {LIBRARIES!r}:
            try:
                __import__(name)
            except ImportError:
                pass
            else:
                raise AssertionError(name + " was importable")
        print("ok")
        """
    )
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr


def test_a_library_imported_after_respond_mw_is_recognised() -> None:
    """The lookup is lazy: respond_mw first, then the application's models."""
    result = run_python(
        """
        import sys
        from respond_mw import make_response
        assert make_response({"a": 1}).body == b'{"a":1}'
        assert "msgspec" not in sys.modules and "pydantic" not in sys.modules
        import msgspec, pydantic

        class Tag(msgspec.Struct):
            label: str

        class User(pydantic.BaseModel):
            name: str

        assert make_response(Tag("x"), 201).body == b'{"label":"x"}'
        assert make_response([User(name="u")]).body == b'[{"name":"u"}]'
        """
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------- typing

TYPED_VIEWS = """
from __future__ import annotations

import attrs
import msgspec
import pydantic

from respond_mw import make_response
from respond_mw.typing import ModelValue, ResponseReturnValue, ResponseValue


class User(pydantic.BaseModel):
    name: str


@attrs.define
class Point:
    x: int


class Tag(msgspec.Struct):
    label: str


class Plain:
    pass


def user() -> ResponseReturnValue:
    return User(name="a")


def point() -> ResponseReturnValue:
    return Point(1), 201, {"X-A": "1"}


def tag() -> ResponseValue:
    return Tag("x")


models: list[ModelValue] = [User(name="a"), Point(1), Tag("x")]
built = make_response(Tag("x"), 201)


def plain() -> ResponseReturnValue:
    return Plain()  # type: ignore[return-value]
"""


def test_the_typing_aliases_accept_model_objects(tmp_path: Path) -> None:
    """mypy (strict) accepts models where :mod:`respond_mw.typing` describes a return
    value, and still refuses a plain object."""
    pytest.importorskip("mypy")
    sample = tmp_path / "typed_models.py"
    sample.write_text(TYPED_VIEWS)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(sample),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(),
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
