import collections

from webob import Request

from respond_mw import view

ALLOWED = (
    "a view may return a str, bytes, a dict or list (JSON), an iterator or generator of "
    "str/bytes (streamed), a webob.Response, a WSGI application, or a tuple "
    "(body, status), (body, headers) or (body, status, headers)."
)
STATUS_HELP = (
    'it must be an int or http.HTTPStatus from 100 to 599, or a str such as "404" or '
    '"404 Not Found"'
)
Row = collections.namedtuple("Row", "body status")

# (what the view returns, the exception, its message; {v} is the view's dotted name)
CASES = [
    (
        None,
        TypeError,
        "The view {v} did not return a valid response: it returned NoneType None; "
        f"{ALLOWED} Did you forget a return statement?",
    ),
    (
        42,
        TypeError,
        "The view {v} did not return a valid response: it returned int 42; "
        f"{ALLOWED} Register a response adapter to teach respond_mw this type.",
    ),
    (
        Row("x", 404),
        TypeError,
        "The view {v} did not return a valid response: it returned Row Row(body='x', "
        f"status=404); {ALLOWED} Tuple subclasses (namedtuples, rows) are not unpacked: "
        "convert it to a dict.",
    ),
    (
        ("x", 200, {}, "extra"),
        TypeError,
        "The view {v} returned a tuple of 4 items (('x', 200, {}, 'extra')); a tuple must "
        "be (body, status), (body, headers) or (body, status, headers)",
    ),
    (
        (None, 404),
        TypeError,
        "The view {v} returned a tuple whose body is NoneType None; the first item of a "
        "(body, status, headers) tuple must itself be a valid return value (str, bytes, "
        "dict, list, iterator, response or WSGI application)",
    ),
    (
        ("x", 200, 5),
        TypeError,
        "The view {v} returned an invalid response: headers must be a dict, a mapping or a "
        "list of (name, value) pairs, not int",
    ),
    (
        ("x", 600),
        ValueError,
        f"The view {{v}} returned an invalid response: status 600 is out of range: {STATUS_HELP}",
    ),
    (
        ("x", True),
        ValueError,
        "The view {v} returned an invalid response: status True (bool) is not a valid "
        f"status: {STATUS_HELP}",
    ),
    (
        ("x", b"404"),
        ValueError,
        "The view {v} returned an invalid response: status b'404' (bytes) is not a valid "
        f"status: {STATUS_HELP}",
    ),
    (
        ("x", "four"),
        ValueError,
        f"The view {{v}} returned an invalid response: status 'four' is malformed: {STATUS_HELP}",
    ),
    (
        ("x", "404 Bad\r\nX: y"),
        ValueError,
        "The view {v} returned an invalid response: status '404 Bad\\r\\nX: y' has a reason "
        "phrase with control or non latin-1 characters, which would corrupt the response",
    ),
    (
        ("x", {"X Tag": "1"}),
        ValueError,
        "The view {v} returned an invalid response: header name 'X Tag' is not valid: it "
        "must be a str starting with a letter, made of letters, digits, '-' and '_' (no "
        "spaces, colons or control characters)",
    ),
    (
        ("x", {"Status": "200"}),
        ValueError,
        "The view {v} returned an invalid response: header name 'Status' is not allowed in "
        "WSGI: it must not be 'Status' and must not end with '-' or '_' (PEP 3333)",
    ),
    (
        ("x", {"Connection": "close"}),
        ValueError,
        "The view {v} returned an invalid response: header 'Connection' is hop-by-hop: the "
        "server manages it, a WSGI application must not set it (PEP 3333)",
    ),
    (
        ("x", {"X-Tag": "a\r\nSet-Cookie: x=1"}),
        ValueError,
        "The view {v} returned an invalid response: header 'X-Tag' has a value with CR, LF, "
        "NUL or another control character ('a\\r\\nSet-Cookie: x=1'), which could split "
        "or corrupt the response",
    ),
    (
        ("x", {"X-Tag": "€"}),
        ValueError,
        "The view {v} returned an invalid response: header 'X-Tag' has a value that is not "
        "latin-1 text ('€'); encode it first (for example with urllib.parse.quote)",
    ),
    (
        ("x", {"X-Tag": None}),
        ValueError,
        "The view {v} returned an invalid response: header 'X-Tag' has the value None: give "
        "a str (or a value whose str() is the header text, such as an int)",
    ),
    (
        ("x", [("X-Tag",)]),
        ValueError,
        "The view {v} returned an invalid response: header item ('X-Tag',) is not a (name, "
        "value) pair; headers given as a list or tuple must contain pairs",
    ),
    (
        ("x", {"Content-Length": "7"}),
        ValueError,
        "the response of view {v} cannot be sent: its Content-Length (7) disagrees with its "
        "body (1 bytes); leave Content-Length out and it is computed",
    ),
    (
        ("x", 101),
        ValueError,
        "the response of view {v} cannot be sent: the interim status '101 Switching "
        "Protocols' cannot be a final response: a client would wait for another one",
    ),
    (
        {"ratio": float("nan")},
        ValueError,
        "The view {v} returned a value that is not JSON: NaN and Infinity are not valid JSON; "
        "replace them (e.g. with None) before returning the value",
    ),
    (
        {"when": object()},
        TypeError,
        "The view {v} returned a value that is not JSON: Object of type object is not JSON "
        "serializable: return str, int, float, bool, None, dict, list or tuple values, or a "
        "datetime, Decimal, UUID, Enum, dataclass, or an object with a __json__() or "
        "__html__() method (a response adapter does not apply to values inside a dict or "
        "list)",
    ),
]


# checks
def returning(value):
    @view(propagate_exceptions=True)  # raise the error instead of answering 500
    def broken():
        return value

    return broken


for value, exception, message in CASES:
    broken = returning(value)
    try:
        Request.blank("/").get_response(broken)
    except exception as error:
        assert str(error) == message.replace("{v}", broken.name), str(error)
    else:
        raise AssertionError(f"{value!r} was accepted")
