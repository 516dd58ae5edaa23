"""Path patterns: ``/items/<int:item_id>`` compiled once, when a route is added.

The syntax -- the converters ``str``, ``int`` and ``path``, parameters sharing a
segment with text -- is described in :mod:`respond_mw.routing`, whose
:class:`~respond_mw.routing.Router` stores the compiled patterns.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["CONVERTERS", "Pattern", "Piece", "convert_piece", "to_int"]


def to_int(text: str) -> int:
    return int(text)


#: Converter name -> (regular expression for one value, conversion function).
#: A conversion that raises :class:`ValueError` makes the pattern not match.
CONVERTERS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "str": (r"[^/]+", str),
    "int": (r"[0-9]+", to_int),
    "path": (r".+", str),
}

_PARAM = re.compile(r"<(?:([A-Za-z_][A-Za-z0-9_]*):)?([^<>:]*)>")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: A compiled piece of a pattern: its regex and its parameters' (name, convert) pairs.
Piece = tuple["re.Pattern[str]", tuple[tuple[str, Callable[[str], Any]], ...]]


def _compile_piece(
    text: str, pattern: str, seen: dict[str, Callable[[str], Any]]
) -> tuple[str, Piece | None]:
    """Compile one piece of ``pattern``; return (regex source, piece or None if static)."""
    parts: list[str] = []
    params: list[tuple[str, Callable[[str], Any]]] = []
    position = 0
    for found in _PARAM.finditer(text):
        literal = text[position : found.start()]
        _check_literal(literal, pattern)
        parts.append(re.escape(literal))
        converter = found[1] or "str"
        name = found[2]
        if converter not in CONVERTERS:
            raise ValueError(
                f"route pattern {pattern!r} uses the unknown converter {converter!r}; "
                f"known converters: {', '.join(CONVERTERS)}"
            )
        if _IDENTIFIER.fullmatch(name) is None or name == "request":
            raise ValueError(
                f"route pattern {pattern!r} has the parameter name {name!r}; a parameter "
                "name must be a Python identifier other than 'request'"
            )
        if name in seen:
            raise ValueError(f"route pattern {pattern!r} uses the parameter {name!r} twice")
        regex, convert = CONVERTERS[converter]
        seen[name] = convert
        parts.append(f"(?P<{name}>{regex})")
        params.append((name, convert))
        position = found.end()
    literal = text[position:]
    _check_literal(literal, pattern)
    parts.append(re.escape(literal))
    source = "".join(parts)
    if not params:
        return source, None
    return source, (re.compile(source, re.DOTALL), tuple(params))


def _check_literal(literal: str, pattern: str) -> None:
    if "<" in literal or ">" in literal:
        raise ValueError(
            f"route pattern {pattern!r} has an unbalanced '<' or '>'; parameters are "
            "written <name>, <int:name> or <path:name>"
        )


def convert_piece(piece: Piece, text: str, params: dict[str, Any]) -> bool:
    """Match ``text`` against ``piece``; add its parameters to ``params``."""
    found = piece[0].fullmatch(text)
    if found is None:
        return False
    for name, convert in piece[1]:
        try:
            params[name] = convert(found[name])
        except ValueError:  # e.g. an int too long to convert
            return False
    return True


class Pattern:
    """A compiled path pattern.

    :param text: the pattern, starting with ``/``.
    :raises ValueError: for a pattern that does not start with ``/``, an unknown
        converter, an invalid or repeated parameter name or an unbalanced ``<``.

    :ivar text: the pattern as given.
    :ivar names: the parameter names, in order.
    :ivar static: ``True`` when the pattern has no parameter.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_converters", "_regex", "names", "segments", "static", "tail", "text")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text.startswith("/"):
            raise ValueError(f"route pattern {text!r} must be a str starting with '/'")
        self.text = text
        seen: dict[str, Callable[[str], Any]] = {}
        #: (static text, None) or (source text, compiled piece) for each segment
        #: before the first ``path`` parameter.
        self.segments: list[tuple[str, Piece | None]] = []
        #: The compiled rest of the pattern from the segment holding a ``path``
        #: parameter on, or ``None``.
        self.tail: Piece | None = None
        sources: list[str] = []
        raw_segments = text[1:].split("/")
        for index, segment in enumerate(raw_segments):
            if re.search(r"<path:", segment):
                rest = "/".join(raw_segments[index:])
                source, tail = _compile_piece(rest, text, seen)
                self.tail = tail
                sources.append(source)
                break
            source, piece = _compile_piece(segment, text, seen)
            self.segments.append((segment, piece))
            sources.append(source)
        self._converters = seen
        self.names = tuple(seen)
        self.static = not seen
        self._regex = re.compile("/" + "/".join(sources), re.DOTALL)

    def match(self, path: str) -> dict[str, Any] | None:
        """Return the converted parameters if ``path`` matches, else ``None``."""
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        try:
            return {name: convert(found[name]) for name, convert in self._converters.items()}
        except ValueError:  # e.g. an int too long to convert
            return None

    def __repr__(self) -> str:
        return f"<Pattern {self.text!r}>"
