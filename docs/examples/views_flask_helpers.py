from webtest import TestApp

from respond_mw import Middleware, after_this_request, current_request, stream_with_context

mw = Middleware()


@mw.after_request
def server_header(response):  # runs after the request's own functions
    response.headers["X-Served-By"] = "respond_mw"
    return response


@mw.route("/visit")
def visit():
    @after_this_request
    def remember(response):  # for this request only
        response.set_cookie("visited", "yes")
        return response

    return "<p>welcome</p>"


@mw.route("/stream")
def stream():
    def lines():
        yield f"hello {current_request().path}\n"  # the request is there, as always

    return stream_with_context(lines())  # what Flask needs; here it changes nothing


# checks
client = TestApp(mw)
resp = client.get("/visit")
assert resp.headers["Set-Cookie"].startswith("visited=yes")
assert resp.headers["X-Served-By"] == "respond_mw"
assert "Set-Cookie" not in client.get("/stream").headers
assert client.get("/stream").text == "hello /stream\n"
