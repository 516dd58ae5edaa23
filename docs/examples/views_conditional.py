from webob import Request

from respond_mw import make_conditional, make_response, view


@view(conditional=True)
def catalogue():
    return {"items": ["tea", "cake"]}


@view
def news(request):
    resp = make_response("<h1>No news today</h1>")
    resp.cache_control.max_age = 60
    return make_conditional(resp, request)  # the same, for one response


# checks
first = Request.blank("/").get_response(catalogue)
etag = first.headers["ETag"]
assert first.status_code == 200 and etag.startswith('"')
again = Request.blank("/", if_none_match=etag).get_response(catalogue)
assert (again.status_code, again.body) == (304, b"")
assert again.headers["ETag"] == etag

etag = Request.blank("/").get_response(news).headers["ETag"]
assert Request.blank("/", if_none_match=etag).get_response(news).status_code == 304
