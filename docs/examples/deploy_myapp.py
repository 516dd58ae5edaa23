# myapp.py
import os

from respond_mw import Middleware


def legacy_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"legacy"]


application = Middleware(legacy_app)


@application.route("/health")
def health():
    return {"ok": True, "pid": os.getpid()}


if __name__ == "__main__":
    import waitress

    waitress.serve(application, host="127.0.0.1", port=8080, threads=8)

# checks
from webtest import TestApp  # noqa: E402

assert TestApp(application).get("/health").json["ok"] is True
