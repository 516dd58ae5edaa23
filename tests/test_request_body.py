"""The wrapped (or mounted) application receives the request body intact, whatever a
``before_request`` hook read of it (respond_mw.middleware.body).

Each legacy application -- raw WSGI, Flask, Bottle, Django -- is asked the same request
unwrapped and behind a Middleware whose hook reads the body one way or another; it
must see the same thing both times."""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import types
from collections.abc import Callable
from typing import Any

import bottle
import flask
import pytest
from webob import Request
from webob import Response as WebObResponse
from webtest import TestApp

from respond_mw import Middleware, current_request
from tests.server import serve

# ---------------------------------------------------------------- legacy applications


def raw_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    body = stream.read(int(length)) if length else stream.read()
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [body]


def _flask_app() -> Any:
    app = flask.Flask("legacy_flask")

    @app.post("/form")
    def form() -> Any:
        files = {k: f.read().decode("latin-1") for k, f in flask.request.files.items()}
        return {"form": flask.request.form.to_dict(flat=False), "files": files}

    @app.post("/data")
    def data() -> Any:
        return {"data": flask.request.get_data().decode("latin-1")}

    return app


def _bottle_app() -> Any:
    app = bottle.Bottle()

    @app.post("/form")
    def form() -> Any:
        files = {k: v.file.read().decode("latin-1") for k, v in bottle.request.files.items()}
        return {
            "form": {k: bottle.request.forms.getall(k) for k in bottle.request.forms},
            "files": files,
        }

    @app.post("/data")
    def data() -> Any:
        return {"data": bottle.request.body.read().decode("latin-1")}

    return app


def _django_app() -> Any:
    import django
    from django.conf import settings

    if not settings.configured:
        urls = types.ModuleType("tests_legacy_django_urls")
        sys.modules[urls.__name__] = urls
        settings.configure(
            DEBUG=False,
            SECRET_KEY="tests",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=urls.__name__,
            # as in every new project: CommonMiddleware gives pages their Content-Length
            MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
            INSTALLED_APPS=[],
            DATA_UPLOAD_MAX_MEMORY_SIZE=None,
        )
        django.setup()
        from django.http import JsonResponse
        from django.urls import path

        def form(request: Any) -> Any:
            files = {k: f.read().decode("latin-1") for k, f in request.FILES.items()}
            return JsonResponse({"form": dict(request.POST.lists()), "files": files})

        def data(request: Any) -> Any:
            return JsonResponse({"data": request.body.decode("latin-1")})

        urls.urlpatterns = [path("form", form), path("data", data)]  # type: ignore[attr-defined]
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def webob_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """A WebOb application: it parses the form WebOb parsed for the hook, if one did."""
    request = Request(environ)
    if request.path_info == "/form":
        post = request.POST
        answer: Any = {
            "form": {
                k: [v if isinstance(v, str) else v.value.decode("latin-1") for v in post.getall(k)]
                for k in post
            }
        }
    else:
        answer = {"data": request.body.decode("latin-1")}
    return WebObResponse(json_body=answer)(environ, start_response)


LEGACY = {
    "raw": lambda: raw_app,
    "webob": lambda: webob_app,
    "flask": _flask_app,
    "bottle": _bottle_app,
    "django": _django_app,
}

# ---------------------------------------------------------------- what hooks read


def _params() -> None:
    current_request().params.get("a")


def _post() -> None:
    current_request().POST.get("a")


def _body() -> None:
    assert isinstance(current_request().body, bytes)


def _json() -> None:
    with contextlib.suppress(ValueError):  # not JSON: read all the same
        current_request().json_body  # noqa: B018 -- reading it is the point


def _body_file() -> None:
    current_request().body_file.read(7)  # a part only


def _nothing() -> None:
    pass


HOOKS = {
    "params": _params,
    "POST": _post,
    "body": _body,
    "json": _json,
    "body_file": _body_file,
    "nothing": _nothing,
}

# ---------------------------------------------------------------- the requests

BODIES: dict[str, dict[str, Any]] = {
    "form": {"params": b"a=1&b=x+y%26z", "content_type": "application/x-www-form-urlencoded"},
    "multipart": {
        "params": (
            b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
            b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
            + b"file \x00\xff contents\r\n" * 100
            + b"\r\n--XyZ--\r\n"
        ),
        "content_type": "multipart/form-data; boundary=XyZ",
    },
    "json": {"params": json.dumps({"a": [1, 2]}), "content_type": "application/json"},
    "binary": {"params": bytes(range(256)) * 20, "content_type": "application/octet-stream"},
    "empty": {"params": b"", "content_type": "application/octet-stream"},
}


def _post(client: TestApp, path: str, params: Any, content_type: str) -> Any:
    body = params.encode() if isinstance(params, str) else params
    return client.request(path, method="POST", body=body, content_type=content_type)


def _path(legacy: str, body: str) -> str:
    if legacy == "raw":
        return "/form"
    return "/form" if body in ("form", "multipart") else "/data"


def _wrapped(app: Any, hook: Callable[[], None], mounted: bool) -> tuple[Any, str]:
    mw = Middleware(None if mounted else app)
    if mounted:
        mw.mount("/legacy", app)
    mw.before_request(hook)
    return mw, "/legacy" if mounted else ""


@pytest.mark.parametrize("mounted", [False, True], ids=["wrapped", "mounted"])
@pytest.mark.parametrize("hook", HOOKS, ids=str)
@pytest.mark.parametrize("body", BODIES, ids=str)
@pytest.mark.parametrize("legacy", LEGACY, ids=str)
def test_the_application_gets_the_body_whatever_the_hook_read(
    legacy: str, body: str, hook: str, mounted: bool
) -> None:
    path = _path(legacy, body)
    alone = _post(TestApp(LEGACY[legacy]()), path, **BODIES[body])
    app, prefix = _wrapped(LEGACY[legacy](), HOOKS[hook], mounted)
    behind = _post(TestApp(app), prefix + path, **BODIES[body])
    assert (behind.status, behind.body) == (alone.status, alone.body)
    if body != "empty":
        assert alone.body not in (b"", b'{"data":""}\n', b'{"data": ""}')  # it did read


def test_a_body_nobody_reads_stays_the_servers_stream() -> None:
    seen: list[Any] = []

    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(environ["wsgi.input"])
        return raw_app(environ, start_response)

    given: list[Any] = []

    def server_side(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        given.append(environ["wsgi.input"])
        return mw(environ, start_response)

    mw = Middleware(legacy)
    mw.before_request(_nothing)
    upload = b"x" * (4 * 1024 * 1024)
    resp = TestApp(server_side).post("/up", upload, content_type="application/octet-stream")
    assert resp.body == upload
    assert seen == given  # the very object the server gave: nothing kept, nothing copied


def test_what_a_hook_read_is_kept_in_a_temporary_file_beyond_a_mebibyte() -> None:
    mw = Middleware(raw_app)
    mw.before_request(_body)
    upload = bytes(range(256)) * 8192  # 2 MiB
    resp = TestApp(mw).post("/up", upload, content_type="application/octet-stream")
    assert resp.body == upload


# ---------------------------------------------------------------- over waitress


def _post_raw(url: str, path: str, body: bytes, content_type: str, chunked: bool) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        headers = {"Content-Type": content_type}
        if chunked:
            conn.putrequest("POST", path)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            for start in range(0, len(body), 1000):
                piece = body[start : start + 1000]
                conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            conn.send(b"0\r\n\r\n")
        else:
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        assert response.status == 200, response.read()
        return response.read()
    finally:
        conn.close()


@pytest.mark.functional
@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
@pytest.mark.parametrize("legacy", LEGACY, ids=str)
@pytest.mark.parametrize("hook", ["POST", "body"], ids=str)
def test_over_waitress_the_application_gets_the_body(legacy: str, hook: str, chunked: bool) -> None:
    form = b"a=1&b=two+words"
    content_type = "application/x-www-form-urlencoded"
    path = _path(legacy, "form")
    with serve(LEGACY[legacy]()) as url:
        alone = _post_raw(url, path, form, content_type, chunked)
    app, prefix = _wrapped(LEGACY[legacy](), HOOKS[hook], mounted=False)
    with serve(app) as url:
        behind = _post_raw(url, prefix + path, form, content_type, chunked)
    mounted, prefix = _wrapped(LEGACY[legacy](), HOOKS[hook], mounted=True)
    with serve(mounted) as url:
        behind_mount = _post_raw(url, prefix + path, form, content_type, chunked)
    assert behind == alone == behind_mount
    assert b"two words" in alone or b"two+words" in alone


def test_a_webob_application_gets_the_form_the_hook_parsed() -> None:
    parsed: list[Any] = []

    def legacy(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        parsed.append(Request(environ).POST)
        return webob_app(environ, start_response)

    mw = Middleware(legacy)

    @mw.before_request
    def csrf() -> None:
        parsed.append(current_request().POST)

    TestApp(mw).post("/form", {"a": "1"})
    assert parsed[0] is parsed[1]  # parsed once, not read twice
    assert parsed[1]["a"] == "1"


@pytest.mark.parametrize("legacy", LEGACY, ids=str)
def test_a_route_that_read_the_form_can_hand_the_request_over(legacy: str) -> None:
    app = LEGACY[legacy]()
    mw = Middleware()

    @mw.route("/form", methods=["POST"])
    def form(request: Any) -> Any:
        assert request.POST["a"] == "1"
        return app  # the rest is the legacy application's

    body = BODIES["form"]
    assert _post(TestApp(mw), "/form", **body).body == _post(TestApp(app), "/form", **body).body
