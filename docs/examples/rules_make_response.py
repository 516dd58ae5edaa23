from webob import Request

from respond_mw import make_response, view


@view
def download(request):
    resp = make_response("id,name\n1,Ada\n", {"Content-Type": "text/csv; charset=UTF-8"})
    resp.content_disposition = "attachment; filename=people.csv"
    resp.cache_control.max_age = 60
    return resp


# checks
resp = Request.blank("/").get_response(download)
assert resp.headers["Content-Type"] == "text/csv; charset=UTF-8"
assert resp.headers["Content-Disposition"] == "attachment; filename=people.csv"
assert resp.headers["Cache-Control"] == "max-age=60"
assert make_response().status == "200 OK"
assert make_response().body == b""
assert make_response("gone", 410, {"X-Reason": "moved"}).headers["X-Reason"] == "moved"
