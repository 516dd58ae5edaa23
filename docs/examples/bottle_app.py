import bottle

from respond_mw import abort
from respond_mw.integrations.bottle import RespondPlugin

app = bottle.Bottle()
app.install(RespondPlugin())


@app.get("/items")
def items():
    return [{"id": 1}, {"id": 2}]  # JSON (Bottle alone cannot return a list)


@app.post("/items")
def create():
    return {"id": 3}, 201, {"Location": "/items/3"}


@app.get("/items/<item_id:int>")
def item(item_id):
    if item_id > 3:
        abort(404, f"no item {item_id}")
    return {"id": item_id}


@app.get("/stream")
def stream():
    return (f"line {n}\n" for n in range(3))


@app.get("/old")
def old():
    bottle.redirect("/items")  # Bottle's own helpers keep working


@app.get("/raw", skip=[RespondPlugin])  # Bottle's own handling for this route
def raw():
    return ["not", "json"]


# checks
from webtest import TestApp  # noqa: E402

client = TestApp(app)
assert client.get("/items").json == [{"id": 1}, {"id": 2}]
resp = client.post("/items", status=201)
assert resp.headers["Location"].endswith("/items/3")
assert client.get("/items/2").json == {"id": 2}
assert client.get("/items/9", status=404).status == "404 Not Found"
assert client.get("/stream").text == "line 0\nline 1\nline 2\n"
assert client.get("/old", status=302).headers["Location"].endswith("/items")
assert client.get("/raw").text == "notjson"  # Bottle joins a list of strings
