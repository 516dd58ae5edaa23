import asyncio

from webob import Request

from respond_mw import current_request, view

log = []


@view(content_type="text/plain")
async def ticker():
    async def ticks():
        try:
            for n in range(1000):
                await asyncio.sleep(0)
                yield f"tick {n} for {current_request().path}\n"
        finally:
            log.append("aclose() ran")  # when the server closes the body

    return ticks()


# checks
environ = Request.blank("/ticks").environ
body = ticker(environ, lambda status, headers, exc_info=None: None)
assert next(body) == b"tick 0 for /ticks\n"
assert next(body) == b"tick 1 for /ticks\n"
body.close()  # the client went away: the server closes the body early
assert log == ["aclose() ran"]
