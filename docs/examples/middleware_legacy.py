import html

from respond_mw import Middleware, make_response


def legacy_app(environ, start_response):
    """The application you already have: plain WSGI, untouched."""
    if environ["PATH_INFO"] == "/":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the legacy home page"]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"legacy: not found"]


def render_page(name):
    return f"<h1>Sorry, there is nothing here</h1><!-- {name} -->"


mw = Middleware(legacy_app)


@mw.route("/hello/<name>")
def hello(name):
    return f"<p>Hello, {html.escape(name)}!</p>"


@mw.route("/items/<int:item_id>", methods=["GET", "PUT"])
def item(item_id, request):
    if request.method == "PUT":
        return {"updated": item_id, "with": request.json}, 200
    return {"id": item_id}


@mw.route("/files/<path:name>")
def file_info(name):
    return {"name": name, "parts": name.split("/")}


@mw.errorhandler(404)
def not_found(error):
    resp = make_response(render_page("error.html"), 404)
    resp.headers["X-Something"] = "A value"
    return resp


application = mw  # serve this with waitress, gunicorn, ...

# checks
from webtest import TestApp  # noqa: E402

client = TestApp(application)
assert client.get("/").text == "the legacy home page"  # untouched
assert client.get("/hello/Ada").text == "<p>Hello, Ada!</p>"
assert client.get("/hello/%3Cb%3E").text == "<p>Hello, &lt;b&gt;!</p>"  # escaped
assert client.get("/items/7").json == {"id": 7}
assert client.put_json("/items/7", {"x": 1}).json == {"updated": 7, "with": {"x": 1}}
assert client.delete("/items/7", status=405).headers["Allow"] == "GET, HEAD, OPTIONS, PUT"
assert client.get("/files/a/b.txt").json == {"name": "a/b.txt", "parts": ["a", "b.txt"]}

# the legacy app's own 404 gets the custom page, like the unknown item path
for path in ("/nowhere", "/items/seven"):
    resp = client.get(path, status=404)
    assert resp.text.startswith("<h1>Sorry, there is nothing here</h1>")
    assert resp.headers["X-Something"] == "A value"
