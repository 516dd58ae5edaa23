"""respond_mw: plain functions return whatever is natural, any WSGI stack responds.

See :mod:`respond_mw.rules` for the rules.
"""

from __future__ import annotations

from . import aiorules  # noqa: F401 -- registers the rules of coroutines and async iterators
from .adapters import remove_response_adapter as remove_response_adapter
from .adapters import response_adapter as response_adapter
from .aio import use_shared_loop as use_shared_loop
from .bodies import lazy_stream as lazy_stream
from .callbacks import after_this_request as after_this_request
from .callbacks import call_on_close as call_on_close
from .callbacks import stream_with_context as stream_with_context
from .conditional import make_conditional as make_conditional
from .context import current_request as current_request
from .files import safe_join as safe_join
from .files import send_from_directory as send_from_directory
from .helpers import abort as abort
from .helpers import redirect as redirect
from .jsoncodec import jsonify as jsonify
from .middleware import Middleware as Middleware
from .rules import coerce as coerce
from .rules import make_response as make_response
from .streams import Comment as Comment
from .streams import Event as Event
from .streams import event_stream as event_stream
from .streams import ndjson as ndjson
from .views import View as View
from .views import view as view

__all__ = [
    "Comment",
    "Event",
    "Middleware",
    "View",
    "abort",
    "after_this_request",
    "call_on_close",
    "coerce",
    "current_request",
    "event_stream",
    "jsonify",
    "lazy_stream",
    "make_conditional",
    "make_response",
    "ndjson",
    "redirect",
    "remove_response_adapter",
    "response_adapter",
    "safe_join",
    "send_from_directory",
    "stream_with_context",
    "use_shared_loop",
    "view",
]

__version__ = "0.1.0"
