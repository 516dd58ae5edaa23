from webob import Request

from respond_mw import redirect, view


@view
def old_page(request):
    return redirect("new-page", 301)  # relative to the request's URL


@view
def login(request):
    return redirect(request.params.get("next", "/"))


# checks
resp = Request.blank("http://example.com/docs/old-page").get_response(old_page)
assert resp.status == "301 Moved Permanently"
assert resp.location == "http://example.com/docs/new-page"

resp = Request.blank("http://example.com/login?next=/account").get_response(login)
assert resp.location == "http://example.com/account"

# a `next` pointing elsewhere is refused: no open redirect
for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
    try:
        login(Request.blank(f"http://example.com/login?next={target}"))
    except ValueError as error:
        assert "evil.example" in str(error) or "backslash" in str(error)
    else:
        raise AssertionError(f"redirected to {target}")
