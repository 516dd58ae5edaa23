import datetime
import decimal
import uuid

import attrs
import msgspec
import pydantic
from webob import Request

from respond_mw import Middleware, jsonify, make_response, view


class Order(pydantic.BaseModel):
    id: uuid.UUID
    placed: datetime.datetime
    total: decimal.Decimal


@attrs.define
class Point:
    x: int
    y: int


@attrs.define
class Visit:
    where: Point
    at: datetime.date


class Tag(msgspec.Struct):
    label: str


class Post(msgspec.Struct):
    title: str
    tag: Tag


ORDER = Order(
    id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    placed=datetime.datetime(2024, 5, 17, 12, 30, tzinfo=datetime.UTC),
    total=decimal.Decimal("9.90"),
)


@view
def show_order():
    return ORDER  # a model alone: 200, application/json


@view
def create_order():
    return ORDER, 201, {"Location": "/orders/1"}  # in a tuple, as any body


mw = Middleware()


@mw.route("/visits")
def visits():
    return {"visits": [Visit(Point(1, 2), datetime.date(2024, 5, 17))]}  # inside JSON


@mw.route("/posts/<int:n>")
def post(n):
    return Post(f"Post {n}", Tag("news"))


# checks
resp = Request.blank("/").get_response(show_order)
assert (resp.status, resp.content_type) == ("200 OK", "application/json")
assert resp.body == (
    b'{"id":"12345678-1234-5678-1234-567812345678","placed":"2024-05-17T12:30:00Z","total":"9.90"}'
)
resp = Request.blank("/").get_response(create_order)
assert (resp.status, resp.location) == ("201 Created", "http://localhost/orders/1")
assert resp.json["total"] == "9.90"

resp = Request.blank("/visits").get_response(mw)
assert resp.body == b'{"visits":[{"where":{"x":1,"y":2},"at":"2024-05-17"}]}'
resp = Request.blank("/posts/7").get_response(mw)
assert resp.body == b'{"title":"Post 7","tag":{"label":"news"}}'

assert make_response(Tag("x"), 404).status == "404 Not Found"
assert jsonify([Point(0, 0), Tag("y")]).body == b'[{"x":0,"y":0},{"label":"y"}]'
