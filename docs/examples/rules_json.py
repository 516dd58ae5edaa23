from webob import Request

from respond_mw import view


@view
def user():
    return {"name": "Ada", "langs": ["en", "fr"], "id": 7}


@view
def ids():
    return [3, 1, 2]


# checks
resp = Request.blank("/").get_response(user)
assert resp.headers["Content-Type"] == "application/json"
assert resp.body == b'{"name":"Ada","langs":["en","fr"],"id":7}'
assert Request.blank("/").get_response(ids).body == b"[3,1,2]"
