"""Path patterns and the router."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from respond_mw.routing import Match, Pattern, Router, normalize_methods


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        pytest.param("/", "/", {}, id="root"),
        pytest.param("/hello", "/hello", {}, id="static"),
        pytest.param("/hello", "/hello/", None, id="static-no-trailing-slash"),
        pytest.param("/hello/<name>", "/hello/bob", {"name": "bob"}, id="str"),
        pytest.param("/hello/<str:name>", "/hello/bob", {"name": "bob"}, id="str-explicit"),
        pytest.param("/hello/<name>", "/hello/", None, id="str-not-empty"),
        pytest.param("/hello/<name>", "/hello/a/b", None, id="str-no-slash"),
        pytest.param("/items/<int:item_id>", "/items/42", {"item_id": 42}, id="int"),
        pytest.param("/items/<int:item_id>", "/items/-1", None, id="int-no-sign"),
        pytest.param("/items/<int:item_id>", "/items/4x", None, id="int-digits-only"),
        pytest.param("/files/<path:rest>", "/files/a/b/c.txt", {"rest": "a/b/c.txt"}, id="path"),
        pytest.param("/files/<path:rest>", "/files/", None, id="path-not-empty"),
        pytest.param("/<path:p>/edit", "/a/b/edit", {"p": "a/b"}, id="path-then-static"),
        pytest.param(
            "/r/<int:year>.csv", "/r/2024.csv", {"year": 2024}, id="param-and-text-in-segment"
        ),
        pytest.param("/r/<int:year>.csv", "/r/2024xcsv", None, id="text-is-literal"),
        pytest.param(
            "/u/<a>/<int:b>/<path:c>",
            "/u/x/7/y/z",
            {"a": "x", "b": 7, "c": "y/z"},
            id="several",
        ),
        pytest.param("/caf\u00e9/<n>", "/caf\u00e9/cr\u00e8me", {"n": "cr\u00e8me"}, id="text"),
    ],
)
def test_pattern_match(pattern: str, path: str, expected: dict[str, Any] | None) -> None:
    assert Pattern(pattern).match(path) == expected
    router: Router[str] = Router()
    router.add(pattern, "target")
    found = router.match(path, "GET")
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert found.target == "target"
        assert found.params == expected


def test_int_parameter_is_an_int() -> None:
    params = Pattern("/items/<int:item_id>").match("/items/007")
    assert params == {"item_id": 7}
    assert type(params["item_id"]) is int


def test_pattern_names_in_order() -> None:
    assert Pattern("/<b>/<int:a>/<path:c>").names == ("b", "a", "c")
    assert Pattern("/static").static
    assert not Pattern("/<x>").static


def test_huge_int_does_not_match() -> None:
    router: Router[str] = Router()
    router.add("/items/<int:n>", "int")
    assert router.match("/items/" + "9" * 5000, "GET") is None
    assert Pattern("/items/<int:n>").match("/items/" + "9" * 5000) is None


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("hello", "starting with '/'", id="no-slash"),
        pytest.param("/a/<float:x>", "unknown converter 'float'", id="unknown-converter"),
        pytest.param("/a/<x-y>", "parameter name 'x-y'", id="bad-name"),
        pytest.param("/a/<request>", "parameter name 'request'", id="request-name"),
        pytest.param("/a/<x>/<int:x>", "parameter 'x' twice", id="repeated"),
        pytest.param("/a/<x", "unbalanced", id="unbalanced-open"),
        pytest.param("/a/x>", "unbalanced", id="unbalanced-close"),
    ],
)
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pattern(pattern)


def test_static_beats_parameter_beats_path() -> None:
    router: Router[str] = Router()
    router.add("/<path:p>", "path")
    router.add("/items/<name>", "param")
    router.add("/items/new", "static")
    router.add("/<section>/new", "section")
    assert _target(router, "/items/new") == "static"
    assert _target(router, "/items/other") == "param"
    assert _target(router, "/other/new") == "section"
    assert _target(router, "/other/thing") == "path"


def test_first_added_wins_between_equals() -> None:
    router: Router[str] = Router()
    router.add("/a/<x>", "first")
    router.add("/a/<y>", "second")
    assert _target(router, "/a/1") == "first"


def test_backtracks_when_a_static_branch_fails() -> None:
    router: Router[str] = Router()
    router.add("/a/b/c", "static")
    router.add("/a/<x>/d", "dynamic")
    assert _target(router, "/a/b/d") == "dynamic"
    assert _target(router, "/a/b/c") == "static"


def test_method_mismatch_reports_allowed_methods() -> None:
    router: Router[str] = Router()
    router.add("/items/<int:n>", "get")
    router.add("/items/<int:n>", "put", ["PUT", "patch"])
    router.add("/items/<name>", "post", ["POST"])
    found = router.match("/items/3", "DELETE")
    assert found is not None
    assert found.target is None
    assert found.allowed == {"GET", "HEAD", "PUT", "PATCH", "POST"}
    put = router.match("/items/3", "PATCH")
    assert put is not None
    assert put.target == "put"
    assert put.params == {"n": 3}


def test_a_later_route_serves_the_method_an_earlier_one_lacks() -> None:
    router: Router[str] = Router()
    router.add("/a", "static-post", ["POST"])
    router.add("/<name>", "dynamic-get")
    assert _target(router, "/a") == "dynamic-get"
    found = router.match("/a", "POST")
    assert found is not None
    assert found.target == "static-post"


def test_head_is_served_by_get() -> None:
    router: Router[str] = Router()
    router.add("/x", "x")
    assert _target(router, "/x", "HEAD") == "x"
    assert normalize_methods(["get"]) == {"GET", "HEAD"}
    assert normalize_methods(["POST"]) == {"POST"}


def test_same_pattern_and_method_twice_is_refused() -> None:
    router: Router[str] = Router()
    router.add("/x/<a>", "one", ["GET", "POST"])
    with pytest.raises(ValueError, match="already registered for POST"):
        router.add("/x/<a>", "two", ["POST"])
    router.add("/x/<a>", "three", ["PUT"])
    assert len(router) == 2


@pytest.mark.parametrize(
    ("methods", "error"),
    [
        pytest.param("GET", TypeError, id="str"),
        pytest.param([], ValueError, id="empty"),
        pytest.param(["GE T"], ValueError, id="not-a-token"),
    ],
)
def test_invalid_methods(methods: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        normalize_methods(methods)


def test_match_repr() -> None:
    assert "method not allowed" in repr(Match(None, {}, frozenset({"GET"})))
    assert "'t'" in repr(Match("t", {}))


# -------------------------------------------------------------- dispatch cost


def _target(router: Router[str], path: str, method: str = "GET") -> str | None:
    found = router.match(path, method)
    return None if found is None else found.target


def build_router(count: int) -> Router[str]:
    """``count`` routes of realistic shapes: static, one parameter, nested, path; without
    the cache, so that every lookup searches the routes."""
    router: Router[str] = Router(cache_size=0)
    for i in range(count // 4):
        router.add(f"/static{i}/page", f"s{i}")
        router.add(f"/users{i}/<int:user_id>", f"u{i}")
        router.add(f"/api/v1/res{i}/<name>/edit", f"a{i}")
        router.add(f"/files{i}/<path:rest>", f"f{i}")
    return router


LAST_PATHS = [
    ("/static{n}/page", "s{n}"),
    ("/users{n}/42", "u{n}"),
    ("/api/v1/res{n}/thing/edit", "a{n}"),
    ("/files{n}/a/b/c", "f{n}"),
]


def lookup_seconds(router: Router[str], paths: list[str], rounds: int) -> float:
    """The CPU time this thread spends on ``rounds`` lookups of each path: time spent
    waiting for a CPU on a busy machine does not count."""
    start = time.thread_time()
    for _ in range(rounds):
        for path in paths:
            router.match(path, "GET")
    return time.thread_time() - start


def test_dispatch_cost_does_not_grow_with_the_number_of_routes() -> None:
    small, large = build_router(12), build_router(1200)
    small_paths = [p.format(n=2) for p, _ in LAST_PATHS]
    large_paths = [p.format(n=299) for p, _ in LAST_PATHS]
    for router, paths, n in ((small, small_paths, 2), (large, large_paths, 299)):
        assert [_target(router, p) for p in paths] == [t.format(n=n) for _, t in LAST_PATHS]
    # No duration is asserted, only a ratio measured in this run: the two routers take
    # turns and each keeps its best of seven, so a slow or busy machine slows both alike.
    small_times, large_times = [], []
    for _ in range(7):
        small_times.append(lookup_seconds(small, small_paths, 500))
        large_times.append(lookup_seconds(large, large_paths, 500))
    small_time, large_time = min(small_times), min(large_times)
    # Trying the patterns one after the other makes 100 times the routes about 100 times
    # slower; the indexed router is about as fast (a ratio near 1). 10 leaves room for noise.
    assert large_time < small_time * 10, (small_time, large_time)


# ------------------------------------------------ the one-descent matcher and its cache


def reference_match(router: Router[str], path: str, method: str) -> tuple[Any, ...] | None:
    """The full depth-first search alone: what the one-descent matcher must agree with."""
    allowed: set[str] = set()
    for methods, target in router._static.get(path, []):
        if method in methods:
            return target, {}, frozenset()
        allowed.update(methods)
    if path[:1] == "/":
        found = router._walk(router._root, path[1:].split("/"), 0, {}, method, allowed)
        if found is not None:
            return found.target, found.params, frozenset()
    return (None, {}, frozenset(allowed)) if allowed else None


SEGMENTS = ["a", "b", "1", "22", "x.csv", "7.csv", ""]
PIECES = ["a", "b", "<s>", "<int:n>", "<str:t>", "<int:y>.csv", "<path:p>", "<q>.csv"]


@settings(max_examples=300, deadline=None)
@given(
    patterns=st.lists(
        st.tuples(
            st.lists(st.sampled_from(PIECES), min_size=0, max_size=3),
            st.sampled_from([None, ["POST"], ["GET", "PUT"]]),
        ),
        min_size=1,
        max_size=8,
    ),
    paths=st.lists(st.lists(st.sampled_from(SEGMENTS), max_size=4), min_size=1, max_size=6),
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE"]),
)
def test_one_descent_agrees_with_the_full_search(
    patterns: list[tuple[list[str], list[str] | None]], paths: list[list[str]], method: str
) -> None:
    router: Router[str] = Router(cache_size=0)
    for index, (pieces, methods) in enumerate(patterns):
        text = "/" + "/".join(pieces)
        try:
            router.add(text, f"{index}:{text}", methods)
        except ValueError:  # a parameter twice, or the same pattern and method again
            continue
    for segments in paths:
        path = "/" + "/".join(segments)
        found = router._find(path, method)
        assert found == reference_match(router, path, method), path
        if found is not None and found[0] is not None:
            pattern = Pattern(found[0].split(":", 1)[1])
            assert found[1] == pattern.match(path)
            # filled in the pattern's order: what positional calls rely on
            assert tuple(found[1]) == pattern.names


@pytest.mark.parametrize(
    ("routes", "path", "method", "expected"),
    [
        pytest.param(
            [("/a/b/c", "static"), ("/a/<x>/d", "dynamic")], "/a/b/d", "GET", "dynamic", id="back"
        ),
        pytest.param(
            [("/a/<int:n>/x", "int"), ("/a/<s>/y", "str")], "/a/1/y", "GET", "str", id="next-dyn"
        ),
        pytest.param(
            [("/a/<s>/x", "str"), ("/a/<path:p>", "path")], "/a/1/y", "GET", "path", id="to-tail"
        ),
        pytest.param(
            [("/a/<int:n>", "get"), ("/a/<s>", "post", ["POST"])], "/a/1", "POST", "post", id="405"
        ),
        pytest.param([("/a/<int:n>", "int")], "/a/\u0663", "GET", None, id="int-ascii-only"),
        pytest.param([("/a/<int:n>", "int")], "/a/\u00b2", "GET", None, id="superscript"),
        pytest.param(
            [("/a/<int:n>", "int"), ("/a/<s>", "str")], "/a/" + "9" * 5000, "GET", "str", id="long"
        ),
        pytest.param(
            [("/r/<int:y>.csv", "csv"), ("/r/<int:y>.<ext>", "ext")],
            "/r/1.json",
            "GET",
            "ext",
            id="regex-nothing-half-filled",
        ),
    ],
)
def test_one_descent_precedence(
    routes: list[tuple[Any, ...]], path: str, method: str, expected: str | None
) -> None:
    router: Router[str] = Router(cache_size=0)
    for route in routes:
        router.add(*route)
    assert _target(router, path, method) == expected
    assert router._find(path, method) == reference_match(router, path, method)


def test_the_cache_is_emptied_when_a_route_is_added() -> None:
    router: Router[str] = Router()
    assert router.match("/late/1", "GET") is None
    assert ("GET", "/late/1") in router.cache
    router.add("/late/<int:n>", "late")
    assert router.cache == {}
    assert _target(router, "/late/1") == "late"
    found = router.match("/late/1", "POST")
    assert found is not None and found.allowed == {"GET", "HEAD"}
    router.add("/late/<int:n>", "post", ["POST"])
    assert _target(router, "/late/1", "POST") == "post"


def test_the_cache_is_bounded() -> None:
    router: Router[str] = Router(cache_size=3)
    router.add("/items/<int:n>", "item")
    for n in range(10):
        assert _target(router, f"/items/{n}") == "item"
        assert len(router.cache) <= 3
    router.match("/items/" + "1" * (Router.cache_max_path + 1), "GET")
    assert all(len(path) <= Router.cache_max_path for _, path in router.cache)
    uncached: Router[str] = Router(cache_size=0)
    uncached.add("/items/<int:n>", "item")
    assert _target(uncached, "/items/1") == "item"
    assert uncached.cache == {}


def test_cached_parameters_cannot_be_changed_through_a_match() -> None:
    router: Router[str] = Router()
    router.add("/items/<int:n>", "item")
    first = router.match("/items/5", "GET")
    assert first is not None
    first.params["n"] = "changed"
    second = router.match("/items/5", "GET")
    assert second is not None and second.params == {"n": 5}
    assert router.patterns() == ["/items/<int:n>"]
