"""Checks a GIS analyst can trust, shared by the import command and the upload: the findings and budgets of one
import, strict bytes, text and JSON, text fields and links (the CRS in ``geocrs.py``, the geometry in
``geoshape.py``).

Every finding is a :class:`~layers.core.errors.Problem` naming the file, the feature or row, and what is wrong.
Findings are either **errors** (the input is rejected) or **warnings** (a flagged repair; the input is accepted).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlparse

from layers.core.dataset import MAX_FILE_BYTES, is_http_url
from layers.core.errors import Problem
from layers.core.validate import BIDI_CONTROLS, FORMULA_START

__all__ = [
    "MAX_ERRORS",
    "MAX_FEATURES",
    "MAX_JSON_DEPTH",
    "MAX_LISTED",
    "MAX_OVERLAP_PAIRS",
    "MAX_ROWS",
    "MAX_TEXT",
    "MAX_VERTICES",
    "MIN_OVERLAP_M2",
    "ErrorBudgetSpent",
    "Findings",
    "checked",
    "clean_text",
    "decode_text",
    "json_depth",
    "parse_json",
    "source_links",
    "too_many",
]

MAX_JSON_DEPTH = 64
MAX_FEATURES = 10_000  # snapshot polygons in all the files of one import (each becomes an override to derive)
MAX_VERTICES = 1_000_000  # positions in all the snapshot polygons of one import
MAX_ROWS = 250_000  # per table
MAX_TEXT = 2_000  # characters kept in one text field
MIN_OVERLAP_M2 = 1.0  # overlaps below this are floating-point seams along shared edges
MAX_OVERLAP_PAIRS = 200_000  # pairs of polygons of one import compared for overlaps (bounding boxes meet)
BAD_SCHEME = re.compile(r"(?i)\b(?:javascript|vbscript|data|file):\S*")
HTTP_URL = re.compile(r"(?i)\bhttps?://[^\s;,<>\"']+")
T = TypeVar("T")


MAX_LISTED = 50  # problems of one kind listed in full; the rest of that kind are counted
MAX_ERRORS = 1_000  # errors found before a check stops: the rest of the inputs is not read


class ErrorBudgetSpent(Exception):
    """Raised by :meth:`Findings.error` once MAX_ERRORS errors are found; :func:`checked` turns it into a note."""


class Findings:
    """Errors (reject) and warnings (flagged repairs) collected while reading inputs.

    Lists are capped: the first MAX_LISTED problems of each kind (by default, each file's problems), then one
    line counting the rest. After MAX_ERRORS errors the check stops (``ErrorBudgetSpent``), so a hostile input
    costs a bounded amount of work and answer.
    """

    def __init__(self) -> None:
        self._errors: list[Problem] = []
        self._warnings: list[Problem] = []
        self._unlisted: dict[tuple[str, str, str], int] = {}  # (errors|warnings, file, noun) -> count not listed
        self._listed: dict[tuple[str, str, str], int] = {}
        self.count = 0  # errors found, repeats included: compare before and after a check to see if it failed
        self.stopped = False
        self.features = 0  # snapshot features and positions read so far, against MAX_FEATURES and MAX_VERTICES
        self.vertices = 0

    def spend(self, file: str, features: int, vertices: int) -> bool:
        """Count a file's features and positions against the import's budgets; False (with an error) if over."""
        self.features += features
        self.vertices += vertices
        if self.features > MAX_FEATURES:
            self.error(file, "file", too_many("features"))
        elif self.vertices > MAX_VERTICES:
            self.error(file, "file", too_many("positions"))
        else:
            return True
        return False

    @property
    def errors(self) -> list[Problem]:
        return (
            self._errors
            + self._more("errors")
            + (
                [Problem("inputs", "check", f"stopped after {MAX_ERRORS:,} errors: the rest was not checked")]
                if self.stopped
                else []
            )
        )

    @property
    def warnings(self) -> list[Problem]:
        return self._warnings + self._more("warnings")

    def error(self, file: str, item: str, message: str, noun: str = "problems") -> None:
        """Record an error; ``noun`` names its kind in the count of unlisted ones (e.g. "overlaps")."""
        self.count += 1
        self._record("errors", self._errors, Problem(file, item, message), noun)
        if self.count >= MAX_ERRORS:
            self.stopped = True
            raise ErrorBudgetSpent

    def warn(self, file: str, item: str, message: str, noun: str = "warnings") -> None:
        self._record("warnings", self._warnings, Problem(file, item, message), noun)

    def _record(self, which: str, problems: list[Problem], problem: Problem, noun: str) -> None:
        if problem in problems[-50:]:  # a file-level problem is met again at every feature: record it once
            return
        key = (which, problem.file, noun)
        if self._listed.get(key, 0) < MAX_LISTED:
            self._listed[key] = self._listed.get(key, 0) + 1
            problems.append(problem)
        else:
            self._unlisted[key] = self._unlisted.get(key, 0) + 1

    def _more(self, which: str) -> list[Problem]:
        return [
            Problem(file, "more", f"... and {n:,} more {noun} (not listed)")
            for (kind, file, noun), n in self._unlisted.items()
            if kind == which
        ]


def too_many(what: str) -> str:
    """The error for an import over its feature or position budget."""
    limit = MAX_FEATURES if what == "features" else MAX_VERTICES
    return f"more than {limit:,} {what} in all the inputs together: the limit of one import" + (
        "; simplify the polygons" if what == "positions" else ""
    )


def checked(found: Findings, step: Callable[[], T], default: T) -> T:
    """``step()``, or ``default`` if it stopped because the error budget was spent (noted in ``found.errors``)."""
    try:
        return step()
    except ErrorBudgetSpent:
        return default


# ---------------------------------------------------------------------------------------------------------
# bytes, text and JSON


def decode_text(file: str, data: bytes, found: Findings, limit: int = MAX_FILE_BYTES) -> str | None:
    """UTF-8 text (a byte-order mark is allowed, at most ``limit`` bytes), or None with an error naming the first
    bad byte."""
    if len(data) > limit:
        found.error(file, "file", f"larger than {limit // 2**20} MiB")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found.error(file, "file", f"not UTF-8 text: byte 0x{data[exc.start]:02x} at position {exc.start}")
        return None
    if "\x00" in text:
        found.error(file, "file", "contains NUL bytes: not a text file")
        return None
    return text


def parse_json(file: str, data: bytes, found: Findings, features: bool = False) -> Any:
    """Strict JSON: UTF-8, nesting at most MAX_JSON_DEPTH, no NaN/Infinity, no duplicate keys.

    With ``features``, GeoJSON Features and numbers are counted while parsing, against what is left of the
    import's feature and position budgets: an oversized file stops being parsed there, not after.
    """
    text = decode_text(file, data, found)
    if text is None:
        return None
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        found.error(file, "file", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return None
    counter = _ParseCounter(MAX_FEATURES - found.features, 3 * (MAX_VERTICES - found.vertices)) if features else None
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=counter.float if counter else _finite_float,
            parse_int=counter.int if counter else None,
            object_pairs_hook=counter.object if counter else _unique_keys,
        )
    except _OverBudget as exc:
        found.error(file, "file", str(exc))
    except json.JSONDecodeError as exc:
        found.error(file, "file", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        found.error(file, "file", f"not valid JSON: {exc}")
    return None


class _OverBudget(Exception):
    """A file holds more than the import has left to spend (raised while parsing)."""


class _ParseCounter:
    """Counts GeoJSON Features and numbers as the parser makes them (at most 3 numbers per position)."""

    def __init__(self, features: int, numbers: int):
        self.features_left, self.numbers_left = features, numbers

    def object(self, pairs: list[tuple[str, Any]]) -> dict:
        out = _unique_keys(pairs)
        if out.get("type") == "Feature":
            self.features_left -= 1
            if self.features_left < 0:
                raise _OverBudget(too_many("features"))
        return out

    def _number(self) -> None:
        self.numbers_left -= 1
        if self.numbers_left < 0:
            raise _OverBudget(too_many("positions"))

    def float(self, text: str) -> float:
        self._number()
        return _finite_float(text)

    def int(self, text: str) -> int:
        self._number()
        return int(text)


def json_depth(text: str) -> int:
    """Deepest bracket nesting outside strings (a cheap guard before the recursive parser runs)."""
    depth = deepest = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        c = m.group()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON (numbers must be finite)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is not finite")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r} in one object")
        out[k] = v
    return out


# ---------------------------------------------------------------------------------------------------------
# text and links


def clean_text(file: str, label: str, name: str, value: Any, found: Findings, limit: int = MAX_TEXT) -> str:
    """A text field as stored: NFC, bidi override controls removed and long text cut (both flagged).

    HTML stays as typed: the app renders every data field as text. Text a spreadsheet would run as a formula is
    stored as typed too, with a warning.
    """
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
    if BIDI_CONTROLS.search(text):
        text = BIDI_CONTROLS.sub("", text)
        found.warn(file, label, f"{name}: removed bidirectional override characters")
    if len(text) > limit:
        text = text[:limit]
        found.warn(file, label, f"{name}: longer than {limit} characters, cut")
    if text.startswith(FORMULA_START):
        found.warn(
            file, label, f"{name} starts with {text[0]!r}: stored as text; a spreadsheet opening it may run a formula"
        )
    return text


def source_links(file: str, label: str, name: str, text: str, found: Findings) -> list[str] | None:
    """The http(s) links in a source cell; None with an error if it holds a link of any other scheme."""
    bad = BAD_SCHEME.findall(text)
    if bad:
        found.error(file, label, f"{name} {bad[0]!r} is not an http(s) URL")
        return None
    links = [u for u in HTTP_URL.findall(text) if is_http_url(u)]
    secret = [u for u in links if "@" in urlparse(u).netloc]
    if secret:
        found.error(file, label, f"{name}: a link with a user name or password is not accepted ({secret[0][:80]!r})")
        return None
    return links
