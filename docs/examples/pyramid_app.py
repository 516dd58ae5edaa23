import html

from pyramid.config import Configurator

from respond_mw import abort, current_request, view


def hello(request):
    return {"hello": request.matchdict["name"]}  # JSON


def teapot(request):
    return "I'm a teapot", 418, {"X-Brew": "earl grey"}  # a tuple


def report(request):
    if "year" not in request.params:
        abort(400, "which year?")

    def lines():
        year = current_request().params["year"]  # the Pyramid request
        yield f"report for {html.escape(year)}\n"
        yield "all good\n"

    return lines()  # streamed


def legacy(request):
    return {"renderer": "json"}  # a view with a renderer is unaffected


@view
def decorated(request):
    return "a @view function, registered as a Pyramid view"


with Configurator() as config:
    config.include("respond_mw.integrations.pyramid")
    config.add_route("hello", "/hello/{name}")
    config.add_view(hello, route_name="hello")
    config.add_route("teapot", "/teapot")
    config.add_view(teapot, route_name="teapot")
    config.add_route("report", "/report")
    config.add_view(report, route_name="report")
    config.add_route("legacy", "/legacy")
    config.add_view(legacy, route_name="legacy", renderer="string")
    config.add_route("decorated", "/decorated")
    config.add_view(decorated, route_name="decorated")
    app = config.make_wsgi_app()

# checks
from webtest import TestApp  # noqa: E402

client = TestApp(app)
assert client.get("/hello/ada").json == {"hello": "ada"}
resp = client.get("/teapot", status=418)
assert (resp.text, resp.headers["X-Brew"]) == ("I'm a teapot", "earl grey")
assert client.get("/report?year=2024").text == "report for 2024\nall good\n"
assert client.get("/report?year=<i>").text.startswith("report for &lt;i&gt;\n")
assert client.get("/report", status=400).status == "400 Bad Request"
assert client.get("/legacy").text == "{'renderer': 'json'}"  # the string renderer's output
assert client.get("/decorated").text == "a @view function, registered as a Pyramid view"
