import logging

from webob.exc import HTTPClientError

from respond_mw import Middleware, abort


class OutOfStock(Exception):
    pass


def legacy_app(environ, start_response):
    raise RuntimeError("the legacy app is broken")


mw = Middleware(legacy_app)


@mw.route("/buy/<item>")
def buy(item):
    if item == "unicorn":
        raise OutOfStock(item)
    if item == "nothing":
        abort(400, "buy something")
    return {"bought": item}


@mw.errorhandler(OutOfStock)
def out_of_stock(error):
    return {"error": f"{error} is out of stock"}, 409


@mw.errorhandler(HTTPClientError)  # every 4xx without a handler of its own
def client_error(error):
    return {"error": error.title, "status": error.code}


# checks
from webtest import TestApp  # noqa: E402

client = TestApp(mw)
assert client.get("/buy/unicorn", status=409).json == {"error": "unicorn is out of stock"}
assert client.get("/buy/nothing", status=400).json == {"error": "Bad Request", "status": 400}

# no handler for RuntimeError: logged on "respond_mw", a generic 500 that reveals nothing
logging.getLogger("respond_mw").disabled = True  # keep the example's output quiet
try:
    resp = client.get("/legacy", status=500, headers={"Accept": "application/json"})
finally:
    logging.getLogger("respond_mw").disabled = False
assert resp.json["code"] == "500 Internal Server Error"
assert "broken" not in resp.text
