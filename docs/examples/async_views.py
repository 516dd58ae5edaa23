import asyncio

from webob import Request

from respond_mw import Middleware, current_request, view


async def fetch_user(user_id):
    await asyncio.sleep(0)  # stands for a database or an HTTP call
    return {"id": user_id, "name": "Ada"}


@view
async def user(request):
    return await fetch_user(int(request.params["id"]))


mw = Middleware()


@mw.route("/users/<int:user_id>")
async def user_route(user_id):
    return await fetch_user(user_id), {"Cache-Control": "no-store"}


@mw.before_request
async def log_request():
    await asyncio.sleep(0)
    current_request().environ["example.seen"] = True
    # returning None lets the request go on


@mw.errorhandler(404)
async def not_found(error):
    return {"error": "not found", "path": current_request().path}, 404


# checks
assert Request.blank("/?id=7").get_response(user).json == {"id": 7, "name": "Ada"}
resp = Request.blank("/users/3").get_response(mw)
assert resp.json == {"id": 3, "name": "Ada"}
assert resp.headers["Cache-Control"] == "no-store"
resp = Request.blank("/nowhere").get_response(mw)
assert (resp.status_code, resp.json) == (404, {"error": "not found", "path": "/nowhere"})
