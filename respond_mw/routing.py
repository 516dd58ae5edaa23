"""Path patterns with typed parameters, and a router that stays fast with many routes.

A pattern is a path whose segments may hold parameters in angle brackets::

    /hello/<name>              name: any text without "/"
    /items/<int:item_id>       item_id: digits, passed as an int
    /files/<path:rest>         rest: the rest of the path, "/" included
    /reports/<int:year>.csv    parameters and text may share a segment

==============  ===================  =========================================
converter       matches              value
==============  ===================  =========================================
``str``         ``[^/]+``            the text (the default: ``<name>``)
``int``         ``[0-9]+``           an :class:`int`
``path``        ``.+`` (any ``/``)   the text
==============  ===================  =========================================

Parameter names must be Python identifiers (they become keyword arguments) and may
not be ``request``. Matching is exact: ``/hello`` and ``/hello/`` are different
paths. Patterns are matched against the decoded path (``PATH_INFO`` as text).

A pattern is compiled once, when it is added. The :class:`Router` does not try its
patterns one after the other: fully static paths are found in a dictionary, and the
others live in a tree of path segments where each level is a dictionary of static
segments, then the few dynamic segments, then the patterns that end in a ``path``
parameter. Finding a route costs about the same with ten routes or with thousands:
one descent of the tree in the usual case (a full depth-first search only when
that descent passed a fork and found no route for the method), and a dictionary
lookup for a ``(method, path)`` asked for recently (see ``cache_size``).

When several patterns match a path, the most specific wins: a static segment before
a parameter, a parameter before a ``path`` parameter, and, between equals, the one
added first.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from .patterns import CONVERTERS as CONVERTERS
from .patterns import Pattern as Pattern
from .patterns import Piece, convert_piece, to_int

__all__ = ["CONVERTERS", "MISSING", "Found", "Match", "Pattern", "Router", "normalize_methods"]

T = TypeVar("T")


class Match(Generic[T]):
    """The result of :meth:`Router.match`.

    :ivar target: what was registered for the route (``None`` when only the method
        did not match).
    :ivar params: the converted URL parameters.
    :ivar allowed: when ``target`` is ``None``, the methods the path accepts (for a
        ``405 Method Not Allowed`` and its ``Allow`` header).

    .. versionadded:: 0.1.0
    """

    __slots__ = ("allowed", "params", "target")

    def __init__(
        self, target: T | None, params: dict[str, Any], allowed: frozenset[str] = frozenset()
    ) -> None:
        self.target = target
        self.params = params
        self.allowed = allowed

    def __repr__(self) -> str:
        if self.target is None:
            return f"<Match method not allowed, allowed={sorted(self.allowed)}>"
        return f"<Match {self.target!r} {self.params!r}>"


#: A route as stored: its methods and its target.
_Entry = tuple[frozenset[str], T]


#: How :meth:`Router._find` matches a dynamic segment: the whole segment as a ``str``
#: parameter, the whole segment as an ``int`` parameter, or the piece's regex.
_WHOLE_STR, _WHOLE_INT, _REGEX = 0, 1, 2


def _kind(piece: Piece) -> int:
    """The cheapest exact way to match ``piece`` against one segment."""
    regex, params = piece
    if len(params) == 1:
        name, convert = params[0]
        if convert is str and regex.pattern == f"(?P<{name}>[^/]+)":
            return _WHOLE_STR  # any non-empty segment (a segment holds no "/")
        if convert is to_int and regex.pattern == f"(?P<{name}>[0-9]+)":
            return _WHOLE_INT  # ASCII digits only, as [0-9]+
    return _REGEX


def _convert_new(piece: Piece, text: str) -> dict[str, Any] | None:
    """The parameters of ``piece`` in ``text``, or ``None`` (nothing half-filled)."""
    params: dict[str, Any] = {}
    return params if convert_piece(piece, text, params) else None


class _Node(Generic[T]):
    __slots__ = ("choices", "dynamic", "entries", "fork", "static", "tails")

    def __init__(self) -> None:
        self.static: dict[str, _Node[T]] = {}
        self.dynamic: dict[str, tuple[Piece, _Node[T]]] = {}
        self.tails: list[tuple[Piece, _Entry[T]]] = []
        self.entries: list[_Entry[T]] = []
        #: ``dynamic`` in order, as (kind, parameter name, piece, child).
        self.choices: tuple[tuple[int, str, Piece, _Node[T]], ...] = ()
        #: More than one way onward (a static child, dynamic children, tails):
        #: a failed first way may need the others.
        self.fork = False

    def update(self) -> None:
        """Recompute ``choices`` and ``fork`` after a change."""
        self.choices = tuple(
            (_kind(piece), piece[1][0][0], piece, child) for piece, child in self.dynamic.values()
        )
        self.fork = (bool(self.static) + len(self.dynamic) + bool(self.tails)) > 1


#: What :meth:`Router._find` returns for a path that matches: the target (``None``
#: when only the method does not match), the parameters, the allowed methods.
_Raw = tuple[T | None, dict[str, Any], frozenset[str]]
#: What :meth:`Router.lookup` returns: the same and the parameters' values in the
#: order of the pattern's :attr:`~Pattern.names` (the order the parameters are
#: filled in), for a caller that passes them positionally.
Found = tuple[T | None, dict[str, Any], frozenset[str], tuple[Any, ...]]

#: What :attr:`Router.cache` gives (with ``dict.get``) for a key it does not hold.
MISSING: Any = object()


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def normalize_methods(methods: Iterable[str] | None) -> frozenset[str]:
    """Upper-case and validate HTTP methods; ``None`` means ``GET``.

    ``HEAD`` is added whenever ``GET`` is present: ``GET`` routes serve ``HEAD``.

    :raises TypeError: for a single ``str`` instead of a list.
    :raises ValueError: for an empty list or a name that is not an HTTP token.

    .. versionadded:: 0.1.0
    """
    if methods is None:
        return frozenset({"GET", "HEAD"})
    if isinstance(methods, str):
        raise TypeError(f"methods must be a list of method names, not the str {methods!r}")
    result = set()
    for method in methods:
        if not isinstance(method, str) or _TOKEN.fullmatch(method) is None:
            raise ValueError(f"{method!r} is not an HTTP method name")
        result.add(method.upper())
    if not result:
        raise ValueError("methods must name at least one HTTP method")
    if "GET" in result:
        result.add("HEAD")
    return frozenset(result)


class Router(Generic[T]):
    """Patterns and their targets, matched in about constant time.

    :meth:`add` compiles a pattern once; :meth:`match` finds the target for a path
    and a method.

    :param cache_size: how many ``(method, path)`` results :meth:`match` remembers
        (``0``: none). Real traffic asks for the same URLs again and again; a
        remembered result costs one dictionary lookup instead of a walk of the tree.
        The cache is emptied when it is full and whenever a route is added; paths
        longer than 512 characters are never remembered, so it stays small (a few
        MiB at most).

    .. versionadded:: 0.1.0
    """

    #: Paths longer than this are matched every time, never remembered.
    cache_max_path = 512

    def __init__(self, *, cache_size: int = 4096) -> None:
        self._static: dict[str, list[_Entry[T]]] = {}
        self._root: _Node[T] = _Node()
        self._methods: dict[str, set[str]] = {}
        self._count = 0
        self.cache_size = cache_size
        #: ``(method, path)`` -> what :meth:`lookup` returned for them. A hot path
        #: may read it directly (``cache.get(key, MISSING)``) to save a call; only
        #: :meth:`lookup` fills it.
        self.cache: dict[tuple[str, str], Found[T] | None] = {}

    def __len__(self) -> int:
        return self._count

    def patterns(self) -> list[str]:
        """The texts of the patterns added, in the order they were first added."""
        return list(self._methods)

    def add(
        self, pattern: str | Pattern, target: T, methods: Iterable[str] | None = None
    ) -> Pattern:
        """Register ``target`` for ``pattern`` and ``methods`` (default ``GET``).

        :raises ValueError: for an invalid pattern or method, or when the same pattern
            is already registered for one of the methods.
        """
        compiled = pattern if isinstance(pattern, Pattern) else Pattern(pattern)
        allowed = normalize_methods(methods)
        taken = self._methods.setdefault(compiled.text, set())
        clash = taken & allowed - {"HEAD"}
        if clash:
            raise ValueError(
                f"route pattern {compiled.text!r} is already registered for "
                f"{', '.join(sorted(clash))}"
            )
        taken.update(allowed)
        entry: _Entry[T] = (allowed, target)
        if compiled.static:
            self._static.setdefault(compiled.text, []).append(entry)
        else:
            node = self._root
            for source, piece in compiled.segments:
                parent = node
                if piece is None:
                    node = node.static.setdefault(source, _Node())
                else:
                    child = node.dynamic.get(source)
                    if child is None:
                        child = node.dynamic[source] = (piece, _Node())
                    node = child[1]
                parent.update()
            if compiled.tail is not None:
                node.tails.append((compiled.tail, entry))
            else:
                node.entries.append(entry)
            node.update()
        self._count += 1
        self.cache.clear()
        return compiled

    def match(self, path: str, method: str) -> Match[T] | None:
        """Find the route for ``path`` and ``method``.

        :returns: a :class:`Match` with the target and parameters; a :class:`Match`
            whose target is ``None`` and whose ``allowed`` lists the accepted methods
            when the path matches but not the method; ``None`` when no pattern
            matches the path.
        """
        found = self.lookup(path, method)
        if found is None:
            return None
        return Match(found[0], dict(found[1]), found[2])

    def lookup(self, path: str, method: str) -> Found[T] | None:
        """What :meth:`match` finds, as a tuple (see ``Found``), through the
        cache. The parameters returned are shared with the cache: copy them before
        handing them out."""
        key = (method, path)
        found = self.cache.get(key, MISSING)
        if found is MISSING:
            raw = self._find(path, method)
            found = None if raw is None else (*raw, tuple(raw[1].values()))
            if self.cache_size > 0 and len(path) <= self.cache_max_path:
                if len(self.cache) >= self.cache_size:
                    self.cache.clear()
                self.cache[key] = found
        return found  # type: ignore[no-any-return]

    def _find(self, path: str, method: str) -> _Raw[T] | None:
        """Match without the cache: the static paths, then one descent of the tree.

        The descent takes, at each level, the first way onward a depth-first search
        would try (the static child, else the first dynamic child whose piece
        matches, else the tails), filling one dictionary of parameters. Its leaf is
        the first the search would reach, so a method served there is the search's
        answer. Otherwise, if the descent passed a fork (a level with another way
        onward), the full search (:meth:`_walk`) decides; without a fork the
        descent has seen everything the search would.
        """
        allowed: set[str] = set()
        static = self._static.get(path)
        if static is not None:
            for methods, target in static:
                if method in methods:
                    return target, {}, _NO_METHODS
                allowed.update(methods)
        if path[:1] == "/":
            node = self._root
            segments = path[1:].split("/")
            params: dict[str, Any] = {}
            forked = False
            index = 0
            for segment in segments:
                if node.fork:
                    forked = True
                child = node.static.get(segment)
                if child is None:
                    for kind, name, piece, dynamic_child in node.choices:
                        if kind == _WHOLE_STR:
                            if segment:
                                params[name] = segment
                                child = dynamic_child
                                break
                        elif kind == _WHOLE_INT:
                            if segment.isdigit() and segment.isascii():
                                try:
                                    params[name] = int(segment)
                                except ValueError:  # too long to convert
                                    continue
                                child = dynamic_child
                                break
                        else:
                            converted = _convert_new(piece, segment)
                            if converted is not None:
                                params.update(converted)
                                child = dynamic_child
                                break
                    if child is None:
                        if node.tails:
                            rest = "/".join(segments[index:])
                            for tail, (methods, target) in node.tails:
                                converted = _convert_new(tail, rest)
                                if converted is not None:
                                    if method in methods:
                                        params.update(converted)
                                        return target, params, _NO_METHODS
                                    allowed.update(methods)
                        break
                node = child
                index += 1
            else:
                for methods, target in node.entries:
                    if method in methods:
                        return target, params, _NO_METHODS
                    allowed.update(methods)
            if forked:
                allowed.clear()
                if static is not None:
                    for methods, _ in static:
                        allowed.update(methods)
                found = self._walk(self._root, segments, 0, {}, method, allowed)
                if found is not None:
                    return found.target, found.params, _NO_METHODS
        if not allowed:
            return None
        return None, {}, frozenset(allowed)

    def _walk(
        self,
        node: _Node[T],
        segments: list[str],
        index: int,
        params: dict[str, Any],
        method: str,
        allowed: set[str],
    ) -> Match[T] | None:
        """Depth-first search, most specific branch first; collects ``allowed``."""
        if index == len(segments):
            for methods, target in node.entries:
                if method in methods:
                    return Match(target, params)
                allowed.update(methods)
            return None
        segment = segments[index]
        child = node.static.get(segment)
        if child is not None:
            found = self._walk(child, segments, index + 1, params, method, allowed)
            if found is not None:
                return found
        for piece, dynamic_child in node.dynamic.values():
            converted = dict(params)
            if convert_piece(piece, segment, converted):
                found = self._walk(dynamic_child, segments, index + 1, converted, method, allowed)
                if found is not None:
                    return found
        if node.tails:
            rest = "/".join(segments[index:])
            for piece, (methods, target) in node.tails:
                converted = dict(params)
                if convert_piece(piece, rest, converted):
                    if method in methods:
                        return Match(target, converted)
                    allowed.update(methods)
        return None


_NO_METHODS: frozenset[str] = frozenset()
