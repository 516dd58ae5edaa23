import dataclasses

from webob import Request

from respond_mw import remove_response_adapter, response_adapter, view


class Page:
    def __init__(self, title, html):
        self.title = title
        self.html = html


class ErrorPage(Page):
    status = 500


@response_adapter(Page)
def page_as_html(page):
    status = getattr(page, "status", 200)
    return f"<title>{page.title}</title>{page.html}", status


@dataclasses.dataclass
class Created:
    location: str
    data: dict


@response_adapter(Created)
def created(value):
    return value.data, 201, {"Location": value.location}


@view
def home():
    return Page("Home", "<h1>Welcome</h1>")


@view
def oops():
    return ErrorPage("Oops", "<h1>Something broke</h1>")


@view
def new_user():
    return Created("/users/8", {"id": 8})


# checks
resp = Request.blank("/").get_response(home)
assert resp.text == "<title>Home</title><h1>Welcome</h1>"
assert Request.blank("/").get_response(oops).status_code == 500  # subclasses use it too
resp = Request.blank("/").get_response(new_user)
assert (resp.status_code, resp.location, resp.json) == (201, "http://localhost/users/8", {"id": 8})

remove_response_adapter(Page)  # forget it (useful in tests)
try:
    home(Request.blank("/"))
except TypeError as error:
    assert "returned Page" in str(error)
else:
    raise AssertionError("Page is still adapted")
remove_response_adapter(Created)
