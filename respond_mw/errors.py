"""Turning exceptions into responses.

A raised :class:`webob.Response` (``webob.exc`` and Pyramid HTTP exceptions are
both) is that response. A :class:`webob.exc.HTTPException` that is not a response
answers with its ``wsgi_response``. Anything else is a bug in the application: it is
logged on the ``respond_mw`` logger with its traceback and answered with a generic
``500 Internal Server Error`` page that reveals nothing -- unless ``debug`` is on,
where the page carries the (escaped) traceback.

Default error pages come from :mod:`webob.exc`: negotiated by ``Accept`` (HTML, JSON
or plain text) with any detail escaped.
"""

from __future__ import annotations

import traceback
from logging import getLogger

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


def internal_error(error: BaseException, where: str, debug: bool = False) -> Response:
    """Log ``error`` (raised by ``where``) and return a generic 500 response.

    With ``debug`` the page includes the traceback; otherwise it says nothing about
    the error.
    """
    log.error("Exception in %s", where, exc_info=error)
    if debug:
        text = "".join(traceback.format_exception(error))
        return webob_exc.HTTPInternalServerError(detail=f"{where} raised:\n{text}")
    return webob_exc.HTTPInternalServerError()
