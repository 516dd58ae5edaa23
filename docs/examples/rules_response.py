from webob import Request, Response
from webob.exc import HTTPNotFound

from respond_mw import view


@view
def teapot():
    return Response("short and stout", status=418, content_type="text/plain")


@view
def missing():
    return HTTPNotFound("no such page")


# checks
resp = Request.blank("/").get_response(teapot)
assert resp.status == "418 I'm a teapot"
assert resp.text == "short and stout"
assert Request.blank("/").get_response(missing).status_code == 404
