import dataclasses
import datetime
import decimal
import enum
import uuid

from respond_mw import jsonify, make_response


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __json__(self):
        return {"amount": self.cents / 100, "currency": "EUR"}


value = {
    "when": datetime.datetime(2024, 5, 17, 12, 30),
    "day": datetime.date(2024, 5, 17),
    "price": decimal.Decimal("9.90"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "colour": Colour.RED,
    "at": Point(1, 2),
    "total": Money(990),
    "name": "Zoë",
}

# checks
assert make_response(value).body == (
    b'{"when":"2024-05-17T12:30:00","day":"2024-05-17","price":"9.90",'
    b'"id":"12345678-1234-5678-1234-567812345678","colour":"red","at":{"x":1,"y":2},'
    b'"total":{"amount":9.9,"currency":"EUR"},"name":"Zo\xc3\xab"}'
)
assert jsonify(1, 2).body == b"[1,2]"
assert jsonify(id=7, name="Ada").body == b'{"id":7,"name":"Ada"}'
assert jsonify().body == b"null"
resp = jsonify({"ok": False})
resp.status = 409
assert (resp.status, resp.content_type) == ("409 Conflict", "application/json")
