"""Callback-body checks: every callback is an open HTTP endpoint, so its arguments are untrusted.

The checks themselves are ``layers/core/validate.py`` (each returns the clean value or raises ``BadInput``).
Wrap a callback in ``guarded`` so that bad input answers "no update" (HTTP 204) instead of an error:

    @callback(Output(...), Input(SLIDER_ID, "value"))
    @guarded
    def show_date(day):
        day = validate.day_index(day, span)
        ...
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from dash.exceptions import PreventUpdate

from layers.core.validate import BadInput

__all__ = ["guarded"]

log = logging.getLogger(__name__)


def guarded(fn: Callable) -> Callable:
    """Make a callback answer "no update" when a validator refuses its input, and log why."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BadInput as exc:
            log.warning("%s: refused input: %s", fn.__name__, exc)
            raise PreventUpdate from None

    return wrapper
