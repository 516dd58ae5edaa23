from webob import Request

from respond_mw import view

events = []


@view
def countdown():
    def lines():
        try:
            for n in (3, 2, 1):
                events.append(f"yield {n}")
                yield f"{n}\n"
            yield b"liftoff\n"
        finally:
            events.append("closed")

    return lines()


# checks
environ = Request.blank("/").environ
started = []
body = countdown(environ, lambda status, headers: started.append((status, headers)))
assert events == ["yield 3"]  # the first chunk only, before the status is committed
status, headers = started[0]
assert status == "200 OK"
assert "Content-Length" not in dict(headers)
assert next(iter(body)) == b"3\n"
assert events == ["yield 3"]  # the rest is produced as the server iterates
body.close()  # what a server does when the client goes away
assert events == ["yield 3", "closed"]
