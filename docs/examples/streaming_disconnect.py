import socket
import threading
import time

from waitress.server import create_server

from respond_mw import view

finished = threading.Event()


@view
def ticker():
    def ticks():
        try:
            n = 0
            while True:  # endless: only the client going away ends it
                n += 1
                yield f"tick {n}\n"
                time.sleep(0.05)
        finally:
            finished.set()  # release what the stream holds (files, cursors, locks)

    return ticks()


# checks: serve it with waitress, read a little, hang up
server = create_server(ticker, host="127.0.0.1", port=0)
threading.Thread(target=server.run, daemon=True).start()
try:
    client = socket.create_connection(server.socket.getsockname()[:2])
    client.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert client.recv(4096).startswith(b"HTTP/1.1 200 OK")
    client.close()
    assert finished.wait(timeout=10), "the generator was not closed"
finally:
    server.close()
