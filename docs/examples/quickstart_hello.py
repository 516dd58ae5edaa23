# hello.py
import html

from respond_mw import view


@view
def app(request):
    name = request.params.get("name", "world")
    if not name.isalpha():
        return {"error": "a name is made of letters"}, 400
    return f"<h1>Hello, {html.escape(name)}!</h1>"


if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8080)

# checks
from webtest import TestApp  # noqa: E402

client = TestApp(app)
assert client.get("/?name=Ada").text == "<h1>Hello, Ada!</h1>"
assert client.get("/?name=4da", status=400).json == {"error": "a name is made of letters"}
