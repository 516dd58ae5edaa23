"""Integrations of the rules with WSGI frameworks.

* :mod:`respond_mw.integrations.pyramid` -- ``config.include("respond_mw.integrations.pyramid")``
* :mod:`respond_mw.integrations.bottle` -- ``app.install(RespondPlugin())``

Each integration only adapts the edges (how a view is called, how the resulting
:class:`webob.Response` is handed back to the framework); the rules themselves are
:func:`respond_mw.rules.coerce`.
"""
