from respond_mw import make_response

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

# 204, 304 and 1xx responses have no content: body, Content-Type, Content-Length go
resp = make_response("ignored", 204)
assert resp.body == b""
assert "Content-Type" not in resp.headers

resp = make_response("ignored", 205)
assert (resp.body, resp.headers["Content-Length"]) == (b"", "0")
