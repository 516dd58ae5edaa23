import json
import queue

from webtest import TestApp

from respond_mw import Comment, Event, Middleware, current_request, event_stream, ndjson

app = Middleware()
messages = queue.Queue()  # filled by other threads: a chat, a job queue, a database listener


@app.route("/prices")
def prices():
    # A reconnecting browser sends the id of the last event it received.
    last = current_request().headers.get("Last-Event-ID")
    start = int(last) + 1 if last and last.isdigit() else 1

    def updates():
        for n in range(start, start + 2):
            yield Event(data={"price": 100 + n}, event="price", id=n)  # data as JSON

    return event_stream(updates(), retry=5000)  # reconnect after 5 s


@app.route("/chat")
def chat():
    def relay():
        while True:
            try:
                message = messages.get(timeout=15)
            except queue.Empty:
                # Nothing to say for 15 s: a heartbeat keeps proxies from closing the
                # connection, and writing it is how the server notices a client that left.
                yield Comment("keepalive")
                continue
            if message is None:  # the end of the conversation
                return
            yield message  # a str: the data of a "message" event, over several lines

    return event_stream(relay())


@app.route("/export")
def export():
    return ndjson({"row": n, "square": n * n} for n in range(3))


# checks
client = TestApp(app)

resp = client.get("/prices")
assert resp.headers["Content-Type"] == "text/event-stream; charset=utf-8"
assert resp.headers["Cache-Control"] == "no-cache"
assert resp.headers["X-Accel-Buffering"] == "no"
assert resp.text == (
    "retry: 5000\n\n"
    'event: price\nid: 1\ndata: {"price":101}\n\n'
    'event: price\nid: 2\ndata: {"price":102}\n\n'
)
resumed = client.get("/prices", headers={"Last-Event-ID": "2"})
assert "id: 3\n" in resumed.text and "id: 1\n" not in resumed.text

messages.put("hello\nworld")
messages.put(None)
assert client.get("/chat").text == "data: hello\ndata: world\n\n"

resp = client.get("/export")
assert resp.headers["Content-Type"] == "application/x-ndjson"
rows = [json.loads(line) for line in resp.text.splitlines()]
assert rows == [{"row": 0, "square": 0}, {"row": 1, "square": 1}, {"row": 2, "square": 4}]
