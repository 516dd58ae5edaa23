from webtest import TestApp

from respond_mw import Middleware, abort, lazy_stream

mw = Middleware()
ITEMS = {"1": ["red", "green"]}


@mw.route("/items/<key>")
def items(key):
    def lines():
        colours = ITEMS.get(key)
        if colours is None:
            abort(404, f"no item {key}")  # before the first chunk: the 404 handler answers
        for colour in colours:
            yield f"{colour}\n"

    return lines()


@mw.route("/wait")
def wait():
    return lazy_stream(iter(["headers were committed first\n"]))


@mw.errorhandler(404)
def not_found(error):
    return {"error": error.detail}, 404


# checks
app = TestApp(mw)
assert app.get("/items/1").text == "red\ngreen\n"
assert app.get("/items/2", status=404).json == {"error": "no item 2"}
assert app.get("/wait").text == "headers were committed first\n"
