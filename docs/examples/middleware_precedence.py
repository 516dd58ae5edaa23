from webob import exc
from webtest import TestApp

from respond_mw import Middleware, abort

mw = Middleware()
calls = []


class Banned(exc.HTTPForbidden):
    """A 403 of the application's own."""


@mw.route("/banned")
def banned():
    raise Banned()


@mw.route("/forbidden")
def forbidden():
    abort(403)


@mw.route("/teapot")
def teapot():
    abort(418)


@mw.route("/oops")
def oops():
    abort(500)


@mw.errorhandler(Banned)  # the most specific class of the status comes first
def banned_page(error):
    return "banned"


@mw.errorhandler(403)  # the same slot as errorhandler(exc.HTTPForbidden)
def forbidden_page(error):
    return "forbidden"


@mw.errorhandler(Exception)  # a catch-all: HTTP errors too, when nothing else fits
def anything(error):
    return f"caught {error.code}"


@mw.errorhandler(500)
def server_error(error):
    if error.original_exception is not None:  # Flask's idiom works: None for abort(500)
        return "a bug"
    return "aborted"


@mw.before_request
def first():
    calls.append("before first")


@mw.before_request
def second():
    calls.append("before second")


@mw.after_request
def outer(response):  # registered first: runs last, as in Flask
    calls.append("after outer")
    return response


@mw.after_request
def inner(response):
    calls.append("after inner")
    return response


# checks
client = TestApp(mw)
assert client.get("/banned", status=403).text == "banned"
assert client.get("/forbidden", status=403).text == "forbidden"
assert client.get("/teapot", status=418).text == "caught 418"
assert client.get("/oops", status=500).text == "aborted"
assert calls[:4] == ["before first", "before second", "after inner", "after outer"]
