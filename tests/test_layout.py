"""The layout docs/architecture.rst describes, checked on the source: module sizes,
the import direction (the egress and the rules never import an edge; the egress never
imports the rules), no import cycle, no private name used across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "respond_mw"
MODULES = sorted(PACKAGE.rglob("*.py"))
EDGES = ("respond_mw.views", "respond_mw.middleware", "respond_mw.integrations")


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """The respond_mw modules ``path`` imports at import time (not under
    ``TYPE_CHECKING``), each with the names it takes from it."""
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING: annotations only
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [alias.name for alias in node.names]
            if node.module is None:  # from . import x
                found.extend((f"{module}.{name}", []) for name in names)
            else:
                found.append((module, names))
    return found


GRAPH = {_name(path): [module for module, _ in _imports(path)] for path in MODULES}


def _closure(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for module in GRAPH.get(todo.pop(), []):
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return seen


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_500_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= 500


@pytest.mark.parametrize("layer", ["respond_mw.egress", "respond_mw.rules"])
def test_the_egress_and_the_rules_never_import_an_edge(layer: str) -> None:
    reached = _closure(layer)
    assert not [module for module in reached if module.startswith(EDGES)], reached


def test_the_egress_never_imports_the_rules() -> None:
    reached = _closure("respond_mw.egress")
    assert "respond_mw.rules" not in reached, sorted(reached)
    assert "respond_mw.egress" not in reached  # no cycle through it either


def test_there_is_no_import_cycle() -> None:
    cycles = [module for module in GRAPH if module in _closure(module)]
    assert cycles == []


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_private_name_is_imported_across_modules(path: Path) -> None:
    private = [
        (module, name)
        for module, names in _imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []
