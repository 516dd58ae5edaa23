"""The documentation: it builds warning-free, and every example in it runs.

* Every Python example of the docs is a file under ``docs/examples/``, pulled into the
  pages with ``literalinclude``, with its own assertions (a page may leave out the part
  after a ``# checks`` line).
  Each file is executed here; an example that stops working fails the suite.
* The docs are built with Sphinx, warnings as errors (``-W --keep-going``, nitpicky), into
  a temporary directory. The built site is then checked: every name of
  ``respond_mw.__all__`` is documented in the API reference, every example file is shown
  somewhere, and no page shows Python code that does not come from an executed file.
* The Python blocks of ``README.md`` are executed too.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webob import Request
from webtest import TestApp

import respond_mw
from respond_mw.egress import finish

from .wsgi_support import open_wsgi

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.py"))


# ------------------------------------------------------------------------ examples


def run_as_module(code: str, filename: str, name: str) -> dict[str, Any]:
    """Run ``code`` as the module ``name`` (not ``__main__``: no server starts).

    The module is in :data:`sys.modules` while it runs, as an imported module would be
    (Pyramid's configurator looks its caller up there).
    """
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        exec(compile(code, filename, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module.__dict__


def run_example(path: Path) -> dict[str, Any]:
    return run_as_module(path.read_text(), str(path), f"docs_example_{path.stem}")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_example_runs(path: Path) -> None:
    run_example(path)


def test_examples_have_checks() -> None:
    """Each example asserts what it shows (inline, or below a ``# checks`` line)."""
    missing = [p.name for p in EXAMPLE_FILES if "assert " not in p.read_text()]
    assert not missing, f"examples that check nothing: {missing}"


# ---------------------------------------------------------------------- the build


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the HTML docs with warnings as errors; return the build directory."""
    out = tmp_path_factory.mktemp("docs")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-n",
        "-q",
        "-b",
        "html",
        "-d",
        str(out / "doctrees"),
        str(DOCS),
        str(out / "html"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, f"the docs build failed:\n{result.stderr}{result.stdout}"
    assert "WARNING" not in result.stderr, result.stderr
    return out


def _doctrees(built: Path) -> Iterator[tuple[str, Any]]:
    for path in sorted((built / "doctrees").rglob("*.doctree")):
        name = path.relative_to(built / "doctrees").with_suffix("").as_posix()
        with path.open("rb") as file:
            yield name, pickle.load(file)


def _documented_objects(built: Path) -> set[str]:
    from sphinx.util.inventory import InventoryFile

    with (built / "html" / "objects.inv").open("rb") as file:
        inventory = InventoryFile.load(file, "", lambda base, uri: uri)
    names: set[str] = set()
    for role, entries in inventory.items():
        if role.startswith("py:"):
            names.update(entries)
    return names


def test_docs_build_warning_free(built_docs: Path) -> None:
    assert (built_docs / "html" / "index.html").is_file()
    assert (built_docs / "html" / "api.html").is_file()


@pytest.mark.parametrize("name", respond_mw.__all__)
def test_public_name_in_api_reference(built_docs: Path, name: str) -> None:
    documented = _documented_objects(built_docs)
    assert f"respond_mw.{name}" in documented, (
        f"respond_mw.{name} is in respond_mw.__all__ but not in the API reference: "
        "add it to docs/api.rst"
    )
    api = (built_docs / "html" / "api.html").read_text()
    assert f'id="respond_mw.{name}"' in api


def test_every_example_is_shown(built_docs: Path) -> None:
    shown: set[str] = set()
    for _, doctree in _doctrees(built_docs):
        for node in doctree.findall(_literal_block()):
            source = node.get("source")
            if source:
                shown.add(Path(source).name)
    unshown = sorted({p.name for p in EXAMPLE_FILES} - shown)
    assert not unshown, f"example files no page includes: {unshown}"


def _literal_block() -> type:
    from docutils import nodes

    return nodes.literal_block


# Languages of literal blocks that are not Python code to execute.
NOT_PYTHON = {"console", "shell", "bash", "text", "none", "ini", "nginx", "toml"}


def test_no_unexecuted_python_in_pages(built_docs: Path) -> None:
    """Python shown in a page comes from ``docs/examples`` (executed above).

    Other blocks must say what they are (``console``, ``text``, ...). Blocks of the
    modules' docstrings, shown by autodoc, are the modules' own and are not checked here.
    """
    offending = []
    for name, doctree in _doctrees(built_docs):
        for node in doctree.findall(_literal_block()):
            source = node.get("source") or ""
            if source and Path(source).parent == EXAMPLES:
                continue
            if ":docstring of " in (node.source or ""):
                continue
            if node.get("language") in NOT_PYTHON:
                continue
            offending.append(f"{name}: {node.astext()[:60]!r}")
    assert not offending, "Python blocks that are not executed examples:\n" + "\n".join(offending)


# ----------------------------------------------------------------------- README


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```python\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


def test_readme_has_python_examples() -> None:
    assert len(_readme_blocks()) >= 1


def _run_readme_block(index: int) -> dict[str, Any]:
    return run_as_module(_readme_blocks()[index], f"README.md[{index}]", f"readme_{index}")


@pytest.mark.parametrize("index", range(len(_readme_blocks())))
def test_readme_example_runs(index: int) -> None:
    _run_readme_block(index)


def _readme_block_defining(name: str) -> dict[str, Any]:
    for index, code in enumerate(_readme_blocks()):
        if re.search(rf"^{name} = ", code, re.MULTILINE):
            return _run_readme_block(index)
    raise AssertionError(f"no README example defines {name}")


def test_readme_ten_lines_behave_as_shown() -> None:
    namespace = _run_readme_block(0)
    client = TestApp(namespace["hello"])
    resp = client.get("/?name=Ada")
    assert resp.text == "<h1>Hello, Ada!</h1>"
    assert resp.headers["X-Greeting"] == "yes"
    assert client.get("/?name=teapot", status=418).json == {"error": "I'm a teapot"}


# ------------------------------------------------- "Differences from Flask", checked


@pytest.fixture
def flask_make_response() -> Iterator[Any]:
    flask = pytest.importorskip("flask")
    app = flask.Flask("docs_differences")
    with app.test_request_context():
        yield flask.make_response


def _refused(*args: Any) -> str:
    with pytest.raises((TypeError, ValueError)) as info:
        respond_mw.make_response(*args)
    return str(info.value)


def test_flask_unpacks_namedtuples_we_refuse(flask_make_response: Any) -> None:
    import collections

    row = collections.namedtuple("row", "body status")("x", 404)
    assert flask_make_response(row).status_code == 404
    assert "Tuple subclasses (namedtuples, rows) are not unpacked" in _refused(row)


def test_flask_drops_cookies_we_add_them(flask_make_response: Any) -> None:
    theirs = flask_make_response("x")
    theirs.set_cookie("a", "1")
    assert flask_make_response(theirs, {"Set-Cookie": "b=2"}).headers.getlist("Set-Cookie") == [
        "b=2"
    ]
    ours = respond_mw.make_response("x")
    ours.set_cookie("a", "1")
    merged = respond_mw.make_response(ours, {"Set-Cookie": "b=2"})
    assert merged.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2"]


def test_json_order_compact_no_newline(flask_make_response: Any) -> None:
    import flask

    assert flask_make_response({"b": 1, "a": 2}).get_data() == b'{"a":2,"b":1}\n'
    flask.current_app.debug = True
    assert flask_make_response({"b": 1}).get_data() == b'{\n  "b": 1\n}\n'
    assert respond_mw.make_response({"b": 1, "a": 2}).body == b'{"b":1,"a":2}'


def test_json_nan_and_dates(flask_make_response: Any) -> None:
    import datetime

    when = datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert flask_make_response({"a": float("nan")}).get_data() == b'{"a":NaN}\n'
    assert b"Tue, 02 Jan 2024 03:04:05 GMT" in flask_make_response({"d": when}).get_data()
    assert "NaN and Infinity are not valid JSON" in _refused({"a": float("nan")})
    assert respond_mw.make_response({"d": when}).body == b'{"d":"2024-01-02T03:04:05"}'


@pytest.mark.parametrize(
    ("status", "flask_status"),
    [(999, "999 UNKNOWN"), (0, "0 UNKNOWN"), (True, "1 UNKNOWN"), (b"404 X", TypeError)],
    ids=["999", "0", "bool", "bytes"],
)
def test_statuses_flask_accepts_we_refuse(
    flask_make_response: Any, status: Any, flask_status: Any
) -> None:
    if flask_status is TypeError:
        with pytest.raises(TypeError, match="bytes-like object is required"):
            flask_make_response("x", status)
    else:
        assert flask_make_response("x", status).status == flask_status
    with pytest.raises(ValueError):
        respond_mw.make_response("x", status)


def test_reason_phrases(flask_make_response: Any) -> None:
    assert flask_make_response("x", "404 Bad\r\nX: y").status == "404 Bad\r\nX: y"
    assert "control or non latin-1 characters" in _refused("x", "404 Bad\r\nX: y")
    assert flask_make_response("x", 404).status == "404 NOT FOUND"
    assert respond_mw.make_response("x", 404).status == "404 Not Found"


@pytest.mark.parametrize(
    ("headers", "flask_sends"),
    [
        ({"Connection": "close"}, ("Connection", "close")),
        ({"Transfer-Encoding": "chunked"}, ("Transfer-Encoding", "chunked")),
        ({"X-Tag": None}, ("X-Tag", "None")),
        ({"X-Tag": b"v"}, ("X-Tag", "b'v'")),
    ],
    ids=["connection", "transfer-encoding", "none", "bytes"],
)
def test_headers_flask_sends_we_refuse(
    flask_make_response: Any, headers: dict[str, Any], flask_sends: tuple[str, str]
) -> None:
    assert flask_sends in flask_make_response("x", headers).headers.to_wsgi_list()
    with pytest.raises(ValueError):
        respond_mw.make_response("x", headers)


def test_content_length(flask_make_response: Any) -> None:
    theirs = flask_make_response("x", {"Content-Length": "7"})
    assert theirs.headers.getlist("Content-Length") == ["1"]
    ours = respond_mw.make_response("x", {"Content-Length": "7"})  # checked where it leaves
    with pytest.raises(ValueError, match=r"Content-Length \(7\) disagrees with its body"):
        finish(ours, Request.blank("/").environ, "view tests.content_length")


def test_charset_spelling(flask_make_response: Any) -> None:
    assert flask_make_response("x").headers["Content-Type"] == "text/html; charset=utf-8"
    assert respond_mw.make_response("x").headers["Content-Type"] == "text/html; charset=UTF-8"


# --------------------------------------------------------------- the quickstart


@pytest.mark.functional
def test_quickstart_app_on_waitress() -> None:
    import urllib.error
    import urllib.request

    from tests.server import serve

    app = run_example(EXAMPLES / "quickstart_hello.py")["app"]
    with serve(app) as url:
        with urllib.request.urlopen(f"{url}/?name=Ada") as resp:
            assert resp.read() == b"<h1>Hello, Ada!</h1>"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{url}/?name=4da")
        assert info.value.code == 400
        assert info.value.read() == b'{"error":"a name is made of letters"}'
        info.value.close()


def test_readme_middleware_behaves_as_shown() -> None:
    client = TestApp(_readme_block_defining("mw")["mw"])
    assert client.get("/hello/ada").json == {"hello": "ada"}
    resp = client.get("/legacy/page", status=404)  # the legacy app's 404, custom page
    assert resp.text == "<h1>Nothing here</h1>"
    assert resp.headers["X-Something"] == "A value"


def test_readme_integrations_behave_as_shown() -> None:
    namespace = _readme_block_defining("bottle_app")
    TestApp(namespace["pyramid_app"]).get("/", status=404)
    TestApp(namespace["bottle_app"]).get("/", status=404)


@pytest.mark.parametrize("name", respond_mw.__all__)
def test_public_docstring_style(name: str) -> None:
    """Every public name has a docstring that says since when it exists."""
    doc = getattr(respond_mw, name).__doc__ or ""
    assert doc.strip(), f"respond_mw.{name} has no docstring"
    assert ".. versionadded:: 0.1.0" in doc, f"respond_mw.{name} lacks '.. versionadded::'"


def test_flask_streams_need_stream_with_context_ours_do_not() -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask("docs_streams")

    @app.route("/")
    def stream() -> Any:
        def body() -> Iterator[str]:
            yield flask.request.path

        return body()

    with pytest.raises(RuntimeError, match="request context"):
        app.test_client().get("/")

    @respond_mw.view
    def ours() -> Any:
        def body() -> Iterator[str]:
            yield respond_mw.current_request().path

        return body()

    assert TestApp(ours).get("/here").text == "/here"


def test_flask_does_not_check_chunks_we_name_the_view() -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask("docs_chunks")

    @app.route("/")
    def stream() -> Any:
        return iter(["a", 1])

    resp = app.test_client().get("/")
    assert resp.status == "200 OK"
    with pytest.raises(TypeError) as theirs:
        resp.get_data()
    assert "stream" not in str(theirs.value)

    @respond_mw.view
    def ours() -> Any:
        return iter(["a", 1])

    _, body = open_wsgi(ours)
    assert next(iter(body)) == b"a"
    with pytest.raises(TypeError, match=r"view .*ours yielded int"):
        next(iter(body))
    body.close()


def test_readme_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split()[1] for line in section.splitlines() if line.startswith("$ ")]
    assert commands == ["scripts/demo", "scripts/test"]
    assert all((ROOT / command).is_file() for command in commands)


def test_every_test_a_page_cites_exists() -> None:
    """The guarantees name the tests that check them: each must be a real test."""
    cited = {
        match
        for page in DOCS.rglob("*.rst")
        for match in re.findall(r"``(tests/[\w/]+\.py)::(\w+)``", page.read_text())
    }
    assert len(cited) > 20
    missing = [
        f"{path}::{name}"
        for path, name in sorted(cited)
        if not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []
