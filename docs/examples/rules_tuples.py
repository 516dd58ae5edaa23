from http import HTTPStatus

from respond_mw import make_response

# (body, status): the status is an int, an http.HTTPStatus or a str
assert make_response("made", 201).status == "201 Created"
assert make_response("gone", HTTPStatus.GONE).status == "410 Gone"
assert make_response("nope", "404").status == "404 Not Found"
assert make_response("fish", "404 Gone Fishing").status == "404 Gone Fishing"

# (body, headers): a dict, any mapping, a list or tuple of pairs, WebOb headers
resp = make_response({"ok": True}, {"Cache-Control": "no-store"})
assert resp.status == "200 OK"
assert resp.headers["Cache-Control"] == "no-store"
resp = make_response("hi", [("X-Tag", "a"), ("X-Tag", "b")])
assert resp.headers.getall("X-Tag") == ["a", "b"]

# (body, status, headers); a status of None keeps the body's
resp = make_response(["queued"], 202, {"Location": "/jobs/1"})
assert (resp.status_code, resp.headers["Location"]) == (202, "/jobs/1")
assert make_response("same", None, {"X-A": "1"}).status == "200 OK"
