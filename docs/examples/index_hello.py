import html

from respond_mw import view


@view
def hello(request):
    name = request.params.get("name", "world")
    if name == "teapot":
        return {"error": "I'm a teapot"}, 418
    return f"<h1>Hello, {html.escape(name)}!</h1>", {"X-Greeting": "yes"}


# checks
from webtest import TestApp  # noqa: E402

app = TestApp(hello)
resp = app.get("/?name=Ada")
assert resp.text == "<h1>Hello, Ada!</h1>"
assert app.get("/?name=<b>Ada</b>").text == "<h1>Hello, &lt;b&gt;Ada&lt;/b&gt;!</h1>"
assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"
assert resp.headers["X-Greeting"] == "yes"
resp = app.get("/?name=teapot", status=418)
assert resp.json == {"error": "I'm a teapot"}
