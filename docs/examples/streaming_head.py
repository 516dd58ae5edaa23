import inspect

from webob import Request

from respond_mw import view

streams = []


@view
def log_tail():
    def lines():
        with open(__file__) as file:  # opened inside: closed by the generator's close()
            yield from file

    stream = lines()
    streams.append(stream)
    return stream


# checks
environ = Request.blank("/", method="HEAD").environ
body = log_tail(environ, lambda status, headers: None)
assert list(body) == []  # HEAD: no body is sent, the file was never opened
body.close()
assert inspect.getgeneratorstate(streams[0]) == "GEN_CLOSED"
