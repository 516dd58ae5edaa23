from webtest import TestApp

from respond_mw import call_on_close, current_request, view

outbox = []


@view
def signup(request):
    name = request.params["name"]

    @call_on_close
    def welcome():  # runs once the response is sent
        outbox.append(f"welcome mail to {name} (from {current_request().path})")

    return {"name": name}, 201


# checks
app = TestApp(signup)
assert app.post("/signup", {"name": "ada"}, status=201).json == {"name": "ada"}
assert outbox == ["welcome mail to ada (from /signup)"]
