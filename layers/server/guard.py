"""Input checks for callbacks: every callback is an open HTTP endpoint, so its arguments are untrusted.

Each validator returns the clean value or raises ``BadInput`` with a message an analyst can read. Wrap a
callback in ``guarded`` so that bad input answers "no update" (HTTP 204) instead of an error:

    @callback(Output(...), Input(SLIDER_ID, "value"))
    @guarded
    def show_date(day):
        day = guard.day_index(day, span)
        ...

Standard library only: the domain core and the command line may use these too.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Sequence

__all__ = [
    "BadInput",
    "bounds",
    "center",
    "day_index",
    "guarded",
    "iso_date",
    "json_depth",
    "number",
    "one_of",
    "short_text",
    "slug",
]

log = logging.getLogger(__name__)

MAX_TEXT = 300
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?")
# Bidi overrides/embeddings and isolates: they can make text read differently from what is stored.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


class BadInput(ValueError):
    """A value a callback cannot use; the message says why."""


def number(value, *, lo: float = -math.inf, hi: float = math.inf, name: str = "value") -> float:
    """A finite real number within [lo, hi] (bools and numeric strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{name} must be a number, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadInput(f"{name} must be finite")
    if not lo <= value <= hi:
        raise BadInput(f"{name} must be between {lo:g} and {hi:g}")
    return float(value)


def day_index(value, span: int) -> int:
    """A slider position: a whole number of days in [0, span]."""
    v = number(value, lo=0, hi=span, name="day")
    if v != int(v):
        raise BadInput("day must be a whole number")
    return int(v)


def iso_date(value, start: dt.date | None = None, end: dt.date | None = None, *, name: str = "date") -> dt.date:
    """A ``YYYY-MM-DD`` date, within [start, end] when given."""
    if not isinstance(value, str) or len(value) != 10:
        raise BadInput(f"{name} must be a date written YYYY-MM-DD")
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{name} must be a date written YYYY-MM-DD") from None
    if (start and d < start) or (end and d > end):
        raise BadInput(f"{name} must be between {start} and {end}")
    return d


def bounds(value) -> list[float]:
    """Map bounds ``[west, south, east, north]`` in degrees: four finite numbers, west < east, south < north."""
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise BadInput("bounds must be [west, south, east, north]")
    w, s, e, n = (number(v, lo=-180, hi=180, name="bounds") for v in value)
    if not (-90 <= s < n <= 90 and w < e):
        raise BadInput("bounds must be [west, south, east, north] with west < east and south < north")
    return [w, s, e, n]


def center(value) -> list[float]:
    """A map centre ``[lat, lon]`` in degrees."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise BadInput("center must be [lat, lon]")
    return [number(value[0], lo=-90, hi=90, name="latitude"), number(value[1], lo=-180, hi=180, name="longitude")]


def short_text(value, max_len: int = MAX_TEXT, *, name: str = "text", required: bool = False) -> str | None:
    """Plain text of at most ``max_len`` characters, NFC-normalised, without control or bidi-override
    characters; ``None`` or blank gives ``None`` unless ``required``. Stored and shown as text, never HTML."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise BadInput(f"{name} must be text")
    if len(value) > 4 * max_len:  # refuse before normalising a huge string
        raise BadInput(f"{name} is longer than {max_len} characters")
    text = unicodedata.normalize("NFC", value).translate(_BIDI_CONTROLS)
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    if len(text) > max_len:
        raise BadInput(f"{name} is longer than {max_len} characters")
    return text


def slug(value, *, name: str = "id") -> str:
    """A lower-case identifier: letters, digits, ``-`` and ``_``, at most 64 characters."""
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise BadInput(f"{name} must be a short lower-case identifier")
    return value


def json_depth(value, limit: int = 32) -> int:
    """Nesting depth of a JSON value; raises ``BadInput`` past ``limit`` (without recursing that deep)."""
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > limit:
            raise BadInput(f"value nested deeper than {limit} levels")
        nxt = []
        for v in level:
            if isinstance(v, dict):
                nxt.extend(v.values())
            elif isinstance(v, list):
                nxt.extend(v)
        level = nxt
    return depth


def guarded(fn: Callable) -> Callable:
    """Make a callback answer "no update" when a validator refuses its input, and log why."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BadInput as exc:
            from dash.exceptions import PreventUpdate

            log.warning("%s: refused input: %s", fn.__name__, exc)
            raise PreventUpdate from None

    return wrapper


def one_of(value, allowed: Sequence[str], *, name: str = "value") -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in allowed:
        raise BadInput(f"{name} must be one of {', '.join(allowed)}")
    return value
