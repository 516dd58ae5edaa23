from __future__ import annotations

import urllib.request

from respond_mw import view
from tests.server import serve


def test_serve_runs_a_real_waitress_server() -> None:
    @view
    def hello(request):  # type: ignore[no-untyped-def]
        return {"path": request.path}, {"X-Test": "1"}

    with serve(hello) as url, urllib.request.urlopen(f"{url}/x") as resp:
        assert resp.status == 200
        assert resp.headers["X-Test"] == "1"
        assert resp.headers["Server"] == "waitress"
        assert resp.read() == b'{"path":"/x"}'
