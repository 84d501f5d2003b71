"""One definition of each input rule: slugs, plain text (no control or bidi-control characters), spreadsheet
formula prefixes, numbers, dates, map views.

Each check returns the clean value or raises ``BadInput`` (a ValueError) with a message an analyst can read.
The callbacks (through ``layers/server/guard.py``), the saved briefings and the exports use them; the
importers use the same slug grammar, formula prefixes and bidi controls. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "BIDI_CONTROLS",
    "FORMULA_START",
    "ROLES",
    "SLUG",
    "BadInput",
    "bounds",
    "center",
    "day_index",
    "integer",
    "iso_date",
    "json_depth",
    "number",
    "one_of",
    "short_text",
    "slug",
]

MAX_TEXT = 300
# A slug names a theatre (its folder), a layer or a briefing's theatre: 1-63 lower-case ASCII letters, digits
# and inner hyphens. Use with fullmatch.
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
SLUG_RULE = "1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen"
# A cell starting with one of these is a formula to a spreadsheet: exports and imports neutralise or flag it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Bidi overrides/embeddings and isolates: they can make text read differently from what is stored.
ROLES = ("viewer", "editor", "admin")  # the login's roles, least to most allowed
DEFAULT_ROLE = "editor"  # a users-file line without a role (the format before roles)
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


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


def integer(value, *, lo: int, hi: int, name: str = "value") -> int:
    """A whole number within [lo, hi]: an int, or a string of ASCII digits; floats (``1.9``, even ``1.0``),
    bools and anything else are refused, never rounded."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number")
    if not lo <= value <= hi:
        raise BadInput(f"{name} must be between {lo} and {hi}")
    return value


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
    text = BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", value))
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    if len(text) > max_len:
        raise BadInput(f"{name} is longer than {max_len} characters")
    return text


def slug(value, *, name: str = "id") -> str:
    """A slug (``SLUG``): 1-63 lower-case letters, digits or inner hyphens."""
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


def one_of(value, allowed: Sequence[str], *, name: str = "value") -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in allowed:
        raise BadInput(f"{name} must be one of {', '.join(allowed)}")
    return value
