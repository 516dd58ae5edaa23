from respond_mw import Middleware, current_request

mw = Middleware()


@mw.route("/export")
def export(request):
    def rows():
        # runs while the server sends the response, after export() has returned
        user = current_request().params.get("user", "anonymous")
        yield f"export for {user}\n"
        for n in range(3):
            yield f"row {n}\n"

    return rows(), {"Content-Type": "text/csv; charset=UTF-8"}


# checks
from webtest import TestApp  # noqa: E402

resp = TestApp(mw).get("/export?user=ada")
assert resp.text == "export for ada\nrow 0\nrow 1\nrow 2\n"
assert resp.headers["Content-Type"] == "text/csv; charset=UTF-8"
assert TestApp(mw).get("/elsewhere", status=404).status == "404 Not Found"  # no app wrapped
