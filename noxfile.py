"""The test matrix: CPython 3.11, 3.12 and 3.13; the lowest versions pyproject.toml allows;
without orjson.

    .venv/bin/nox                  # every session (what .ci/run runs after scripts/test)
    .venv/bin/nox -s tests-3.13    # one session; `.venv/bin/nox -l` lists them

Each session installs the package with its extras into a new virtual environment under
``.nox/`` and runs ``pytest -m "not slow"`` (no coverage: ``scripts/test`` measures it).
A session whose interpreter is not installed is skipped and says so, in CI too. The
interpreters pyenv installed are found whether or not pyenv selects them. Environments
are made with uv when it is there (the ``dev`` extra installs it), else virtualenv.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
EXTRAS = ".[test,docs,orjson]"
PYTEST = ["-m", "not slow", "-q", "-p", "no:cacheprovider"]
# Printed by the "lowest" session: the versions it tests.
SHOW_VERSIONS = """
from importlib.metadata import version
names = "webob waitress orjson pyramid bottle setuptools pytest pytest-timeout webtest"
names += " hypothesis flask django gunicorn sphinx furo build twine"
print(", ".join(f"{name} {version(name)}" for name in names.split()))
"""

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = False  # nox's default is True when CI is set
nox.options.download_python = "never"  # a missing interpreter is skipped, not fetched
nox.options.sessions = ["tests", "lowest", "no_orjson"]

_pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
_bins = sorted(str(path) for path in _pyenv.glob("*/bin"))
os.environ["PATH"] = os.pathsep.join([*_bins, os.environ.get("PATH", "")])


def _pytest(session: nox.Session) -> None:
    session.run("python", "-m", "pytest", *PYTEST, *session.posargs)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite with the newest versions pyproject.toml allows."""
    session.install(EXTRAS)
    _pytest(session)


@nox.session(python=PYTHONS[0])
def lowest(session: nox.Session) -> None:
    """The suite with the lowest version of every requirement pyproject.toml states.

    uv's ``lowest-direct`` resolution takes each requirement of the package and its extras
    at its floor (webob, waitress, orjson, pyramid, bottle, the test tools, ...); what they
    depend on in turn is the newest that fits. A floor that does not work is raised in
    pyproject.toml.
    """
    if session.venv_backend != "uv":
        session.skip("the lowest versions are resolved by uv: pip install uv")
    session.install("--resolution=lowest-direct", EXTRAS)
    session.run("python", "-c", SHOW_VERSIONS)
    _pytest(session)


@nox.session(python=PYTHONS[0])
def no_orjson(session: nox.Session) -> None:
    """The suite without orjson: JSON falls back to the standard library."""
    session.install(".[test,docs]")
    session.run("python", "-c", "import importlib.util as u; assert not u.find_spec('orjson')")
    _pytest(session)
