from respond_mw import Middleware, view


def legacy_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"legacy"]


@view
def api_app(request):
    return {"script_name": request.script_name, "path_info": request.path_info}


mw = Middleware(legacy_app)
mw.mount("/api", api_app)  # any WSGI application: a Pyramid or Bottle app, a @view


# checks
from webtest import TestApp  # noqa: E402

client = TestApp(mw)
assert client.get("/api/users/1").json == {"script_name": "/api", "path_info": "/users/1"}
assert client.get("/apix").text == "legacy"  # a prefix matches whole segments only
