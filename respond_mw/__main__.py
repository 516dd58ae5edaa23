"""``python -m respond_mw serve MODULE:APP``: the ``respond-mw`` command.

See :mod:`respond_mw.cli`.
"""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main(prog="python -m respond_mw"))
