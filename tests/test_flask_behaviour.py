"""Flask's own behaviour, app to app: the same inputs through a Flask 3 app and through
the equivalent respond_mw :class:`~respond_mw.Middleware`, compared on what a client
sees.

The behaviours are those Flask's test suite pins down for return values,
``make_response``, ``jsonify``, the request hooks (their order, an early return from
``before_request``, the exception ``teardown_request`` receives, ``after_this_request``),
error handlers (by code, by class, the generic and catch-all ones, their precedence,
errors inside hooks, the ``if e.original_exception is not None:`` idiom), streaming,
``abort``, ``redirect`` and the automatic ``OPTIONS``/``405`` answers -- rewritten here
in our own words. Each test builds both apps with one ``build(app, kit)`` function
(:mod:`tests.flask_behaviour_support`): Flask's ``werkzeug.exceptions.Forbidden`` is
``webob.exc.HTTPForbidden`` on our side, ``flask.g`` is the environ, and so on. Flask
is the oracle: its answer is computed in the test, never written down -- except where
respond_mw documents a difference (docs/rules.rst, "Differences from Flask", and the
refusal of redirects to other hosts without ``allow_external=True``); such a test
asserts respond_mw's documented behaviour and says so in its id and docstring.

What is compared: the status code (reason phrases are spelled differently, a documented
difference), the media type and charset (``utf-8``/``UTF-8``, compared
case-insensitively), the body -- parsed when it is JSON, whose key order and spacing
are a documented difference -- and the headers that matter (``Allow``, ``Location``,
``X-...``). The default error pages are each library's own (Werkzeug's and WebOb's
HTML), so for those only the status and the media type are compared.

Out of scope, as in respond_mw: configuration (``TESTING``, ``PROPAGATE_EXCEPTIONS``,
``TRAP_*``, ``MAX_CONTENT_LENGTH``, JSON settings), sessions and flashing, blueprints,
templates, ``url_for`` and URL processors, the application context, signals, class-based
views, static files and ``send_file``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import decimal
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import flask
import markupsafe
import pytest
import werkzeug.exceptions as wz
from webob import exc as webob_exc
from webob.exc import HTTPException
from werkzeug.http import http_date

import respond_mw

from .flask_behaviour_support import FlaskKit, OurKit, Seen, resolved, sides


@pytest.fixture(autouse=True)
def _errors_only_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    """The 500s log their tracebacks: captured, shown only when a test fails."""
    caplog.set_level(logging.ERROR)


def same(theirs: Seen, ours: Seen, *headers: str, body: bool = True) -> None:
    """Assert both clients saw the same (see :meth:`Seen.summary`)."""
    assert ours.summary(*headers, body=body) == theirs.summary(*headers, body=body)


def get_both(theirs: FlaskKit, ours: OurKit, path: str, method: str = "GET") -> tuple[Seen, Seen]:
    return theirs.get(path, method), ours.get(path, method)


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[BaseException]:
    """The exceptions respond_mw logged (with their traceback)."""
    return [
        record.exc_info[1]
        for record in caplog.records
        if record.name == "respond_mw" and record.exc_info and record.exc_info[1] is not None
    ]


# ===================================================================== return values

RETURNS: list[Any] = [
    pytest.param(lambda kit: "Hällo Wörld", id="str"),
    pytest.param(lambda kit: "Hällo Wörld".encode(), id="bytes"),
    pytest.param(lambda kit: "", id="str-empty"),
    pytest.param(
        lambda kit: (
            "Meh",
            400,
            {"X-Foo": "Testing", "Content-Type": "text/plain; charset=utf-8"},
        ),
        id="body-status-headers",
    ),
    pytest.param(
        lambda kit: ("Hello", {"X-Foo": "Test", "Content-Type": "text/plain; charset=utf-8"}),
        id="body-headers",
    ),
    pytest.param(lambda kit: ("Hi, status!", 400), id="body-status"),
    pytest.param(lambda kit: ("Hi", [("X-Foo", "1"), ("X-Bar", "2")]), id="body-header-list"),
    pytest.param(
        lambda kit: (
            kit.response("Hello world", 404, {"Content-Type": "text/html", "X-Foo": "Baz"}),
            {"Content-Type": "text/plain", "X-Foo": "Bar", "X-Bar": "Foo"},
        ),
        id="response-headers-replaced",
    ),
    pytest.param(lambda kit: (kit.response("Hello world", 400), 500), id="response-status"),
    pytest.param(lambda kit: ({"foo": "bar"}, 201), id="dict-status"),
    pytest.param(lambda kit: (["foo", "bar"], 201), id="list-status"),
    pytest.param(lambda kit: {"a": [1, {"b": None}], "c": "é"}, id="dict"),
    pytest.param(lambda kit: [1, "two", 3.5, True, None], id="list"),
    pytest.param(lambda kit: (kit.jsonify(msg="W00t"), 418), id="jsonify-status"),
    pytest.param(lambda kit: (c for c in ["Hello ", "World", "!"]), id="generator"),
    pytest.param(lambda kit: iter([b"a", b"b"]), id="iterator"),
    pytest.param(lambda kit: ((c for c in ["x"]), 201, {"X-Foo": "s"}), id="generator-tuple"),
]


@pytest.mark.parametrize("make", RETURNS)
def test_view_return_values_like_flask(make: Callable[[Any], Any]) -> None:
    """Flask's test_response_types: what a view returns becomes the same response."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return make(kit)

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen, "X-Foo", "X-Bar")
    assert our_seen.header_list("X-Foo") == flask_seen.header_list("X-Foo")
    assert (our_seen.header("Content-Length") is None) == (
        flask_seen.header("Content-Length") is None
    )


def test_an_http_exception_returned_is_its_page_like_flask() -> None:
    """Flask's test_response_types, "/wsgi": a returned ``NotFound()`` (a WSGI app in
    Werkzeug, a response in WebOb) answers 404 with its own "Not Found" page."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return kit.NotFound()

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen, body=False)
    assert b"Not Found" in flask_seen.body
    assert b"Not Found" in our_seen.body


INVALID_RETURNS: list[Any] = [
    pytest.param(lambda: None, True, id="none"),
    pytest.param(lambda: ("Hello",), False, id="small-tuple"),
    pytest.param(lambda: ("Hello", 234, {"X-Foo": "Bar"}, "???"), False, id="large-tuple"),
    pytest.param(lambda: True, False, id="bool"),
    pytest.param(lambda: lambda: None, False, id="bad-wsgi-callable"),
]


@pytest.mark.parametrize(("make", "flask_names_the_view"), INVALID_RETURNS)
def test_invalid_return_values_are_a_type_error_like_flask(
    make: Callable[[], Any], flask_names_the_view: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """Flask's test_response_type_errors: a ``TypeError`` (a 500 for the client); where
    Flask's message names the view, ours does too."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def from_bad_value() -> Any:
            return make()

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    assert our_seen.code == flask_seen.code == 500
    theirs.app.testing = True  # now Flask raises what the view caused
    with pytest.raises(TypeError) as raised:
        theirs.get("/")
    ours_raised = logged_errors(caplog)[-1]
    assert isinstance(ours_raised, TypeError)
    if flask_names_the_view:
        assert "from_bad_value" in str(raised.value)
        assert "from_bad_value" in str(ours_raised)


# ===================================================================== make_response

MAKE_RESPONSE: list[Any] = [
    pytest.param(lambda kit: kit.make_response(), id="nothing"),
    pytest.param(lambda kit: kit.make_response("Awesome"), id="body"),
    pytest.param(lambda kit: kit.make_response("W00t", 404), id="body-status"),
    pytest.param(lambda kit: kit.make_response("W00t", {"X-Foo": "bar"}), id="body-headers"),
    pytest.param(
        lambda kit: kit.make_response("W00t", 201, [("X-Foo", "bar")]), id="body-status-headers"
    ),
    pytest.param(
        lambda kit: kit.make_response(kit.jsonify({"msg": "W00t"}), 400), id="jsonify-status"
    ),
    pytest.param(lambda kit: kit.make_response(kit.response(""), 400), id="response-status"),
    pytest.param(
        lambda kit: kit.make_response(
            kit.response("", headers={"Content-Type": "text/html"}), 400, [("X-Foo", "bar")]
        ),
        id="response-status-headers",
    ),
    pytest.param(lambda kit: kit.make_response({"a": [1, 2]}, 202), id="dict-status"),
]


@pytest.mark.parametrize("make", MAKE_RESPONSE)
def test_make_response_like_flask(make: Callable[[Any], Any]) -> None:
    """Flask's test_make_response and test_make_response_with_response_instance, with
    the response changed afterwards as Flask's documentation shows."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            response = make(kit)
            response.headers["X-Something"] = "A value"
            return response

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen, "X-Foo", "X-Something")
    if flask_seen.header("Content-Type") == "text/html":  # given without a charset
        assert our_seen.header("Content-Type") == "text/html"


# ===================================================================== jsonify


class WithHTML:
    """An object that renders itself as markup (``__html__``), as Jinja's and
    markupsafe's objects do."""

    def __html__(self) -> str:
        return "<p>test</p>"


@dataclasses.dataclass
class Data:
    name: str


JSONIFY: list[Any] = [
    *(
        pytest.param((value,), {}, id=f"basic-{value!r}")
        for value in [0, -1, 1, 23, 3.14, "s", "longer string", True, False, None]
    ),
    pytest.param((), {}, id="nothing-is-null"),
    pytest.param(
        (),
        {"a": 0, "b": 23, "c": 3.14, "d": "t", "f": True, "h": ["test list", 10, False]},
        id="kwargs",
    ),
    pytest.param(({"a": 0, "i": {"test": "dict"}},), {}, id="dict"),
    pytest.param((0, 42, 3.14, "t", True, ["test list", 2], {"test": "dict"}), {}, id="args"),
    pytest.param(([0, 42, "hello", {"test": "dict"}],), {}, id="list"),
    pytest.param((), {"x": uuid.UUID(bytes=b"\xde\xad\xbe\xef" * 4)}, id="uuid"),
    pytest.param((), {"x": decimal.Decimal("0.003")}, id="decimal"),
    pytest.param((Data("Flask"),), {}, id="dataclass"),
    pytest.param((), {"m": markupsafe.Markup("<em>x</em>")}, id="markup"),
    pytest.param((WithHTML(),), {}, id="html-method"),
    pytest.param(([WithHTML(), {"in": WithHTML()}],), {}, id="html-method-nested"),
]


@pytest.mark.parametrize(("args", "kwargs"), JSONIFY)
def test_jsonify_like_flask(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Flask's test_jsonify_basic_types, _dicts, _arrays, _uuid_types, test_json_decimal,
    test_json_dump_dataclass and test_html_method (``__html__()`` encodes as its
    string), compared on the parsed document (key order and the trailing newline are
    a documented difference)."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return kit.jsonify(*args, **kwargs)

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen)
    assert our_seen.media_type == "application/json"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: {"x": WithHTML()}, id="dict"),
        pytest.param(lambda: [WithHTML()], id="list"),
    ],
)
def test_returned_json_encodes_html_objects_like_flask(make: Callable[[], Any]) -> None:
    """A returned dict or list goes through the same JSON encoder as ``jsonify``."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return make()

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))


def test_jsonify_args_and_kwargs_is_a_type_error_like_flask() -> None:
    """Flask's test_jsonify_args_and_kwargs_check."""
    with flask.Flask("jsonify").test_request_context(), pytest.raises(TypeError):
        flask.jsonify("fake args", kwargs="fake")
    with pytest.raises(TypeError):
        respond_mw.jsonify("fake args", kwargs="fake")


def test_documented_difference_jsonify_dates_are_iso_8601() -> None:
    """Documented difference (docs/rules.rst, "JSON refuses NaN and infinities, encodes
    dates as ISO 8601"): Flask's test_jsonify_date_types expects HTTP dates."""
    when = datetime.datetime(1973, 3, 11, 6, 30, 45)

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return kit.jsonify(x=when, d=when.date())

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    assert flask_seen.content == {"x": http_date(when), "d": http_date(when.date())}
    assert our_seen.content == {"x": "1973-03-11T06:30:45", "d": "1973-03-11"}


def test_documented_difference_json_keeps_order_compact_no_newline() -> None:
    """Documented difference (docs/rules.rst, "JSON keeps insertion order, is compact and
    has no trailing newline"): Flask's test_json_key_sorting expects sorted keys."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return kit.jsonify({"b": 1, "a": {"d": 2, "c": 3}})

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    assert our_seen.content == flask_seen.content
    assert list(json.loads(flask_seen.body)) == ["a", "b"]  # sorted
    assert flask_seen.body.endswith(b"\n")
    assert our_seen.body == b'{"b":1,"a":{"d":2,"c":3}}'


# ===================================================================== hooks


def test_before_and_after_request_wrap_the_view_like_flask() -> None:
    """Flask's test_request_processing: before_request runs before the view, and
    after_request after it, on the view's response."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before() -> None:
            kit.calls.append("before")

        @app.after_request
        def after(response: Any) -> Any:
            kit.append_body(response, b"|after")
            kit.calls.append("after")
            return response

        @app.route("/")
        def index() -> Any:
            kit.calls.append(("view", list(kit.calls)))
            return "request"

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen)
    assert our_seen.text == "request|after"
    assert ours.calls == theirs.calls


def test_before_request_early_return_like_flask() -> None:
    """Flask's test_request_preprocessing_early_return: the first before_request that
    returns a value answers; the later ones and the view do not run, after_request
    does."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before1() -> None:
            kit.calls.append(1)

        @app.before_request
        def before2() -> Any:
            kit.calls.append(2)
            return "hello", 202, {"X-Foo": "early"}

        @app.before_request
        def before3() -> Any:
            kit.calls.append(3)
            return "bye"

        @app.after_request
        def after(response: Any) -> Any:
            kit.calls.append("after")
            return response

        @app.route("/")
        def index() -> Any:
            kit.calls.append("index")
            return "damnit"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), "X-Foo")
    assert ours.calls == theirs.calls


def test_hook_order_like_flask() -> None:
    """Flask's test_before_after_request_order (issue 14, 1): before_request in the
    order registered, after_request and teardown_request in the reverse order."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before1() -> None:
            kit.calls.append("before1")

        @app.before_request
        def before2() -> None:
            kit.calls.append("before2")

        @app.after_request
        def after1(response: Any) -> Any:
            kit.calls.append("after1")
            return response

        @app.after_request
        def after2(response: Any) -> Any:
            kit.calls.append("after2")
            return response

        @app.teardown_request
        def finish1(exc: Any) -> None:
            kit.calls.append("teardown1")

        @app.teardown_request
        def finish2(exc: Any) -> None:
            kit.calls.append("teardown2")

        @app.route("/")
        def index() -> Any:
            kit.calls.append("view")
            return "42"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))
    assert ours.calls == theirs.calls


def test_after_request_replacing_the_response_like_flask() -> None:
    """An after_request function may return another response; the next one (the one
    registered before it) receives that one."""

    def build(app: Any, kit: Any) -> None:
        @app.after_request
        def first_registered(response: Any) -> Any:
            response.headers["X-Seen"] = kit.body_text(response)
            return response

        @app.after_request
        def last_registered(response: Any) -> Any:
            return kit.make_response("replaced", 203)

        @app.route("/")
        def index() -> Any:
            return "original"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), "X-Seen")


def test_teardown_runs_once_and_its_value_is_ignored_like_flask() -> None:
    """Flask's test_teardown_request_handler."""

    def build(app: Any, kit: Any) -> None:
        @app.teardown_request
        def teardown(exc: Any) -> Any:
            kit.calls.append(exc)
            return "Ignored"

        @app.route("/")
        def root() -> Any:
            return "Response"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))
    assert ours.calls == theirs.calls == [None]


class Handled(Exception):
    pass


def _teardown_app(with_500_handler: bool) -> Callable[[Any, Any], None]:
    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before() -> None:
            if kit.path() == "/before-crash":
                1 // 0  # noqa: B018

        @app.after_request
        def after(response: Any) -> Any:
            if kit.path() == "/after-crash":
                1 // 0  # noqa: B018
            return response

        @app.teardown_request
        def teardown(exc: Any) -> None:
            kit.calls.append(None if exc is None else type(exc).__name__)

        @app.errorhandler(Handled)
        def handled(e: Any) -> Any:
            return "handled", 409

        if with_500_handler:

            @app.errorhandler(500)
            def server_error(e: Any) -> Any:
                return "Hello Server Error", 500

        @app.route("/ok")
        def ok() -> Any:
            return "fine"

        @app.route("/handled")
        def raises_handled() -> Any:
            raise Handled()

        @app.route("/abort")
        def aborts() -> Any:
            kit.abort(404)

        @app.route("/crash")
        def crash() -> Any:
            return 1 // 0

        @app.route("/before-crash")
        def before_crash() -> Any:
            return "not reached"

        @app.route("/after-crash")
        def after_crash() -> Any:
            return "replaced by the error"

        @app.route("/caught")
        def caught() -> Any:
            try:
                raise ValueError("dummy")
            except ValueError:
                pass
            return "caught"

    return build


@pytest.mark.parametrize("with_500_handler", [False, True], ids=["no-500-handler", "500-handler"])
@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/ok", id="no-error"),
        pytest.param("/caught", id="exception-caught-in-the-view"),
        pytest.param("/handled", id="exception-with-a-handler"),
        pytest.param("/abort", id="http-error"),
        pytest.param("/missing", id="routing-404"),
        pytest.param("/crash", id="unhandled-exception"),
        pytest.param("/before-crash", id="error-in-before_request"),
        pytest.param("/after-crash", id="error-in-after_request"),
    ],
)
def test_teardown_receives_the_unhandled_exception_like_flask(
    path: str, with_500_handler: bool
) -> None:
    """Flask's test_teardown_request_handler_error, test_teardown_with_handled_exception
    and test_error_handler_after_processor_error: teardown receives the exception no
    handler took (also when the 500 handler answered it), else ``None``; errors in the
    hooks go to the 500 handler."""
    theirs, ours = sides(_teardown_app(with_500_handler))
    flask_seen, our_seen = get_both(theirs, ours, path)
    by_a_handler = flask_seen.code in (200, 409) or (with_500_handler and flask_seen.code == 500)
    same(flask_seen, our_seen, body=by_a_handler)
    assert ours.calls == theirs.calls


def test_every_teardown_receives_the_same_exception_like_flask() -> None:
    """Flask's test_teardown_request_handler_error: both teardown functions receive the
    view's ZeroDivisionError, although the first raises and catches another one."""

    def build(app: Any, kit: Any) -> None:
        @app.teardown_request
        def teardown1(exc: Any) -> None:
            kit.calls.append(type(exc).__name__)
            try:
                raise TypeError()
            except TypeError:
                pass

        @app.teardown_request
        def teardown2(exc: Any) -> None:
            kit.calls.append(type(exc).__name__)
            try:
                raise TypeError()
            except TypeError:
                pass

        @app.route("/")
        def fails() -> Any:
            return 1 // 0

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen, body=False)
    assert b"Internal Server Error" in flask_seen.body
    assert b"Internal Server Error" in our_seen.body
    assert ours.calls == theirs.calls == ["ZeroDivisionError", "ZeroDivisionError"]


def test_after_request_sees_the_error_handlers_response_like_flask() -> None:
    """Flask's test_error_handling_processing: after_request changes the response the
    500 handler made."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(500)
        def internal_server_error(e: Any) -> Any:
            return "internal server error", 500

        @app.route("/")
        def broken_func() -> Any:
            return 1 // 0

        @app.after_request
        def after_request(resp: Any) -> Any:
            kit.set_media_type(resp, "text/x-special")
            return resp

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen)
    assert our_seen.media_type == "text/x-special"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param("/", "GET", id="view"),
        pytest.param("/abort", "GET", id="http-error-without-handler"),
        pytest.param("/nowhere", "GET", id="routing-404"),
        pytest.param("/", "POST", id="routing-405"),
    ],
)
def test_after_request_runs_for_every_answer_like_flask(path: str, method: str) -> None:
    """after_request receives the default error pages too (Flask finalizes every
    response), and may change their headers."""

    def build(app: Any, kit: Any) -> None:
        @app.after_request
        def after(response: Any) -> Any:
            kit.calls.append(response.status_code)
            response.headers["X-After"] = "yes"
            return response

        @app.route("/")
        def index() -> Any:
            return "index"

        @app.route("/abort")
        def aborts() -> Any:
            kit.abort(403)

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, path, method)
    same(flask_seen, our_seen, "X-After", "Allow", body=flask_seen.code < 400)
    assert ours.calls == theirs.calls


@pytest.mark.parametrize(
    "registered",
    [
        pytest.param(("class",), id="class-handler"),
        pytest.param(("class", "500"), id="class-and-500-handlers"),
        pytest.param(("Exception",), id="catch-all"),
    ],
)
@pytest.mark.parametrize("where", ["before_request", "view", "after_request", "return-value"])
def test_errors_in_hooks_reach_the_handlers_flask_gives_them_to(
    where: str, registered: tuple[str, ...]
) -> None:
    """Which handler an exception reaches, as in Flask: one raised in before_request or
    the view goes to the handler of its class; one raised while the response is
    finalized -- in after_request, or the TypeError of an invalid return value -- is a
    server error, for the handler of 500 or the catch-all (which receive an
    InternalServerError wrapping it), never for the handler of its class."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before() -> None:
            if where == "before_request":
                1 // 0  # noqa: B018

        @app.after_request
        def after(response: Any) -> Any:
            if where == "after_request" and not kit.calls:
                kit.calls.append("after raised")
                1 // 0  # noqa: B018
            return response

        keys = {"class": [ZeroDivisionError, TypeError], "500": [500], "Exception": [Exception]}
        for name in registered:
            for key in keys[name]:
                app.register_error_handler(
                    key,
                    lambda e, name=name: (
                        f"{name}: {report_error(kit, e)}",
                        500,
                        {"X-Handler": name},
                    ),
                )

        @app.route("/")
        def index() -> Any:
            if where == "view":
                return 1 // 0
            if where == "return-value":
                return None
            return "fine"

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    # without a handler, each library's default 500 page
    same(flask_seen, our_seen, "X-Handler", body=flask_seen.header("X-Handler") is not None)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        pytest.param("/", "GET", id="routing-404"),
        pytest.param("/only-post", "GET", id="routing-405"),
    ],
)
def test_before_request_runs_before_routing_errors_like_flask(path: str, method: str) -> None:
    """Flask's test_before_request_and_routing_errors: what before_request stored for
    the request (``flask.g``; the environ here) is there for the handler of a
    routing error."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def attach_something() -> None:
            kit.stash("something", "value")

        @app.errorhandler(404)
        def return_something(error: Any) -> Any:
            return kit.unstash("something"), 404

        @app.errorhandler(405)
        def return_something_else(error: Any) -> Any:
            return kit.unstash("something") + " 405", 405

        @app.route("/only-post", methods=["POST"])
        def only_post() -> Any:
            return "posted"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, path, method))


def test_base_exceptions_propagate_like_flask() -> None:
    """Flask's test_baseexception_error_handling: a KeyboardInterrupt is not an error
    to answer; it leaves the application."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def broken_func() -> Any:
            raise KeyboardInterrupt()

    theirs, ours = sides(build)
    with pytest.raises(KeyboardInterrupt):
        theirs.get("/")
    with pytest.raises(KeyboardInterrupt):
        ours.get("/")


# --------------------------------------------------------------- after_this_request


def test_after_this_request_like_flask() -> None:
    """Flask's test_after_request_processing (issue 14, 9): a function the view
    registers with after_this_request changes this request's response."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            @kit.after_this_request
            def foo(response: Any) -> Any:
                response.headers["X-Foo"] = "a header"
                return response

            return "Test"

        @app.route("/other")
        def other() -> Any:
            return "no header"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), "X-Foo")
    assert ours.get("/").header("X-Foo") == "a header"
    same(*get_both(theirs, ours, "/other"), "X-Foo")  # that request only


def _after_this_request_app(build_where: str) -> Callable[[Any, Any], None]:
    def build(app: Any, kit: Any) -> None:
        def register(label: str) -> None:
            @kit.after_this_request
            def record(response: Any) -> Any:
                kit.calls.append((label, response.status_code))
                response.headers[f"X-{label}"] = "1"
                return response

        @app.before_request
        def before() -> None:
            if build_where == "before_request":
                register("first")
                register("second")

        @app.after_request
        def after1(response: Any) -> Any:
            kit.calls.append(("after1", response.status_code))
            return response

        @app.after_request
        def after2(response: Any) -> Any:
            kit.calls.append(("after2", response.status_code))
            return response

        @app.errorhandler(404)
        def not_found(e: Any) -> Any:
            if build_where == "errorhandler":
                register("first")
                register("second")
            return "not found", 404

        @app.errorhandler(500)
        def server_error(e: Any) -> Any:
            return "server error", 500

        @app.route("/")
        def index() -> Any:
            if build_where == "view":
                register("first")
                register("second")
            if build_where == "view-then-abort":
                register("first")
                register("second")
                kit.abort(404)
            if build_where == "view-then-crash":
                register("first")
                register("second")
                return 1 // 0
            if build_where == "errorhandler":
                kit.abort(404)
            return "index"

    return build


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("view", id="in-the-view"),
        pytest.param("before_request", id="in-before_request"),
        pytest.param("errorhandler", id="in-an-error-handler"),
        pytest.param("view-then-abort", id="in-the-view-before-abort"),
        pytest.param("view-then-crash", id="in-the-view-before-a-500"),
    ],
)
def test_after_this_request_order_like_flask(where: str) -> None:
    """Issue 14, 9: after_this_request functions run in the order registered, before
    the after_request hooks (which run in reverse), wherever they were registered --
    also on the error response when the view fails after registering them."""
    theirs, ours = sides(_after_this_request_app(where))
    same(*get_both(theirs, ours, "/"), "X-first", "X-second")
    assert ours.calls == theirs.calls


# ------------------------------------------------------------------ async functions


def test_async_views_hooks_and_handlers_like_flask() -> None:
    """Flask's test_async_route, test_async_error_handler, test_async_before_after_request:
    ``async def`` views, hooks and error handlers are awaited."""
    pytest.importorskip("asgiref")  # what Flask runs async functions with (flask[async])

    class AppError(Exception):
        pass

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        async def before() -> None:
            await asyncio.sleep(0)
            kit.calls.append("before")

        @app.after_request
        async def after(response: Any) -> Any:
            await asyncio.sleep(0)
            kit.calls.append("after")
            return response

        @app.teardown_request
        async def teardown(exc: Any) -> None:
            kit.calls.append("teardown")

        @app.route("/", methods=["GET", "POST"])
        async def index() -> Any:
            await asyncio.sleep(0)
            return kit.method()

        @app.errorhandler(AppError)
        async def handle(e: Any) -> Any:
            return "", 412

        @app.route("/error")
        async def error() -> Any:
            raise AppError()

    theirs, ours = sides(build)
    for path, method in [("/", "GET"), ("/", "POST"), ("/error", "GET")]:
        same(*get_both(theirs, ours, path, method))
    assert ours.calls == theirs.calls


# ===================================================================== error handlers


def test_error_handlers_by_code_and_class_like_flask() -> None:
    """Flask's test_error_handling: 404 and 500 by code, Forbidden by class."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(404)
        def not_found(e: Any) -> Any:
            return "not found", 404

        @app.errorhandler(500)
        def internal_server_error(e: Any) -> Any:
            return "internal server error", 500

        @app.errorhandler(kit.Forbidden)
        def forbidden(e: Any) -> Any:
            return "forbidden", 403

        @app.route("/")
        def index() -> Any:
            kit.abort(404)

        @app.route("/error")
        def error() -> Any:
            return 1 // 0

        @app.route("/forbidden")
        def error2() -> Any:
            kit.abort(403)

    theirs, ours = sides(build)
    for path in ["/", "/error", "/forbidden", "/not-a-route"]:
        same(*get_both(theirs, ours, path))


def test_user_exception_handler_like_flask() -> None:
    """Flask's test_user_error_handling: the handler receives the exception; its bare
    body answers 200 (a plain exception has no status)."""

    class MyException(Exception):
        pass

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(MyException)
        def handle_my_exception(e: Any) -> Any:
            kit.calls.append(type(e).__name__)
            return "42"

        @app.route("/")
        def index() -> Any:
            raise MyException()

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))
    assert ours.calls == theirs.calls == ["MyException"]


def test_exception_subclasses_find_the_nearest_handler_like_flask() -> None:
    """Flask's test_error_handler_subclass."""

    class ParentException(Exception):
        pass

    class ChildExceptionUnregistered(ParentException):
        pass

    class ChildExceptionRegistered(ParentException):
        pass

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(ParentException)
        def parent_exception_handler(e: Any) -> Any:
            return f"parent {type(e).__name__}"

        @app.errorhandler(ChildExceptionRegistered)
        def child_exception_handler(e: Any) -> Any:
            return "child-registered"

        @app.route("/parent")
        def parent_test() -> Any:
            raise ParentException()

        @app.route("/child-unregistered")
        def unregistered_test() -> Any:
            raise ChildExceptionUnregistered()

        @app.route("/child-registered")
        def registered_test() -> Any:
            raise ChildExceptionRegistered()

    theirs, ours = sides(build)
    for path in ["/parent", "/child-unregistered", "/child-registered"]:
        same(*get_both(theirs, ours, path))


def test_errorhandler_precedence_follows_the_mro_like_flask() -> None:
    """Flask's test_errorhandler_precedence: ``E3(E1, E2)`` goes to E2's handler before
    the one for Exception; E1 to Exception's."""

    class E1(Exception):
        pass

    class E2(Exception):
        pass

    class E3(E1, E2):
        pass

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(E2)
        def handle_e2(e: Any) -> Any:
            return "E2"

        @app.errorhandler(Exception)
        def handle_exception(e: Any) -> Any:
            return "Exception"

        @app.route("/E1")
        def raise_e1() -> Any:
            raise E1

        @app.route("/E3")
        def raise_e3() -> Any:
            raise E3

    theirs, ours = sides(build)
    for path in ["/E1", "/E3"]:
        same(*get_both(theirs, ours, path))


def _http_subclass_app(app: Any, kit: Any) -> None:
    class ForbiddenSubclassRegistered(kit.Forbidden):
        pass

    class ForbiddenSubclassUnregistered(kit.Forbidden):
        pass

    @app.errorhandler(403)
    def code_exception_handler(e: Any) -> Any:
        kit.calls.append(("403", isinstance(e, ForbiddenSubclassRegistered)))
        return "forbidden", 403

    @app.errorhandler(ForbiddenSubclassRegistered)
    def subclass_exception_handler(e: Any) -> Any:
        kit.calls.append(("subclass", isinstance(e, ForbiddenSubclassRegistered)))
        return "forbidden-registered", 403

    @app.route("/forbidden")
    def forbidden_test() -> Any:
        raise kit.Forbidden()

    @app.route("/abort")
    def abort_test() -> Any:
        kit.abort(403)

    @app.route("/forbidden-registered")
    def registered_test() -> Any:
        raise ForbiddenSubclassRegistered()

    @app.route("/forbidden-unregistered")
    def unregistered_test() -> Any:
        raise ForbiddenSubclassUnregistered()


@pytest.mark.parametrize(
    "path", ["/forbidden", "/abort", "/forbidden-registered", "/forbidden-unregistered"]
)
def test_http_exception_subclass_beats_its_code_like_flask(path: str) -> None:
    """Flask's test_error_handler_http_subclass and test_http_error_subclass_handling
    (issue 14, 2): a handler for a subclass of Forbidden beats the one for 403, which
    takes Forbidden itself and its other subclasses."""
    theirs, ours = sides(_http_subclass_app)
    same(*get_both(theirs, ours, path))
    assert ours.calls == theirs.calls


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(("code", "class"), id="code-first"),
        pytest.param(("class", "code"), id="class-first"),
    ],
)
def test_a_code_and_its_class_are_one_slot_like_flask(order: tuple[str, str]) -> None:
    """Issue 14, 2: ``errorhandler(403)`` and ``errorhandler(Forbidden)`` register the
    same handler: the later registration replaces the earlier one."""

    def build(app: Any, kit: Any) -> None:
        for which in order:
            key = 403 if which == "code" else kit.Forbidden
            app.register_error_handler(key, lambda e, which=which: (f"by {which}", 403))

        @app.route("/")
        def index() -> Any:
            kit.abort(403)

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))


class Custom(Exception):
    """An exception of the application's own."""


def _generic_app(app: Any, kit: Any) -> None:
    """Flask's TestGenericHandlers app (its four failing routes), with an abort(404) and
    a POST-only route for routing's 405."""

    @app.route("/custom")
    def do_custom() -> Any:
        raise Custom()

    @app.route("/error")
    def do_error() -> Any:
        raise KeyError()

    @app.route("/abort")
    def do_abort() -> Any:
        kit.abort(500)

    @app.route("/raise")
    def do_raise() -> Any:
        raise kit.InternalServerError()

    @app.route("/abort-404")
    def do_abort_404() -> Any:
        kit.abort(404)

    @app.route("/post-only", methods=["POST"])
    def post_only() -> Any:
        return "posted"


def report_error(kit: Any, e: BaseException) -> str:
    """Flask's report_error, with the ``if e.original_exception is not None:`` idiom on
    500 errors (issue 14, 4: the attribute is there, ``None`` for a direct abort)."""
    if isinstance(e, kit.InternalServerError):
        original = e.original_exception
        if original is not None:
            return f"wrapped {type(original).__name__}"
    return f"direct {kit.error_name(e)}"


GENERIC_PATHS = ["/custom", "/error", "/abort", "/raise", "/abort-404", "/not-found", "/post-only"]


@pytest.mark.parametrize("to_handle", ["class", 500])
@pytest.mark.parametrize("path", GENERIC_PATHS)
def test_500_handler_gets_original_exception_like_flask(path: str, to_handle: Any) -> None:
    """Flask's TestGenericHandlers.test_handle_class_or_code and
    test_error_handler_no_match (issue 14, 4): the handler for 500 (or for
    InternalServerError, the same) receives an InternalServerError wrapping an
    unhandled exception, or with ``original_exception`` None when raised directly."""

    def build(app: Any, kit: Any) -> None:
        _generic_app(app, kit)
        key = kit.InternalServerError if to_handle == "class" else 500

        @app.errorhandler(key)
        def handle_500(e: Any) -> Any:
            kit.calls.append(isinstance(e, kit.InternalServerError))
            return report_error(kit, e), 500

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, path)
    same(flask_seen, our_seen, "Allow", body=flask_seen.code == 500)
    assert ours.calls == theirs.calls


@pytest.mark.parametrize("path", GENERIC_PATHS)
def test_generic_http_exception_handler_like_flask(path: str) -> None:
    """Flask's TestGenericHandlers.test_handle_generic_http (issue 14, 3): a handler for
    HTTPException gets every HTTP error -- abort, routing's 404 and 405, and the 500
    standing for an unhandled exception -- but no other exception."""

    def build(app: Any, kit: Any) -> None:
        _generic_app(app, kit)

        @app.errorhandler(kit.HTTPException)
        def handle_http(e: Any) -> Any:
            kit.calls.append(report_error(kit, e))
            return str(e.code), e.code

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, path))
    assert ours.calls == theirs.calls


@pytest.mark.parametrize("path", GENERIC_PATHS)
def test_catch_all_exception_handler_like_flask(path: str) -> None:
    """Flask's TestGenericHandlers.test_handle_generic (issue 14, 3): a handler for
    Exception gets every exception directly, HTTP errors included (abort(500),
    routing's 404 and 405)."""

    def build(app: Any, kit: Any) -> None:
        _generic_app(app, kit)

        @app.errorhandler(Exception)
        def handle_exception(e: Any) -> Any:
            code = getattr(e, "code", None)
            return report_error(kit, e), code if isinstance(code, int) else 500

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, path))


def test_default_handlers_http_exception_and_forbidden_like_flask() -> None:
    """Flask's test_default_error_handler (without blueprints): HTTPException's handler
    takes routing's 404, Forbidden's takes 403."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(kit.HTTPException)
        def catchall_exception_handler(e: Any) -> Any:
            kit.calls.append(isinstance(e, kit.NotFound))
            return "default", e.code

        @app.errorhandler(kit.Forbidden)
        def catchall_forbidden_handler(e: Any) -> Any:
            return "forbidden", 403

        @app.route("/forbidden")
        def forbidden() -> Any:
            raise kit.Forbidden()

    theirs, ours = sides(build)
    for path in ["/undefined", "/forbidden"]:
        same(*get_both(theirs, ours, path))
    assert ours.calls == theirs.calls == [True]


#: Which handlers are registered, and which one answers each failure.
PRECEDENCE: list[Any] = [
    pytest.param(("code", "HTTPException", "Exception"), "/abort-404", id="code-first"),
    pytest.param(("class", "HTTPException", "Exception"), "/abort-404", id="class-first"),
    pytest.param(("HTTPException", "Exception"), "/abort-404", id="http-before-exception"),
    pytest.param(("Exception",), "/abort-404", id="exception-takes-http-errors"),
    pytest.param(("code", "Exception"), "/not-found", id="routing-404-code"),
    pytest.param(("Exception",), "/not-found", id="routing-404-catch-all"),
    pytest.param(("Exception",), "/post-only", id="routing-405-catch-all"),
    pytest.param(("code", "HTTPException"), "/post-only", id="routing-405-http"),
    pytest.param(("500", "Exception"), "/error", id="exception-before-500"),
    pytest.param(("500", "HTTPException"), "/error", id="500-before-http-for-unhandled"),
    pytest.param(("HTTPException",), "/error", id="http-takes-the-500-of-unhandled"),
    pytest.param(("500", "Exception"), "/abort", id="500-before-exception-for-abort-500"),
    pytest.param(("Custom", "Exception"), "/custom", id="class-before-exception"),
    pytest.param(("500", "HTTPException", "Exception"), "/raise", id="raised-500"),
]


@pytest.mark.parametrize(("registered", "path"), PRECEDENCE)
def test_error_handler_precedence_like_flask(registered: tuple[str, ...], path: str) -> None:
    """Issue 14, 2-3: within a status code the most specific class, then the code's
    handler, then the generic classes (HTTPException, then Exception)."""

    def build(app: Any, kit: Any) -> None:
        _generic_app(app, kit)
        keys = {
            "HTTPException": kit.HTTPException,
            "Exception": Exception,
            "500": 500,
            "Custom": Custom,
        }
        for name in registered:
            if name in ("code", "class"):  # of the status the path fails with
                for code, cls in [(404, kit.NotFound), (405, kit.MethodNotAllowed)]:
                    app.register_error_handler(
                        code if name == "code" else cls,
                        lambda e, name=name, code=code: (f"{name} {code}", code),
                    )
                continue
            app.register_error_handler(
                keys[name],
                lambda e, name=name: (f"{name} {report_error(kit, e)}", getattr(e, "code", 500)),
            )

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, path))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(list, id="not-an-exception"),
        pytest.param(KeyboardInterrupt, id="base-exception"),
        pytest.param(999, id="unknown-code"),
        pytest.param(ValueError(), id="an-instance"),
        pytest.param("404", id="a-str"),
    ],
)
def test_errorhandler_refuses_what_is_not_an_error_like_flask(key: Any) -> None:
    """Flask's test_error_handler_unknown_code and Scaffold._get_exc_class_and_code
    (issue 14, 5): the same exception type as Flask, with a message saying what may be
    registered."""
    app = flask.Flask("errorhandler_keys")
    with pytest.raises((TypeError, ValueError)) as theirs:
        app.register_error_handler(key, lambda e: "x")
    with pytest.raises((TypeError, ValueError)) as ours:
        respond_mw.Middleware().register_error_handler(key, lambda e: "x")
    assert type(ours.value) is type(theirs.value)
    message = str(ours.value).lower()
    if isinstance(key, type):
        assert key.__name__.lower() in message
        assert "exception class" in message
        assert "400-599" in message or "status" in message


def test_documented_difference_bare_body_of_an_error_handler_keeps_the_status() -> None:
    """Documented difference (docs/rules.rst, "A bare body from an error handler keeps
    the error's status"): Flask answers an error handler's bare body with 200,
    respond_mw with the status of the error it answers."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(404)
        def not_found(e: Any) -> Any:
            return "no such page"

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/missing")
    assert our_seen.body == flask_seen.body == b"no such page"
    assert flask_seen.code == 200
    assert our_seen.code == 404


def test_a_returned_error_status_is_not_an_error_like_flask() -> None:
    """A view that returns ``(body, 404)`` answers it; the 404 handler is for errors
    raised, not for responses."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(404)
        def not_found(e: Any) -> Any:
            return "handler", 404

        @app.errorhandler(Exception)
        def catch_all(e: Any) -> Any:
            return "catch-all", 500

        @app.route("/")
        def index() -> Any:
            return "the view's own 404", 404

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))


def test_a_handler_that_raises_answers_500_like_flask(caplog: pytest.LogCaptureFixture) -> None:
    """An error handler that fails: the client gets a 500."""

    def build(app: Any, kit: Any) -> None:
        @app.errorhandler(404)
        def broken(e: Any) -> Any:
            return 1 // 0

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/missing"), body=False)
    assert any(isinstance(e, ZeroDivisionError) for e in logged_errors(caplog))


# ---------------------------------------- the error statuses of a wrapped application


def _flask_legacy() -> flask.Flask:
    """A Flask app in the role of the legacy application respond_mw wraps."""
    legacy = flask.Flask("legacy")

    @legacy.route("/private")
    def private() -> Any:
        return "who are you?", 401, {"WWW-Authenticate": "Basic"}

    @legacy.route("/gone")
    def gone() -> Any:
        flask.abort(410)

    return legacy


@pytest.mark.parametrize("path", ["/private", "/gone", "/nowhere"])
def test_catch_all_leaves_the_wrapped_apps_error_statuses_alone(path: str) -> None:
    """Issue 14, 3: ``errorhandler(Exception)`` does not take the error statuses the
    wrapped application answers -- the client gets the legacy (Flask) app's own answer,
    as that app alone gives it (the oracle)."""
    legacy = _flask_legacy()
    mw = respond_mw.Middleware(legacy)
    mw.register_error_handler(Exception, lambda e: ("generic", 500))
    alone = FlaskKit()
    alone.app = legacy
    flask_seen = alone.get(path)
    our_seen = _kit_around(mw).get(path)
    same(flask_seen, our_seen, "WWW-Authenticate")


@pytest.mark.parametrize("key", ["code", "class", "HTTPException"])
@pytest.mark.parametrize(("path", "code"), [("/private", 401), ("/gone", 410), ("/nowhere", 404)])
def test_code_and_http_handlers_take_the_wrapped_apps_error_statuses(
    key: str, path: str, code: int
) -> None:
    """Issue 14, 3: the handler for the code, for its webob.exc class or for
    HTTPException does take the legacy application's error statuses (respond_mw's
    own feature: Flask wraps no application, so this asserts the documented rule)."""
    mw = respond_mw.Middleware(_flask_legacy())
    keys = {"code": code, "class": webob_exc.status_map[code], "HTTPException": HTTPException}
    mw.register_error_handler(keys[key], lambda e: (f"handled {e.code}", e.code))
    seen = _kit_around(mw).get(path)
    assert (seen.code, seen.text) == (code, f"handled {code}")


def _kit_around(mw: respond_mw.Middleware) -> OurKit:
    kit = OurKit()
    kit.app = mw
    return kit


# ===================================================================== streaming


def test_stream_with_context_like_flask() -> None:
    """Flask's TestStreaming.test_streaming_with_context (issue 14, 9): a generator
    wrapped in stream_with_context reads the request while it is streamed."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            def generate() -> Iterator[str]:
                yield "Hello "
                yield kit.arg("name")
                yield "!"

            return kit.stream_with_context(generate())

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/?name=World")
    same(flask_seen, our_seen)
    assert our_seen.text == "Hello World!"


def test_stream_with_context_as_decorator_like_flask() -> None:
    """Flask's TestStreaming.test_streaming_with_context_as_decorator."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            @kit.stream_with_context
            def generate(hello: str) -> Iterator[str]:
                yield hello
                yield kit.arg("name")
                yield "!"

            return generate("Hello ")

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/?name=World"))


def test_stream_with_context_returns_its_argument() -> None:
    """Issue 14, 9: respond_mw's stream_with_context is the identity (streams keep the
    request by themselves)."""
    gen = iter(["x"])
    assert respond_mw.stream_with_context(gen) is gen


def test_stream_with_context_and_custom_close_like_flask() -> None:
    """Flask's TestStreaming.test_streaming_with_context_and_custom_close: the wrapped
    iterator's close() is called once the response is sent."""

    class Wrapper:
        def __init__(self, gen: Iterator[str], calls: list[Any]) -> None:
            self._gen = gen
            self._calls = calls

        def __iter__(self) -> Wrapper:
            return self

        def close(self) -> None:
            self._calls.append(42)

        def __next__(self) -> str:
            return next(self._gen)

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            def generate() -> Iterator[str]:
                yield "Hello "
                yield kit.arg("name")
                yield "!"

            return kit.stream_with_context(Wrapper(generate(), kit.calls))

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/?name=World"))
    assert ours.calls == theirs.calls == [42]


def test_hooks_around_a_stream_like_flask() -> None:
    """A stream in stream_with_context: before_request, the view and after_request run
    before the first chunk is produced, teardown once the last one has been sent.

    Flask 3.1 also runs its teardown functions when the view returns (the request
    context is popped, then pushed again by stream_with_context for the stream), so
    the teardown calls before the chunks are left out of the comparison: respond_mw
    runs them once, when the server closes the body (docs/guides/middleware.rst)."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def before() -> None:
            kit.calls.append("before")

        @app.after_request
        def after(response: Any) -> Any:
            kit.calls.append("after")
            return response

        @app.teardown_request
        def teardown(exc: Any) -> None:
            kit.calls.append(("teardown", exc))

        @app.route("/")
        def index() -> Any:
            def generate() -> Iterator[str]:
                for chunk in ["a", "b"]:
                    kit.calls.append(chunk)
                    yield chunk

            kit.calls.append("view")
            return kit.stream_with_context(generate())

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"))
    last_chunk = theirs.calls.index("b")
    flask_order = [c for c in theirs.calls[:last_chunk] if c != ("teardown", None)]
    assert flask_order == ["before", "view", "after", "a"]
    # A difference: respond_mw takes the first chunk before the status is committed
    # (an error before it is answered as any error, docs/guides/streaming.rst), so
    # the first chunk is produced before after_request runs.
    assert ours.calls == ["before", "view", "a", "after", *theirs.calls[last_chunk:]]
    assert ours.calls[-1] == theirs.calls[-1] == ("teardown", None)


def test_documented_difference_streams_need_no_stream_with_context() -> None:
    """Documented difference (docs/rules.rst, "No stream_with_context needed"): Flask's
    generator cannot read the request once the view has returned; ours can."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            def generate() -> Iterator[str]:
                yield "Hello "
                yield kit.arg("name")

            return generate()

    theirs, ours = sides(build)
    with pytest.raises(RuntimeError, match="request context"):
        theirs.get("/?name=World")
    assert ours.get("/?name=World").text == "Hello World"


# ===================================================================== abort


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 410, 418, 422, 500, 503])
def test_abort_statuses_like_flask(code: int) -> None:
    """flask.abort(code) and respond_mw.abort(code), unhandled: that status, each
    library's HTML page."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            kit.abort(code)

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), body=False)


def test_abort_with_a_description_like_flask() -> None:
    """abort(404, description): the text is on the default page, escaped."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            kit.abort(404, "No <such> item")

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, "/")
    same(flask_seen, our_seen, body=False)
    for seen in (flask_seen, our_seen):
        assert "No &lt;such&gt; item" in seen.text
        assert "<such>" not in seen.text


@pytest.mark.parametrize("key", ["Exception", "HTTPException", 418])
def test_abort_with_a_response_like_flask(key: Any) -> None:
    """abort(response): that very response is sent; no error handler is asked (in
    Flask the HTTPException carrying a response has no code, so no handler applies),
    not even a catch-all or one for the response's own status."""

    def build(app: Any, kit: Any) -> None:
        keys = {"Exception": Exception, "HTTPException": kit.HTTPException}

        @app.errorhandler(keys.get(key, key))
        def handler(e: Any) -> Any:
            kit.calls.append("handler")
            return "handler", 500

        @app.route("/")
        def index() -> Any:
            kit.abort(kit.response("custom", 418, {"X-Foo": "abort"}))

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), "X-Foo")
    assert ours.calls == theirs.calls


def test_abort_in_before_request_like_flask() -> None:
    """abort in a before_request: the view does not run, the handler answers, the
    after_request hooks run."""

    def build(app: Any, kit: Any) -> None:
        @app.before_request
        def guard() -> None:
            kit.abort(401)

        @app.errorhandler(401)
        def unauthorized(e: Any) -> Any:
            return "log in first", 401, {"WWW-Authenticate": "Basic"}

        @app.after_request
        def after(response: Any) -> Any:
            kit.calls.append(response.status_code)
            return response

        @app.route("/")
        def index() -> Any:
            kit.calls.append("view")
            return "secret"

    theirs, ours = sides(build)
    same(*get_both(theirs, ours, "/"), "WWW-Authenticate")
    assert ours.calls == theirs.calls


def test_abort_outside_a_request_like_flask() -> None:
    """Flask's test_abort_no_app: abort raises the HTTP exception of the code."""
    with pytest.raises(wz.Unauthorized) as theirs:
        flask.abort(401)
    with pytest.raises(webob_exc.HTTPUnauthorized) as ours:
        respond_mw.abort(401)
    assert ours.value.code == theirs.value.code


def test_documented_difference_abort_of_a_status_outside_100_599_is_a_value_error() -> None:
    """Documented difference (docs/rules.rst, "Statuses outside 100--599, booleans and
    bytes are refused"): Flask's test_abort_no_app expects LookupError for 900; here
    it is the ValueError of every invalid status."""
    with pytest.raises(LookupError):
        flask.abort(900)
    with pytest.raises(ValueError, match="900"):
        respond_mw.abort(900)


# ===================================================================== redirect


@pytest.mark.parametrize("code", [None, 301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("path", "location"),
    [
        pytest.param("/", "/target", id="absolute-path"),
        pytest.param("/a/b", "c?x=1", id="relative-path"),
        pytest.param("/", "http://localhost/same-host", id="same-host-url"),
    ],
)
def test_redirect_like_flask(code: int | None, path: str, location: str) -> None:
    """redirect(location[, code]): the status (302 by default) and the Location, made
    absolute (Werkzeug sends a relative Location as given, WebOb resolves it: both are
    valid HTTP, see tests/test_flask_differential.py, 14)."""

    def build(app: Any, kit: Any) -> None:
        @app.route(path)
        def index() -> Any:
            return kit.redirect(location) if code is None else kit.redirect(location, code)

    theirs, ours = sides(build)
    flask_seen, our_seen = get_both(theirs, ours, path)
    same(flask_seen, our_seen, body=False)
    base = f"http://localhost{path}"
    assert resolved(our_seen.header("Location"), base) == resolved(
        flask_seen.header("Location"), base
    )


@pytest.mark.parametrize(
    ("location", "code"),
    [
        pytest.param("https://example.com/x", 302, id="another-host"),
        pytest.param("https://localhost", 307, id="another-scheme"),
    ],
)
def test_documented_difference_redirect_to_another_host_needs_allow_external(
    location: str, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Documented difference (respond_mw.redirect: open redirects are refused): Flask's
    test_redirect_no_app redirects anywhere; ours refuses another scheme or host (a
    logged ValueError, a 500) unless ``allow_external=True``, which then answers as
    Flask does."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/")
        def index() -> Any:
            return kit.redirect(location, code)

        @app.route("/allowed")
        def allowed() -> Any:
            if kit.name == "flask":
                return kit.redirect(location, code)
            return kit.redirect(location, code, allow_external=True)

    theirs, ours = sides(build)
    flask_seen, refused = get_both(theirs, ours, "/")
    assert (flask_seen.code, flask_seen.header("Location")) == (code, location)
    assert refused.code == 500
    assert any(isinstance(e, ValueError) for e in logged_errors(caplog))
    flask_seen, our_seen = get_both(theirs, ours, "/allowed")
    same(flask_seen, our_seen, "Location", body=False)


# ========================================================= methods, OPTIONS and 405


def _methods_app(app: Any, kit: Any) -> None:
    @app.route("/")
    def index() -> Any:
        return kit.method()

    @app.route("/more", methods=["GET", "POST"])
    def more() -> Any:
        return kit.method()

    @app.route("/multi", methods=["GET", "POST"])
    def multi() -> Any:
        return "Hello World"

    @app.route("/multi", methods=["PUT"])
    def multi_put() -> Any:
        return "Aha!"

    @app.route("/lower", methods=["post"])
    def lower() -> Any:
        return kit.method()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/", "GET"),
        ("/", "HEAD"),
        ("/", "POST"),
        ("/more", "POST"),
        ("/more", "GET"),
        ("/more", "DELETE"),
        ("/multi", "PUT"),
        ("/multi", "PATCH"),
        ("/lower", "POST"),
        ("/lower", "GET"),
    ],
)
def test_methods_and_405_like_flask(path: str, method: str) -> None:
    """Flask's test_request_dispatching, test_url_mapping and
    test_options_on_multiple_rules (issue 14, 7): the method answered, HEAD without a
    body, 405 with an Allow that lists OPTIONS too."""
    theirs, ours = sides(_methods_app)
    flask_seen, our_seen = get_both(theirs, ours, path, method)
    same(flask_seen, our_seen, "Allow", body=flask_seen.code < 400)
    if method == "HEAD":
        assert our_seen.body == flask_seen.body == b""
        assert our_seen.header("Content-Length") == flask_seen.header("Content-Length")


@pytest.mark.parametrize("path", ["/", "/more", "/multi", "/lower"])
def test_automatic_options_like_flask(path: str) -> None:
    """Flask's test_options_work and test_options_on_multiple_rules (issue 14, 7): an
    empty 200 with a Content-Type and an Allow listing every method and OPTIONS."""
    theirs, ours = sides(_methods_app)
    flask_seen, our_seen = get_both(theirs, ours, path, "OPTIONS")
    same(flask_seen, our_seen, "Allow", "Content-Length")
    assert our_seen.body == b""


def test_methods_as_a_string_are_refused_like_flask() -> None:
    """Flask's test_disallow_string_for_allowed_methods."""
    with pytest.raises(TypeError):
        flask.Flask("methods").route("/", methods="GET POST")(lambda: "Hey")
    with pytest.raises(TypeError):
        respond_mw.Middleware().route("/", methods="GET POST")(lambda: "Hey")


def test_non_ascii_paths_like_flask() -> None:
    """Flask's test_nonascii_pathinfo."""

    def build(app: Any, kit: Any) -> None:
        @app.route("/киртест")
        def index() -> Any:
            return "Hello World!"

    theirs, ours = sides(build)
    flask_seen = theirs.get("/киртест")
    our_seen = OurKit.get(ours, "/%D0%BA%D0%B8%D1%80%D1%82%D0%B5%D1%81%D1%82")
    same(flask_seen, our_seen)
    assert our_seen.text == "Hello World!"
