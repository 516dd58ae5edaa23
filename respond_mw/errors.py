"""Turning exceptions into responses.

A raised :class:`webob.Response` (``webob.exc`` and Pyramid HTTP exceptions are
both) is that response. A :class:`webob.exc.HTTPException` that is not a response
answers with its ``wsgi_response``. Anything else is a bug in the application: it is
logged on the ``respond_mw`` logger with its traceback and answered with a generic
``500 Internal Server Error`` page that reveals nothing -- unless ``debug`` is on,
where the page carries the traceback.

Default error pages come from :mod:`webob.exc`: negotiated by ``Accept`` (HTML, JSON
or plain text) with any detail escaped. The debug page is negotiated the same way:
HTML with the traceback escaped inside ``<pre>``, JSON with a ``"traceback"`` member,
or the traceback as it is in plain text.
"""

from __future__ import annotations

import html
import json
import traceback
from logging import getLogger
from typing import Any

from webob import Response
from webob import exc as webob_exc

__all__ = ["ResponseFailed", "internal_error", "response_from_exception"]

log = getLogger("respond_mw")


class ResponseFailed(Exception):
    """An error raised while a response was made of a return value (one no rule
    accepts) or finished by an ``after_request`` hook, carried to the error handlers
    of a :class:`~respond_mw.Middleware` as ``error``.

    As in Flask, such an error is a server error: it is answered by the handler for
    ``500`` (which receives it as ``original_exception``), never by a handler for its
    own class.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def response_from_exception(error: BaseException) -> Response | None:
    """Return the response an exception stands for, or ``None`` for a plain error."""
    if isinstance(error, Response):
        return error
    if isinstance(error, webob_exc.HTTPException):
        response = error.wsgi_response
        if isinstance(response, Response):
            return response
    return None


class _DebugPage(webob_exc.HTTPInternalServerError):
    """The ``500`` page of debug mode: ``detail`` is the traceback, in the
    representation :mod:`webob.exc` picks by ``Accept`` for its own pages (its
    ``generate_response``), each written so that the traceback survives it: WebOb's
    plain text would strip what looks like a tag and join the lines, its HTML would
    run them into one paragraph."""

    def html_body(self, environ: dict[str, Any]) -> str:
        body = f"{html.escape(self.explanation)}\n<pre>{html.escape(self.detail or '')}</pre>"
        page: str = self.html_template_obj.substitute(status=self.status, body=body)
        return page

    def plain_body(self, environ: dict[str, Any]) -> str:
        body = f"{self.explanation}\n\n{self.detail}"
        page: str = self.plain_template_obj.substitute(
            status=self.status, title=self.title, body=body
        )
        return page

    def json_body(self, environ: dict[str, Any]) -> str:
        document = self.json_formatter(
            body=self.explanation, status=self.status, title=self.title, environ=environ
        )
        document["traceback"] = self.detail
        return json.dumps(document)


def internal_error(error: BaseException, where: str, debug: bool = False) -> Response:
    """Log ``error`` (raised by ``where``) and return a generic 500 response.

    With ``debug`` the page includes the traceback, negotiated by ``Accept`` as the
    default pages are: HTML (escaped, inside ``<pre>``), JSON (``"traceback"``) or
    plain text. Otherwise it says nothing about the error.
    """
    log.error("Exception in %s", where, exc_info=error)
    if debug:
        text = "".join(traceback.format_exception(error))
        page: Response = _DebugPage(detail=f"{where} raised:\n{text}")
        return page
    return webob_exc.HTTPInternalServerError()
