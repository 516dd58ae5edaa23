"""Every edge answers alike: the same value, returned or raised, through every way a
response leaves respond_mw (``@view`` cold and warm, ``view(request)``, Middleware
routes with and without hooks, error handlers, raised responses, Pyramid, Bottle),
for ``GET`` and ``HEAD``, gives the same status, headers and body as ``@view`` (warm)
-- or the same refusal: a generic ``500`` logged on the ``respond_mw`` logger.

Every result must also keep the promises of docs/guarantees.rst and docs/rules.rst
(see :func:`violations`), under wsgiref's validator and WebTest's lint (PEP 3333); a
lint failure is recorded as a result, not raised. The edges and the harness are in
:mod:`tests.edges_support`. DESIGN.md: "A guarantee that holds at one edge holds at
all of them because there is only one place that enforces it."
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

import attrs
import bottle
import msgspec
import pydantic
import pytest
import webob.exc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Request, Response

from respond_mw import abort, coerce, event_stream, lazy_stream, make_response, ndjson, view
from respond_mw.context import RequestState, reset_state, set_state
from respond_mw.responses import HTML
from respond_mw.wsgi import close_iterable
from tests.edges_support import (
    EDGES,
    REFERENCE,
    Case,
    Edge,
    LogSource,
    Outcome,
    is_bare,
    reference_case,
    run_wsgi,
)

METHODS = ("GET", "HEAD")

# ------------------------------------------------------------ what stacks impose

_BOTTLE_DROPPED = {
    code: frozenset(name.lower() for name in names) - {"content-type", "content-length"}
    for code, names in bottle.BaseResponse.bad_headers.items()
}


def _bottle_header_value(value: str) -> str:
    """What Bottle sends for a header value respond_mw hands it (see
    respond_mw.integrations.bottle._bottle_header_value): ASCII and values whose
    latin-1 bytes are UTF-8 go out as they are, any other value UTF-8 encoded."""
    if value.isascii():
        return value
    try:
        value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


Headers = list[tuple[str, str]]
#: ``fix(edge_headers, reference_headers, edge_outcome, edge_get_body)`` returns both
#: lists normalised (lower-cased names).
Fix = Callable[[Headers, Headers, Outcome, bytes], tuple[Headers, Headers]]


def _names(headers: Headers, name: str) -> list[str]:
    return [value for key, value in headers if key == name]


def _bottle_adds_content_length(
    mine: Headers, ref: Headers, out: Outcome, get_body: bytes
) -> tuple[Headers, Headers]:
    lengths = _names(mine, "content-length")
    # the GET body's true length, or (on an empty body, as HEAD's is) 0
    if not _names(ref, "content-length") and lengths in ([str(len(get_body))], ["0"]):
        if lengths == ["0"] and out.body:
            return mine, ref  # a non-empty body announced as empty: a real difference
        mine = [item for item in mine if item[0] != "content-length"]
    return mine, ref


def _bottle_adds_content_type(
    mine: Headers, ref: Headers, out: Outcome, get_body: bytes
) -> tuple[Headers, Headers]:
    if not _names(ref, "content-type") and _names(mine, "content-type") == [
        "text/html; charset=UTF-8"
    ]:
        mine = [item for item in mine if item[0] != "content-type"]
    return mine, ref


def _bottle_drops_bodiless_headers(
    mine: Headers, ref: Headers, out: Outcome, get_body: bytes
) -> tuple[Headers, Headers]:
    dropped = _BOTTLE_DROPPED.get(out.code or 0, frozenset())
    return mine, [item for item in ref if item[0] not in dropped]


def _bottle_transcodes_values(
    mine: Headers, ref: Headers, out: Outcome, get_body: bytes
) -> tuple[Headers, Headers]:
    return mine, [(name, _bottle_header_value(value)) for name, value in ref]


#: The differences a host stack imposes on a response respond_mw hands it correctly,
#: found by running every rule through it; each is normalised away, nothing else.
#: (All edges are compared with lower-cased header names, as HTTP compares them.)
STACK_DIFFERENCES: dict[str, dict[str, Fix]] = {
    "view": {},
    "middleware": {},
    # Pyramid hands the webob.Response respond_mw gives it to the server as it is:
    # no header added, dropped or changed was found.
    "pyramid": {},
    "bottle": {
        # Bottle title-cases header names ("Etag", "X-A"); covered by comparing
        # lower-cased names at every edge, so there is nothing more to undo here.
        #
        # Bottle sets Content-Length on a body it holds in memory (bytes, or a
        # stream it found empty) when the response has none: dropped when it is the
        # true length of the body Bottle sends for GET, or 0 on an empty body -- which
        # a HEAD body always is, so a streamed response's HEAD says 0 (Bottle's).
        "adds-content-length": _bottle_adds_content_length,
        # Bottle gives a response without Content-Type its default_content_type
        # (but not a 1xx/204/304).
        "adds-content-type": _bottle_adds_content_type,
        # Bottle removes from a 304 (and a 204) the headers of its
        # BaseResponse.bad_headers (Last-Modified, Allow, Content-Encoding, ...).
        # Content-Type and Content-Length are not normalised: a correct 204/304
        # never has them, so a difference there is respond_mw's.
        "drops-bodiless-headers": _bottle_drops_bodiless_headers,
        # Bottle encodes header values as UTF-8 (a latin-1 "é" goes out as "Ã©");
        # the plugin passes values whose bytes are UTF-8 through unchanged.
        "transcodes-header-values": _bottle_transcodes_values,
    },
}


def comparable(
    edge: Edge, out: Outcome, ref: Outcome, get_body: bytes
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What must be equal between an edge's outcome and the reference's: kind
    (response, lint error, raised -- with the exception type), status, the multiset of
    (lower-cased name, value) headers after the stack's own differences, body (not
    after a lint error: what a host sends after a refused start_response is its own),
    and whether an ERROR was logged (a refusal is a logged 500)."""
    mine = [(name.lower(), value) for name, value in out.headers]
    theirs = [(name.lower(), value) for name, value in ref.headers]
    for fix in STACK_DIFFERENCES[edge.family].values():
        mine, theirs = fix(mine, theirs, out, get_body)

    def key(o: Outcome, headers: Headers) -> tuple[Any, ...]:
        error_type = o.detail.split(":", 1)[0] if o.kind != "response" else ""
        body = b"" if o.kind == "lint error" else o.body  # what follows a refused start
        return (
            o.kind,
            error_type,
            o.status,
            sorted(Counter(headers).items()),
            body,
            bool(o.logged),
        )

    return key(out, mine), key(ref, theirs)


# ---------------------------------------------------------------------- promises

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
STATUS_LINE = re.compile(r"[0-9]{3} [^\x00-\x1f\x7f]+")
#: An independent copy (RFC 9110 7.6.1, PEP 3333): not imported from respond_mw.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


def _printable_latin1(value: str) -> bool:
    """Latin-1 text without C0 control characters or DEL -- what the library promises
    (docs/rules.rst); the C1 range is obs-text, which HTTP/1.1 carries (RFC 9110 5.5)."""
    return all(" " <= c <= "~" or "\x80" <= c <= "\xff" for c in value)


def violations(get: Outcome, head: Outcome, family: str = "") -> list[str]:
    """The promises a GET and a HEAD result of the same edge break."""
    problems = []
    for method, out in (("GET", get), ("HEAD", head)):
        if out.kind == "lint error":
            problems.append(f"{method}: {out.kind}: {out.detail[:300]}")
        if out.status is None:
            problems.append(f"{method}: no response, the application raised {out.detail[:200]}")
            continue
        code = out.code
        if not isinstance(out.status, str) or not STATUS_LINE.fullmatch(out.status):
            problems.append(f"{method}: malformed status line {out.status!r}")
        if code is None or not 200 <= code <= 599:
            problems.append(f"{method}: {out.status!r} is not a final status (200-599)")
        lower: Headers = []
        for name, value in out.headers:
            if not isinstance(name, str) or not TOKEN.fullmatch(name):
                problems.append(f"{method}: header name {name!r} is not a token")
                continue
            if not isinstance(value, str) or not _printable_latin1(value):
                problems.append(f"{method}: header {name}: {value!r} is not printable latin-1")
            if name.lower() in HOP_BY_HOP:
                problems.append(f"{method}: hop-by-hop header {name}: {value!r} sent")
            lower.append((name.lower(), value))
        lengths = _names(lower, "content-length")
        if len(lengths) > 1:
            problems.append(f"{method}: several Content-Length {lengths!r}")
        if code in (204, 304):
            if out.body:
                problems.append(f"{method}: a {code} with a body {out.body[:40]!r}")
            for name in ("content-length", "content-type"):
                if _names(lower, name):
                    problems.append(f"{method}: a {code} with {name} {_names(lower, name)!r}")
        if code == 205:
            if out.body:
                problems.append(f"{method}: a 205 with a body {out.body[:40]!r}")
            if lengths != ["0"]:
                problems.append(f"{method}: a 205 must say Content-Length: 0, not {lengths!r}")
        if (
            method == "GET"
            and out.kind == "response"
            and lengths[:1] not in ([], [str(len(out.body))])
        ):
            problems.append(f"GET: Content-Length {lengths[0]} for a body of {len(out.body)} bytes")
        for location in _names(lower, "location"):
            if not location.startswith("http://"):
                problems.append(f"{method}: Location {location!r} is not absolute")
    if head.body:
        problems.append(f"HEAD: a body was sent {head.body[:40]!r}")
    if get.status is not None and head.status is not None:
        if get.status != head.status:
            problems.append(f"HEAD status {head.status!r} != GET status {get.status!r}")
        get_headers = Counter((n.lower(), v) for n, v in get.headers)
        head_headers = Counter((n.lower(), v) for n, v in head.headers)
        if family == "bottle" and not _names(list(get_headers), "content-length"):
            # Bottle gives an empty body "Content-Length: 0" when the response has
            # none, and a HEAD body is empty: a streamed body's HEAD says 0 (Bottle's)
            head_headers.pop(("content-length", "0"), None)
        if get_headers != head_headers:
            problems.append(
                f"HEAD headers differ from GET's: HEAD only {sorted(head_headers - get_headers)}"
                f", GET only {sorted(get_headers - head_headers)}"
            )
    return problems


def run_both(edge: Edge, case: Case, log: LogSource) -> dict[str, Outcome]:
    return {method: edge.run(case, method, log) for method in METHODS}


def _check_recipe(case: Case, outcomes: dict[str, Outcome]) -> None:
    """A recipe that raises by itself tests the host's error handling, not the egress:
    the strategies must not produce one."""
    for outcome in outcomes.values():
        assert not outcome.recipe_error, f"the recipe of {case!r} raised {outcome.recipe_error}"


def edge_problems(
    edge: Edge, case: Case, log: LogSource, *, own_only: bool = False
) -> tuple[list[str], dict[str, Outcome]]:
    """Everything wrong with ``case`` at ``edge`` -- broken promises, and differences
    from ``@view`` (warm) given the same value -- and the outcomes.

    With ``own_only``, a promise the reference breaks in exactly the same way is left
    to :func:`test_reference_keeps_every_promise` (the edge only has to be equal to
    the reference): what is reported is what is wrong at this edge."""
    got = run_both(edge, case, log)
    _check_recipe(case, got)
    if edge.name in HOSTS_HANDLE_RULE_ERRORS and refused_by_the_rules(case):
        return _host_answers(edge, got), got
    broken = violations(got["GET"], got["HEAD"], edge.family)
    if edge is REFERENCE:
        return [f"{edge.name} {p}" for p in broken], got
    ref = run_both(REFERENCE, reference_case(edge, case), log)
    _check_recipe(case, ref)
    if edge.family == "bottle" and ref["GET"].kind == "raised" and ref["GET"].status:
        # Bottle reads the first chunk of a body before it sends the headers: a body
        # that fails there (a stream longer than its Content-Length, aborted) is its
        # own 500 page for GET; HEAD, whose body is not read, is sent as it was given
        get = got["GET"]
        if get.status == "500 Internal Server Error" and ref["GET"].logged == get.logged:
            return [], got
    if own_only:
        shared = set(violations(ref["GET"], ref["HEAD"]))
        broken = [p for p in broken if p not in shared]
    problems = [f"{edge.name} {p}" for p in broken]
    for method in METHODS:
        mine, theirs = comparable(edge, got[method], ref[method], got["GET"].body)
        if mine != theirs:
            problems.append(
                f"{edge.name} {method} differs from the reference:\n"
                f"      got       {got[method].short()}\n"
                f"      reference {ref[method].short()}"
            )
    return problems, got


#: Where a host answers a value the rules refuse (a TypeError or ValueError naming
#: the view, raised before anything reaches the egress): as any exception of the
#: view, by the host's own error handling, as documented -- ``view(request)`` and
#: Pyramid raise it to the host (Pyramid's exception views; none here, so it reaches
#: the server), Bottle answers its own 500 page. The egress's own refusals (a
#: response that cannot be sent) are the logged generic 500 there too, compared as
#: usual.
HOSTS_HANDLE_RULE_ERRORS = {
    "view-request",
    "pyramid",
    "pyramid-raised",
    "bottle",
    "bottle-cold",
    "bottle-raised",
}


def refused_by_the_rules(case: Case) -> bool:
    """Whether the rules themselves refuse what ``case`` answers with."""
    if case.raises:
        return False
    request = Request.blank("/")
    state = RequestState(request, "tests.edges", HTML)
    token = set_state(state)
    try:
        value = case.make()
        try:
            response = coerce(value, state)
        except (TypeError, ValueError):
            return True
        close_iterable(response.app_iter)
        return False
    finally:
        reset_state(token)


def _host_answers(edge: Edge, got: dict[str, Outcome]) -> list[str]:
    problems = []
    for method, out in got.items():
        if "attacker" in repr(out.headers) or "\r" in repr(out.headers):
            problems.append(f"{edge.name} {method}: a refused header was sent: {out.short()}")
        if edge.family != "bottle" and not (
            out.kind == "raised" and out.detail.split(":", 1)[0] in ("TypeError", "ValueError")
        ):
            problems.append(f"{edge.name} {method}: not raised to the host: {out.short()}")
        if edge.family == "bottle" and out.status != "500 Internal Server Error":
            problems.append(f"{edge.name} {method}: not Bottle's 500: {out.short()}")
    return problems


def report(case: Case, problems: list[str]) -> str:
    return f"value: {case!r}\n  " + "\n  ".join(problems)


# -------------------------------------------------------------------- strategies


def _gen(chunks: list[Any]) -> Iterator[Any]:
    yield from chunks


def _aborting_gen(status: int) -> Iterator[Any]:
    abort(status)  # before the first chunk: answered as the error it is
    yield "never"


class PydanticItem(pydantic.BaseModel):
    name: str
    tags: list[str]


@attrs.define
class AttrsItem:
    name: str
    tags: list[str]


class MsgspecItem(msgspec.Struct):
    name: str
    tags: list[str]


MODEL_CLASSES: list[Any] = [PydanticItem, AttrsItem, MsgspecItem]


texts = st.text(max_size=6) | st.sampled_from(["héllo", "日本", "", "<b>x</b>"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=4,
)
json_bodies = st.lists(json_values, max_size=3) | st.dictionaries(
    st.text(max_size=3), json_values, max_size=3
)
chunk_lists = st.lists(st.text(max_size=4) | st.binary(max_size=4), max_size=3)

#: Plain bodies: (label, factory of a fresh value).
str_bodies = texts.map(lambda s: (repr(s), lambda: s))
bytes_bodies = st.binary(max_size=6).map(lambda b: (repr(b), lambda: b))
json_body_specs = json_bodies.map(lambda v: (repr(v), lambda: v))
generator_bodies = chunk_lists.map(lambda c: (f"iter({c!r})", lambda: _gen(c)))
# the values of the newer rules and helpers: model objects, a stream that aborts before
# its first chunk, lazy_stream(), event_stream() and ndjson()
model_bodies = st.builds(
    lambda cls, name, tags: (
        f"{cls.__name__}({name!r}, {tags!r})",
        lambda: cls(name=name, tags=tags),
    ),
    st.sampled_from(MODEL_CLASSES),
    st.text(max_size=4),
    st.lists(st.text(max_size=3), max_size=2),
)
aborting_bodies = st.sampled_from([404, 409, 503]).map(
    lambda code: (f"aborting_gen({code})", lambda: _aborting_gen(code))
)
lazy_bodies = chunk_lists.map(lambda c: (f"lazy_stream(iter({c!r}))", lambda: lazy_stream(_gen(c))))
event_bodies = st.lists(texts | json_values, max_size=3).map(
    lambda items: (f"event_stream({items!r})", lambda: event_stream(iter(items)))
)
ndjson_bodies = st.lists(json_values, max_size=3).map(
    lambda items: (f"ndjson({items!r})", lambda: ndjson(iter(items)))
)
plain_bodies = st.one_of(
    str_bodies,
    bytes_bodies,
    json_body_specs,
    generator_bodies,
    model_bodies,
    lazy_bodies,
    event_bodies,
    ndjson_bodies,
)

final_codes = st.sampled_from(
    [200, 201, 202, 204, 205, 299, 301, 302, 304, 400, 404, 409, 418, 500, 503, 599]
) | st.integers(200, 599)
interim_codes = st.sampled_from([100, 101, 103, 199])
statuses = st.one_of(
    final_codes,
    final_codes,
    interim_codes,
    final_codes.map(str),
    st.sampled_from(["404 Custom", "299 Odd Reason", "204 Nothing Here", "304 Same", "200 Fine"]),
    st.sampled_from(list(HTTPStatus)),
    st.sampled_from(
        [99, 600, 0, True, 200.0, "abc", "", "2000", b"200 OK", "200 \u2603", "200 OK\r\nX-I: 1"]
    ),
)

BENIGN_HEADERS = [
    ("X-A", "a"),
    ("X-B", "caf\u00e9"),  # latin-1, not ASCII
    ("Set-Cookie", "a=1"),
    ("Set-Cookie", "b=2; Path=/"),
    ("Content-Type", "text/plain"),
    ("Location", "/relative"),
    ("Location", "http://localhost/absolute"),
    ("Cache-Control", "no-store"),
    ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ("ETag", '"v1"'),
]
HOSTILE_HEADERS = [
    ("X-A", "a\r\nSet-Cookie: x=1"),
    ("X-A", "a\nb"),
    ("X-A", "a\x00b"),
    ("X-A", "a\tb"),
    ("X-A", "a\x85b"),  # C1 control (NEL)
    ("X-A", "\u2603"),  # not latin-1
    ("Connection", "close"),
    ("Transfer-Encoding", "chunked"),
    ("Keep-Alive", "timeout=5"),
    ("Content-Length", "999"),
    ("Content-Length", "0"),
    ("X A", "1"),
    ("Status", "200"),
]
header_pairs = st.one_of(
    st.sampled_from(BENIGN_HEADERS),
    st.sampled_from(BENIGN_HEADERS),
    st.sampled_from(HOSTILE_HEADERS),
)
pair_lists = st.lists(header_pairs, max_size=3)


def _as_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        result.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in result.items()}


#: Headers as a view gives them: (label, factory).
header_sets = st.one_of(
    pair_lists.map(lambda p: (repr(p), lambda: list(p))),
    pair_lists.map(lambda p: (repr(_as_dict(p)), lambda: _as_dict(p))),
)


def _set_header(headerlist: list[tuple[str, str]], name: str, value: str) -> None:
    """What a view does to a response's headers: replace a singular header, add the
    others (raw: WebOb does not check them)."""
    if name.lower() in ("content-type", "content-length", "location"):
        headerlist[:] = [item for item in headerlist if item[0].lower() != name.lower()]
    headerlist.append((name, value))


response_statuses = st.one_of(
    final_codes, final_codes, interim_codes, st.sampled_from(["404 Custom", "299 Odd Reason"])
)
RAW_STATUSES = ["200 OK\r\nSet-Cookie: x=1", "2OO OK", "099 Low", "600 High"]


@st.composite
def responses(draw: st.DrawFn) -> tuple[str, Callable[[], Response]]:
    """A webob.Response the view built itself: buffered or streamed body, any
    status (a raw, unparsed one too), headers set on it afterwards."""
    body_kind = draw(st.sampled_from(["bytes", "text", "stream", "none"]))
    content = draw(st.binary(max_size=5))
    raw = draw(st.none() | st.none() | st.sampled_from(RAW_STATUSES))
    status = draw(response_statuses)
    pairs = draw(pair_lists)

    def build() -> Response:
        if body_kind == "bytes":
            resp = Response(body=content, status=status)
        elif body_kind == "text":
            resp = Response(text=content.decode("latin-1"), charset="UTF-8", status=status)
        elif body_kind == "stream":
            resp = Response(app_iter=_gen([content]), status=status)
        else:
            resp = Response(status=status)
        if raw is not None:
            resp._status = raw
        for name, value in pairs:
            _set_header(resp.headerlist, name, value)
        return resp

    label = f"Response({body_kind}={content!r}, status={raw or status!r}, headers+={pairs!r})"
    return label, build


MODIFICATIONS = st.sampled_from(
    [
        ("status", 204),
        ("status", 205),
        ("status", 304),
        ("status", 100),
        ("status", 404),
        ("status", "299 Odd Reason"),
        ("header", "X-A", "a"),
        ("header", "X-A", "a\r\nSet-Cookie: x=1"),
        ("header", "Connection", "close"),
        ("header", "Location", "/relative"),
        ("header", "Content-Length", "999"),
        ("cookie", "c", "v"),
        ("body", b"new body"),
        ("content_type", "text/plain"),
    ]
)


def _modify(resp: Response, changes: list[tuple[Any, ...]]) -> Response:
    for change in changes:
        what = change[0]
        if what == "status":
            resp.status = change[1]
        elif what == "header":
            _set_header(resp.headerlist, change[1], change[2])
        elif what == "cookie":
            resp.set_cookie(change[1], change[2])
        elif what == "body":
            resp.body = change[1]
        else:
            resp.content_type = change[1]
    return resp


valid_statuses = st.one_of(
    final_codes,
    interim_codes,
    final_codes.map(str),
    st.sampled_from(["404 Custom", "299 Odd Reason", "204 Nothing Here"]),
    st.sampled_from(list(HTTPStatus)),
)


@st.composite
def valid_tuples(draw: st.DrawFn) -> tuple[str, Callable[[], tuple[Any, ...]]]:
    """A tuple make_response() accepts: the function itself never raises (what a host
    does with a function's own exception is the host's business, not the egress's)."""
    body_label, body = draw(plain_bodies)
    status = draw(valid_statuses)
    pairs = draw(st.lists(st.sampled_from(BENIGN_HEADERS), max_size=2))
    return f"({body_label}, {status!r}, {pairs!r})", lambda: (body(), status, list(pairs))


@st.composite
def modified_responses(draw: st.DrawFn) -> tuple[str, Callable[[], Response]]:
    """``r = make_response(...)`` then changed: ``r.status = 204`` and the like (the
    hostile part is the change, which make_response cannot see)."""
    label, make = draw(st.one_of(plain_bodies, valid_tuples()))
    changes = draw(st.lists(MODIFICATIONS, min_size=1, max_size=2))
    return f"make_response({label}) then {changes!r}", lambda: _modify(
        make_response(make()), changes
    )


WSGI_STATUSES = ["200 OK", "201 Created", "404 Not Found", "204 No Content", "100 Continue"]


@st.composite
def wsgi_apps(draw: st.DrawFn) -> tuple[str, Callable[[], Any]]:
    status = draw(st.sampled_from(WSGI_STATUSES))
    pairs = [("Content-Type", "text/plain"), *draw(pair_lists)]
    chunks = draw(st.lists(st.binary(max_size=4), max_size=2))
    lazy = draw(st.booleans())

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if lazy:
            return _lazy(start_response)
        start_response(status, list(pairs))
        return list(chunks)

    def _lazy(start_response: Any) -> Iterator[bytes]:
        start_response(status, list(pairs))
        yield from chunks

    return f"wsgi_app({status!r}, {pairs!r}, {chunks!r}, lazy={lazy})", lambda: app


@st.composite
def tuple_values(draw: st.DrawFn) -> tuple[str, Callable[[], tuple[Any, ...]]]:
    body_label, body = draw(st.one_of(plain_bodies, plain_bodies, responses(), wsgi_apps()))
    shape = draw(st.sampled_from(["status", "headers", "both"]))
    status = draw(statuses)
    headers_label, headers = draw(header_sets)
    if shape == "status":
        return f"({body_label}, {status!r})", lambda: (body(), status)
    if shape == "headers":
        return f"({body_label}, {headers_label})", lambda: (body(), headers())
    return f"({body_label}, {status!r}, {headers_label})", lambda: (body(), status, headers())


EXCEPTION_CLASSES = [
    webob.exc.HTTPConflict,
    webob.exc.HTTPNotFound,
    webob.exc.HTTPForbidden,
    webob.exc.HTTPServiceUnavailable,
    webob.exc.HTTPNoContent,
    webob.exc.HTTPNotModified,
    webob.exc.HTTPCreated,
    webob.exc.HTTPFound,
]


@st.composite
def http_exceptions(draw: st.DrawFn) -> Case:
    """A webob.exc instance: returned, or raised at the raised edges."""
    cls = draw(st.sampled_from(EXCEPTION_CLASSES))
    pairs = draw(pair_lists)
    detail = draw(st.none() | st.sampled_from(["a <detail>", "d\u00e9tail"]))
    options: dict[str, Any] = {"headers": pairs, "detail": detail}
    if cls is webob.exc.HTTPFound:
        options["location"] = "/relative"
    label = f"webob.exc.{cls.__name__}(**{options!r})"
    return Case(label, lambda: cls(**{**options, "headers": list(pairs)}), raisable=True)


@st.composite
def aborts(draw: st.DrawFn) -> Case:
    """``respond_mw.abort(status)`` or ``abort(response)``: raises at every edge."""
    if draw(st.booleans()):
        status = draw(
            st.sampled_from([400, 404, 409, 418, 500, 503, "404 Custom", HTTPStatus.GONE])
            | final_codes
            | interim_codes
        )
        return Case(f"abort({status!r})", lambda: abort(status), raises=True)
    label, build = draw(responses())
    return Case(f"abort({label})", lambda: abort(build()), raises=True)


def _returned(spec: tuple[str, Callable[[], Any]]) -> Case:
    return Case(spec[0], spec[1])


returned_cases = st.one_of(
    plain_bodies.map(_returned),
    tuple_values().map(_returned),
    tuple_values().map(_returned),
    responses().map(_returned),
    modified_responses().map(_returned),
    wsgi_apps().map(_returned),
    http_exceptions(),
)
# a stream that aborts before its first chunk raises where the others return: not for
# the edges where raising differs (an error handler's, view(request)'s)
any_cases = (
    returned_cases
    | aborts()
    | aborting_bodies.map(lambda spec: Case(spec[0], spec[1], raises=True))
)


def cases_for(edge: Edge) -> st.SearchStrategy[Case]:
    if edge.raised:
        return http_exceptions()
    if edge.handler or edge.propagates:
        return returned_cases
    return any_cases


# ------------------------------------------------------------------------- tests

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    # caplog is cleared before every request (see edges_support.run_wsgi)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(case=any_cases)
def test_reference_keeps_every_promise(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    problems, _ = edge_problems(REFERENCE, case, LogSource(caplog))
    if problems:
        pytest.fail(report(case, problems), pytrace=False)


@pytest.mark.parametrize("edge", EDGES, ids=lambda edge: edge.name)
@SETTINGS
@given(data=st.data())
def test_edge_answers_like_the_reference(
    edge: Edge, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    case = data.draw(cases_for(edge), label="value")
    problems, _ = edge_problems(edge, case, LogSource(caplog), own_only=True)
    if problems:
        pytest.fail(report(case, problems), pytrace=False)


# ------------------------------------------------------------ known holes, named


def _conflict(headers: list[tuple[str, str]]) -> Callable[[], Any]:
    return lambda: webob.exc.HTTPConflict(headers=list(headers))


def _raise(make: Callable[[], Any]) -> Callable[[], Any]:
    def raising() -> Any:
        raise make()

    return raising


def _response(status: int = 409, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    resp = Response(body=b"x", status=status, content_type="text/plain")
    resp.headerlist.extend(headers)
    return resp


def _text_then_204() -> Response:
    r = make_response("some text")
    r.status = 204
    return r


def _wrong_length() -> Response:
    resp = Response(body=b"x", content_type="text/plain")
    resp.headerlist = [(n, v) for n, v in resp.headerlist if n.lower() != "content-length"]
    resp.headerlist.append(("Content-Length", "999"))
    return resp


INJECTED = ("X-A", "a\r\nSet-Cookie: session=attacker")
CONNECTION = ("Connection", "close")

#: The known holes (a)-(d) and a few plain rules, by name: (case, what it must be at
#: every edge -- "refused": the logged generic 500 page, the hostile header never
#: sent; or a status code), on top of the promises and the comparison.
KNOWN: list[Any] = [
    pytest.param(
        Case(
            "raise HTTPConflict(headers=[X-A: CRLF injection])",
            _raise(_conflict([INJECTED])),
            raises=True,
        ),
        "refused",
        id="a-raised-conflict-crlf",
    ),
    pytest.param(
        Case(
            "raise HTTPConflict(headers=[Connection: close])",
            _raise(_conflict([CONNECTION])),
            raises=True,
        ),
        "refused",
        id="a-raised-conflict-connection",
    ),
    pytest.param(
        Case(
            "abort(Response(headers=[X-A: CRLF injection]))",
            lambda: abort(_response(409, (INJECTED,))),
            raises=True,
        ),
        "refused",
        id="a-abort-response-crlf",
    ),
    pytest.param(
        Case(
            "abort(Response(headers=[Connection: close]))",
            lambda: abort(_response(409, (CONNECTION,))),
            raises=True,
        ),
        "refused",
        id="a-abort-response-connection",
    ),
    pytest.param(
        Case("abort(Response(status=100))", lambda: abort(Response(status=100)), raises=True),
        "refused",
        id="b-abort-response-100",
    ),
    pytest.param(
        Case("r = make_response('some text'); r.status = 204; return r", _text_then_204),
        204,
        id="c-make-response-then-204",
    ),
    pytest.param(
        Case("Response(b'x') with Content-Length: 999", _wrong_length),
        "refused",
        id="d-content-length-999-for-1-byte",
    ),
    pytest.param(
        Case(
            "webob.exc.HTTPConflict(headers=[X-A: CRLF injection]) returned",
            _conflict([INJECTED]),
            raisable=True,
        ),
        "refused",
        id="returned-conflict-crlf",
    ),
    pytest.param(
        Case("'h\u00e9llo \u65e5\u672c'", lambda: "h\u00e9llo \u65e5\u672c"), 200, id="rule-str"
    ),
    pytest.param(Case("iter(['a', b'b'])", lambda: _gen(["a", b"b"])), 200, id="rule-generator"),
    pytest.param(
        Case(
            "('x', 201, [Location: /relative, Set-Cookie a, Set-Cookie b])",
            lambda: (
                "x",
                201,
                [("Location", "/relative"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
            ),
        ),
        201,
        id="rule-tuple-location-cookies",
    ),
    pytest.param(Case("('x', 205)", lambda: ("x", 205)), 205, id="rule-tuple-205"),
    pytest.param(
        Case("webob.exc.HTTPConflict(headers=[X-A: a])", _conflict([("X-A", "a")]), raisable=True),
        409,
        id="rule-http-exception",
    ),
]


def _regressions() -> list[Any]:
    """Every named case at every edge it applies to."""
    return [
        pytest.param(
            known.values[0],
            known.values[1],
            edge,
            id=f"{known.id}-{edge.name}",
        )
        for known in KNOWN
        for edge in [REFERENCE, *EDGES]
        if edge.applies_to(known.values[0])
    ]


def _generic_500(log: LogSource) -> Outcome:
    @view
    def crash() -> Any:
        raise RuntimeError("boom")

    return run_wsgi(crash, "GET", log)


@pytest.mark.parametrize(("case", "expected", "edge"), _regressions())
def test_regression_at_every_edge(
    case: Case, expected: Any, edge: Edge, caplog: pytest.LogCaptureFixture
) -> None:
    log = LogSource(caplog)
    generic = _generic_500(log)
    problems, got = edge_problems(edge, case, log)
    # an error handler answers a bare value with the error's status
    want = 418 if edge.handler and expected != "refused" and is_bare(case.make()) else expected
    for method, out in got.items():
        names = {str(name).lower() for name, _ in out.headers}
        if "attacker" in repr(out.headers) or "connection" in names:
            problems.append(f"{edge.name} {method}: the hostile header was sent: {out.headers!r}")
        if want == "refused":
            if out.status != "500 Internal Server Error" or not out.logged:
                problems.append(f"{edge.name} {method}: not the logged generic 500: {out.short()}")
            elif method == "GET" and out.body != generic.body:
                problems.append(f"{edge.name} GET: not the generic 500 page: {out.body[:80]!r}")
        elif out.code != want:
            problems.append(f"{edge.name} {method}: expected {want}, got {out.short()}")
    if problems:
        pytest.fail(report(case, problems), pytrace=False)
