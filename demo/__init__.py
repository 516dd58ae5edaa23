"""The respond_mw demo: one waitress-served site showing every stack.

Run it with ``python -m demo`` (or ``scripts/demo``) and open
http://127.0.0.1:8080/; ``--host`` and ``--port`` change the address. The site
(:mod:`demo.site`) mounts plain functions, a legacy WSGI app wrapped by
:class:`respond_mw.Middleware` (:mod:`demo.legacy`), a Pyramid app
(:mod:`demo.pyramid_app`) and a Bottle app (:mod:`demo.bottle_app`).
"""
