"""Sphinx configuration of the respond_mw documentation.

Build it (warnings are errors) with::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

The test suite runs this build (``tests/test_docs.py``) and executes every example
under ``docs/examples/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import respond_mw  # noqa: E402

project = "respond_mw"
author = "the respond_mw authors"
copyright = "the respond_mw authors"
release = respond_mw.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

# No network: intersphinx is off, so references to other projects' objects stay plain
# text. References to respond_mw's own objects must resolve (nitpicky).
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(webob|_typeshed|pyramid|bottle|waitress|webtest|flask)(\..*)?"),
    (r"py:.*", r"(typing|collections|contextvars|http|json|datetime|decimal|uuid|enum)\..*"),
    (r"py:.*", r"(pathlib|asyncio|io|os|re|logging|inspect|types|email|mimetypes)\..*"),
    (r"py:.*", r"(Any|Callable|Iterable|Iterator|Mapping|NoReturn|Context|Request|Response)"),
    (r"py:.*", r"(str|bytes|int|bool|float|dict|list|tuple|type|object|None|BaseException)"),
    (r"py:.*", r"(TypeError|ValueError|RuntimeError|Exception)"),
    (r"py:.*", r"(WSGIEnvironment|StartResponse|WSGIApplication|OptExcInfo|Parts|Plan|Found)"),
    (r"py:class", r"respond_mw(\.\w+)+\.[A-Z]"),  # type variables
    (r"py:mod", r"(?!respond_mw).*"),  # other projects' modules
]
# Names that docstrings already refer to while the feature is still being written.
for _name in ("Middleware",):
    if not hasattr(respond_mw, _name):
        nitpick_ignore_regex.append((r"py:.*", rf"respond_mw\.{_name}"))

# The aliases of respond_mw.typing, shown by name in signatures and linked.
autodoc_type_aliases = {
    name: f"respond_mw.typing.{name}"
    for name in (
        "ResponseValue",
        "StatusValue",
        "HeaderValue",
        "HeadersValue",
        "ResponseReturnValue",
    )
}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True

exclude_patterns = ["_build", "examples"]
templates_path: list[str] = []

html_theme = "furo"
html_title = f"respond_mw {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
# Code colours readable on furo's light and dark themes (furo reads the dark one).
pygments_style = "friendly"
pygments_dark_style = "monokai"
