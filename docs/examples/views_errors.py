import logging

from webob import Request
from webob.exc import HTTPForbidden

from respond_mw import abort, view

USERS = {1: "Ada"}


@view
def user(request):
    user_id = int(request.params.get("id", "0"))
    if user_id < 0:
        raise HTTPForbidden()
    if user_id not in USERS:
        abort(404, f"no user {user_id}")
    return {"id": user_id, "name": USERS[user_id]}


@view
def broken():
    return {"total": 1 / 0}


# checks
assert Request.blank("/?id=1").get_response(user).json == {"id": 1, "name": "Ada"}
assert Request.blank("/?id=-1").get_response(user).status == "403 Forbidden"

missing = Request.blank("/?id=2", accept="application/json").get_response(user)
assert missing.status == "404 Not Found"
assert "no user 2" in missing.json["message"]
assert missing.json["code"] == "404 Not Found"

# an unexpected error is logged and answered with a generic 500 that reveals nothing
logging.getLogger("respond_mw").disabled = True  # keep the example's output quiet
try:
    resp = Request.blank("/").get_response(broken)
finally:
    logging.getLogger("respond_mw").disabled = False
assert resp.status == "500 Internal Server Error"
assert "ZeroDivisionError" not in resp.text
