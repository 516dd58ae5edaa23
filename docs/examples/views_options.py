from webob import Request

from respond_mw import View, view


@view
def status():  # no `request` parameter: called with no arguments
    return {"ok": True}


@view(content_type="text/plain", headers={"X-Content-Type-Options": "nosniff"})
def robots(request):
    return "User-agent: *\nDisallow: /private/\n"


# checks
assert isinstance(status, View)
assert status.__name__ == "status"
assert repr(status) == f"<respond_mw.View {__name__}.status>"
assert status.__wrapped__() == {"ok": True}  # the undecorated function

# called with a WebOb request, a view returns the response (no WSGI round trip)
resp = robots(Request.blank("/robots.txt"))
assert resp.headers["Content-Type"] == "text/plain; charset=UTF-8"
assert resp.headers["X-Content-Type-Options"] == "nosniff"
assert resp.text.startswith("User-agent: *")

# HEAD: the headers of GET, no body
head = Request.blank("/robots.txt", method="HEAD").get_response(robots)
assert head.headers["Content-Type"] == "text/plain; charset=UTF-8"
assert head.body == b""
