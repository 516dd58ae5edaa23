from webob import Request

from respond_mw import view


def legacy_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"from the legacy app at ", environ["PATH_INFO"].encode()]


@view
def delegate(request):
    if request.params.get("new"):
        return "the new page"
    return legacy_app  # run against the current request


# checks
assert Request.blank("/report").get_response(delegate).text == "from the legacy app at /report"
assert Request.blank("/report?new=1").get_response(delegate).text == "the new page"
