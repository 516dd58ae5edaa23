"""The artefacts: what the sdist and the wheel carry, their metadata, ``twine check``.

* The sdist carries the package and everything its test suite needs -- the tests with
  their support modules, the docs and their examples, the demo, the benchmarks, the
  scripts -- so that ``pip install '.[test,docs,orjson]'`` then ``pytest`` in the unpacked
  sdist runs the suite. The wheel carries the package only, ``py.typed`` included.
* Both carry the licence; the metadata states it as a licence expression (PEP 639).
* They are built as ``python -m build`` builds them (the wheel from the sdist), without
  isolation (setuptools, build and twine come with the ``test`` extra), from a copy of
  the source tree into which stray files were put -- byte code, a virtual environment, a
  docs build, a coverage file: none may be shipped. The build prints no deprecation.
"""

from __future__ import annotations

import email
import email.message
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"

# What the sdist ships besides what setuptools generates (PKG-INFO, setup.cfg, egg-info).
SHIPPED_FILES = {"LICENSE", "MANIFEST.in", "README.md", "noxfile.py", "pyproject.toml"}
SHIPPED_DIRS = {"respond_mw", "tests", "docs", "demo", "benchmarks", "scripts"}
GENERATED = {"PKG-INFO", "setup.cfg"}

# Left out of the copy of the tree: not sources, and some of them large.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".nox",
    "*_cache",
    ".hypothesis",
    "__pycache__",
    "*.py[cod]",
    "build",
    "dist",
    "*.egg-info",
    "_build",
    "htmlcov",
    ".coverage*",
)

# Put into the copy; none of them may be in an artefact.
STRAYS = [
    "respond_mw/__pycache__/views.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311.pyc",
    "respond_mw/middleware/__pycache__/app.cpython-311.pyc",
    "docs/_build/html/index.html",
    ".venv/bin/python",
    ".nox/tests-3-12/bin/python",
    ".coverage",
    ".hypothesis/examples/x",
]


@dataclass
class Built:
    source: Path
    sdist: Path
    wheel: Path
    output: str


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES, symlinks=True)
    for stray in STRAYS:
        (source / stray).parent.mkdir(parents=True, exist_ok=True)
        (source / stray).write_bytes(b"stray")
    out = base / "dist"
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), "."]
    result = subprocess.run(
        command, cwd=source, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the build failed:\n{output}"
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Built(source, sdist, wheel, output)


def _sdist_names(built: Built) -> set[str]:
    prefix = f"respond_mw-{VERSION}/"
    with tarfile.open(built.sdist) as archive:
        names = {m.name for m in archive.getmembers() if m.isfile()}
    assert all(name.startswith(prefix) for name in names)
    return {name.removeprefix(prefix) for name in names}


def _wheel_names(built: Built) -> set[str]:
    with zipfile.ZipFile(built.wheel) as archive:
        return set(archive.namelist())


def _metadata(built: Built) -> email.message.Message:
    with zipfile.ZipFile(built.wheel) as archive:
        text = archive.read(f"respond_mw-{VERSION}.dist-info/METADATA").decode()
    return email.message_from_string(text)


def test_artefact_names(built: Built) -> None:
    assert built.sdist.name == f"respond_mw-{VERSION}.tar.gz"
    assert built.wheel.name == f"respond_mw-{VERSION}-py3-none-any.whl"


def test_build_prints_no_deprecation(built: Built) -> None:
    lines = built.output.lower().splitlines()
    assert [line for line in lines if "deprecat" in line] == []
    assert [line for line in lines if "warn" in line and "licen" in line] == []


def test_sdist_ships_the_sources_and_what_the_tests_need(built: Built) -> None:
    shipped = _sdist_names(built)
    sources = {
        name
        for name in _files(built.source)
        if name in SHIPPED_FILES or name.split("/", 1)[0] in SHIPPED_DIRS
    } - set(STRAYS)
    assert sources - shipped == set(), "files the sdist leaves out"
    extra = {
        name
        for name in shipped - sources
        if name not in GENERATED and not name.startswith("respond_mw.egg-info/")
    }
    assert extra == set(), "files the sdist should not ship"


@pytest.mark.parametrize(
    "name",
    [
        "LICENSE",
        "noxfile.py",
        "respond_mw/py.typed",
        "respond_mw/middleware/app.py",
        "respond_mw/integrations/pyramid.py",
        "tests/conftest.py",
        "tests/server.py",
        "tests/type_check/typing_views.py",
        "docs/conf.py",
        "docs/examples/index_hello.py",
        "demo/__main__.py",
        "benchmarks/inprocess.py",
        "scripts/test",
        "scripts/soak.py",
    ],
)
def test_sdist_ships(built: Built, name: str) -> None:
    assert name in _sdist_names(built)


def test_sdist_ships_no_strays(built: Built) -> None:
    shipped = _sdist_names(built)
    assert not [n for n in shipped if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    assert not [n for n in shipped if n.split("/", 1)[0] in {".venv", ".nox", ".git"}]
    assert not [n for n in shipped if n.startswith(("docs/_build/", ".coverage", ".hyp"))]


def test_wheel_ships_the_package_only(built: Built) -> None:
    package = {
        name
        for name in _files(built.source / "respond_mw")
        if name.endswith(".py") or name == "py.typed"
    }
    names = _wheel_names(built)
    info = f"respond_mw-{VERSION}.dist-info/"
    assert {n.removeprefix("respond_mw/") for n in names if not n.startswith(info)} == package
    assert {"py.typed", "middleware/__init__.py", "integrations/bottle.py"} <= package
    assert {n.removeprefix(info) for n in names if n.startswith(info)} == {
        "METADATA",
        "WHEEL",
        "RECORD",
        "entry_points.txt",
        "top_level.txt",
        "licenses/LICENSE",
    }


def test_licence_in_both(built: Built) -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "respond_mw contributors" in licence
    with zipfile.ZipFile(built.wheel) as archive:
        in_wheel = archive.read(f"respond_mw-{VERSION}.dist-info/licenses/LICENSE").decode()
    with tarfile.open(built.sdist) as archive:
        member = archive.extractfile(f"respond_mw-{VERSION}/LICENSE")
        assert member is not None
        in_sdist = member.read().decode()
    assert in_wheel == in_sdist == licence


def test_metadata(built: Built) -> None:
    metadata = _metadata(built)
    assert metadata["Metadata-Version"] == "2.4"
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["License"] is None  # the expression replaces the free-text field
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639 forbids both
    assert metadata["Requires-Python"] == ">=3.11"
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"orjson", "reload", "test", "docs", "dev"} <= extras
    assert 'hupper>=1.12; extra == "reload"' in (metadata.get_all("Requires-Dist") or [])


def test_twine_check(built: Built) -> None:
    command = [sys.executable, "-m", "twine", "check", "--strict", str(built.sdist)]
    result = subprocess.run(
        [*command, str(built.wheel)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout
