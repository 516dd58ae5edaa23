from webob import Request

from respond_mw import make_response, view

# a name given replaces the body's values of that name...
resp = make_response({"a": 1}, {"Content-Type": "application/vnd.example+json"})
assert resp.headers.getall("Content-Type") == ["application/vnd.example+json"]

# ...except Set-Cookie, whose values are always added
page = make_response("<p>welcome</p>")
page.set_cookie("session", "abc123")
resp = make_response(page, {"Set-Cookie": "theme=dark; Path=/"})
assert resp.headers.getall("Set-Cookie") == ["session=abc123; Path=/", "theme=dark; Path=/"]

# a name given several times keeps all its values; non-str values go through str()
resp = make_response("hi", {"Link": ["</a.css>; rel=preload", "</b.js>; rel=preload"]})
assert resp.headers.getall("Link") == ["</a.css>; rel=preload", "</b.js>; rel=preload"]
assert make_response("hi", {"X-Count": 3}).headers["X-Count"] == "3"

# 204 and 304 responses go out without content: body, Content-Type, Content-Length
# are dropped where the response leaves, whatever built it


@view
def deleted():
    return "ignored", 204


resp = Request.blank("/").get_response(deleted)
assert (resp.status, resp.body) == ("204 No Content", b"")
assert "Content-Type" not in resp.headers and "Content-Length" not in resp.headers


@view
def reset():
    page = make_response("ignored")
    page.status = 205  # changed after the rules built it: the same answer
    return page


resp = Request.blank("/").get_response(reset)
assert (resp.body, resp.headers["Content-Length"]) == (b"", "0")
