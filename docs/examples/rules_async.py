import asyncio

from webob import Request

from respond_mw import current_request, view


@view
async def profile(request):
    await asyncio.sleep(0)  # await a database, an HTTP client...
    return {"user": request.params["user"]}, {"Cache-Control": "no-store"}


@view
async def feed():
    async def events():
        for n in range(3):
            await asyncio.sleep(0)
            yield f"event {n} for {current_request().path}\n"

    return events()


# checks
resp = Request.blank("/?user=ada").get_response(profile)
assert resp.json == {"user": "ada"}
assert resp.headers["Cache-Control"] == "no-store"
resp = Request.blank("/feed").get_response(feed)
assert resp.text == "event 0 for /feed\nevent 1 for /feed\nevent 2 for /feed\n"
