# test_app.py -- run with pytest
import html

from webob import Request
from webtest import TestApp

from respond_mw import Middleware, view

mw = Middleware()


@mw.route("/users/<int:user_id>")
def user(user_id):
    if user_id != 1:
        return {"error": "no such user"}, 404
    return {"id": 1, "name": "Ada"}


@view
def hello(request):
    return f"Hello, {html.escape(request.params.get('name', 'world'))}!"


def test_user():
    client = TestApp(mw)  # checks every request and response against PEP 3333
    assert client.get("/users/1").json == {"id": 1, "name": "Ada"}
    resp = client.get("/users/2", status=404)  # any other status fails the test
    assert resp.json == {"error": "no such user"}


def test_hello_without_a_server():
    resp = hello(Request.blank("/?name=Ada"))  # a view called with a request
    assert resp.text == "Hello, Ada!"
    assert hello(Request.blank("/?name=<b>")).text == "Hello, &lt;b&gt;!"  # escaped


# checks
test_user()
test_hello_without_a_server()
