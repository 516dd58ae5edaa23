import threading
import urllib.request

from waitress.server import create_server

from respond_mw import view


@view
def where(request):
    return {"url": request.url, "client": request.client_addr}


# behind a reverse proxy on the same machine, forwarding X-Forwarded-For/-Proto
server = create_server(
    where,
    host="127.0.0.1",
    port=0,  # in production: the port the proxy forwards to, e.g. 8081
    trusted_proxy="127.0.0.1",
    trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
)

# checks: play the proxy
threading.Thread(target=server.run, daemon=True).start()
try:
    host, port = server.socket.getsockname()[:2]
    proxied = urllib.request.Request(
        f"http://{host}:{port}/account",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
    )
    with urllib.request.urlopen(proxied) as resp:
        body = resp.read()
    assert b'"url":"https://' in body and b'/account"' in body
    assert b'"client":"203.0.113.7"' in body
finally:
    server.close()
