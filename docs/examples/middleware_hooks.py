import time

from respond_mw import Middleware, current_request


def legacy_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"legacy report"]


mw = Middleware(legacy_app)
finished = []


@mw.before_request
def require_token(request):
    request.environ["app.started"] = time.perf_counter()
    if request.path.startswith("/admin") and request.headers.get("X-Token") != "s3cret":
        return {"error": "a token is required"}, 401  # answers the request
    return None  # carry on


@mw.after_request
def add_timing(response):
    started = current_request().environ["app.started"]
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@mw.teardown_request
def log_end(error):
    finished.append((current_request().path, error))


@mw.route("/admin/stats")
def stats():
    return {"users": 3}


# checks
from webtest import TestApp  # noqa: E402

client = TestApp(mw)
assert client.get("/admin/stats", status=401).json == {"error": "a token is required"}
assert client.get("/admin/stats", headers={"X-Token": "s3cret"}).json == {"users": 3}
resp = client.get("/report")  # the legacy app's response goes through the hooks too
assert resp.text == "legacy report"
assert resp.headers["Server-Timing"].startswith("app;dur=")
assert finished == [("/admin/stats", None), ("/admin/stats", None), ("/report", None)]
