from webob import Request

from respond_mw import view


@view
def page():
    return "<p>café</p>"


@view
def raw():
    return b"\x89PNG..."


@view(content_type="text/plain")
def plain():
    return "no markup here"


# checks
resp = Request.blank("/").get_response(page)
assert resp.status == "200 OK"
assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"
assert resp.body == "<p>café</p>".encode()
assert resp.headers["Content-Length"] == str(len(resp.body))
assert Request.blank("/").get_response(raw).body == b"\x89PNG..."
assert Request.blank("/").get_response(plain).headers["Content-Type"] == (
    "text/plain; charset=UTF-8"
)
