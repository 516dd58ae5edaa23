# Sourced by the scripts: create .venv (if needed) and install the project into it.
# Usage: EXTRAS=dev source scripts/_venv.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "respond_mw needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
STAMP=".venv/.installed-${EXTRAS:-base}"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ -n "${EXTRAS:-}" ]; then
        .venv/bin/python -m pip install --quiet -e ".[${EXTRAS}]"
    else
        .venv/bin/python -m pip install --quiet -e .
    fi
    touch "$STAMP"
fi
