import tempfile
from pathlib import Path

from webob import Request

from respond_mw import Middleware, send_from_directory, view

static = Path(tempfile.mkdtemp())
(static / "css").mkdir()
(static / "css" / "site.css").write_text("body { margin: 0 }\n")
(static.parent / "secret.txt").write_text("not for you")

mw = Middleware()


@mw.route("/static/<path:name>")
def static_file(name):
    # `name` comes from the URL: never Path(static) / name
    return send_from_directory(static, name), {"Cache-Control": "max-age=3600"}


@view
def logo():
    return open(static / "css" / "site.css", "rb"), {"Content-Type": "text/css"}


# checks
resp = Request.blank("/static/css/site.css").get_response(mw)
assert resp.status_code == 200
assert resp.headers["Content-Type"] == "text/css; charset=UTF-8"
assert resp.headers["Cache-Control"] == "max-age=3600"
assert resp.body == b"body { margin: 0 }\n"
for attempt in ("/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/css"):
    assert Request.blank(attempt).get_response(mw).status_code == 404

resp = Request.blank("/").get_response(logo)
assert resp.headers["Content-Type"] == "text/css"
assert resp.body == b"body { margin: 0 }\n"
import shutil  # noqa: E402

shutil.rmtree(static)
(static.parent / "secret.txt").unlink()
