"""Checks a GIS analyst can trust, shared by the import command and the upload: strict JSON, CRS, coordinates,
polygon validity and its repair policy, swapped lat/lon, text and links.

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

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import MAX_FILE_BYTES, is_http_url
from layers.core.errors import Problem
from layers.core.validate import BIDI_CONTROLS, FORMULA_START

MAX_JSON_DEPTH = 64
MAX_FEATURES = 10_000  # snapshot polygons in all the files of one import (each becomes an override to derive)
MAX_VERTICES = 1_000_000  # positions in all the snapshot polygons of one import
MAX_ROWS = 250_000  # per table
MAX_TEXT = 2_000  # characters kept in one text field
MAX_REPAIR_CHANGE = 0.01  # make_valid may change a polygon's area by less than 1 %
MIN_OVERLAP_M2 = 1.0  # overlaps below this are floating-point seams along shared edges
MAX_OVERLAP_PAIRS = 200_000  # pairs of polygons of one import compared for overlaps (bounding boxes meet)
WGS84_NAMES = {"EPSG:4326", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:EPSG::4326"}
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
# coordinate reference systems


# PROJ parameters and WKT keywords that make PROJ open a file (init files, grids, TIN and deformation models)
FILE_READING_CRS = re.compile(
    r"(?i)(?<![a-z_])(?:init|nadgrids|geoidgrids|grids|xy_grids|z_grids|file|model|catalog)\s*="
    r"|PARAMETERFILE\s*\[|PROJ4_GRIDS"
)
READS_A_FILE = "uses a PROJ parameter that reads a file (+init, grids, models): give an authority code (EPSG:32637)"
FILE_PATH = re.compile(r"(?i)^(?:[/\\~]|\.\.?[/\\]|file:|[a-z]:[/\\])")


def crs_text_problem(text: str) -> str | None:
    """Why a CRS string must not reach PROJ (it names a file, or reads one), or None.

    Checked before PROJ parses anything: ``+init=/etc/passwd`` or a grid given by path makes PROJ open that file.
    """
    t = text.strip()
    if "\x00" in t or FILE_PATH.match(t) or ("/" in t and not re.search(r"[\[=]|://", t)):
        return "is a file path, not a CRS: give an authority code such as EPSG:32637"
    if FILE_READING_CRS.search(t):
        return READS_A_FILE
    return None


def crs_transformer(file: str, name: str, found: Findings, item: str = "crs") -> Transformer | None | bool:
    """Transformer from the named CRS to lon/lat WGS84; None if already lon/lat; False (with an error) if unknown
    or if it names or reads a file (refused before PROJ sees it)."""
    if name.strip().upper() in WGS84_NAMES:
        return None
    why = crs_text_problem(name)
    if why:
        found.error(file, item, f"CRS {name[:80]!r} {why}")
        return False
    try:
        crs = CRS.from_user_input(name)
        if crs.is_geographic and crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            return None
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except (CRSError, ProjError):
        found.error(file, item, f"unknown CRS {name[:80]!r}: reproject to lon/lat WGS84 (EPSG:4326) before importing")
        return False


def legacy_crs_name(member: Any) -> str | None:
    """The CRS named by a legacy GeoJSON ``crs`` member (``{"type": "name", "properties": {"name": ...}}``)."""
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        name = member["properties"].get("name")
        return name if isinstance(name, str) else None
    return None


def reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    """The geometry with every position passed through ``transformer`` (x, y order)."""
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


# ---------------------------------------------------------------------------------------------------------
# GeoJSON geometry: structure first, then the shapely checks shared with GPKG and KML


def geojson_polygon(file: str, label: str, geom: Any, found: Findings) -> BaseGeometry | None:
    """A Polygon/MultiPolygon from a GeoJSON geometry object, checked position by position.

    Rejects strings or booleans for numbers, positions of other than 2 or 3 numbers and rings of fewer than 4
    positions; drops Z and closes unclosed rings with a warning.
    """
    if geom is None:
        found.error(file, label, "has no geometry (null)")
        return None
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str):
        found.error(file, label, "geometry is not a GeoJSON geometry object")
        return None
    kind = geom["type"]
    if kind not in ("Polygon", "MultiPolygon"):
        found.error(file, label, f"must be a Polygon or MultiPolygon, not {kind}")
        return None
    coords = geom.get("coordinates")
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not all(isinstance(p, list) for p in polys):
        found.error(file, label, "coordinates are not arrays of rings")
        return None
    notes: set[str] = set()
    built = []
    for poly in polys:
        rings = [_ring(r, notes) for r in poly]
        if any(r is None for r in rings):
            found.error(file, label, sorted(notes - {"z", "closed"})[0])
            return None
        if rings:
            built.append(Polygon(rings[0], rings[1:]))
    if "z" in notes:
        found.warn(file, label, "3D coordinates: Z values dropped")
    if "closed" in notes:
        found.warn(file, label, "ring was not closed (first position != last): closed it")
    if not built:
        found.error(file, label, "geometry is empty")
        return None
    return built[0] if kind == "Polygon" else MultiPolygon(built)


def _ring(ring: Any, notes: set[str]) -> list[tuple[float, float]] | None:
    if not isinstance(ring, list):
        notes.add("coordinates are not arrays of positions")
        return None
    out = []
    for pos in ring:
        if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
            notes.add("each position must be an array of 2 numbers (lon, lat) or 3 (lon, lat, height)")
            return None
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos):
            notes.add("coordinates must be JSON numbers, not strings or booleans")
            return None
        if len(pos) == 3:
            notes.add("z")
        out.append((float(pos[0]), float(pos[1])))
    if len(out) >= 2 and out[0] != out[-1]:
        out.append(out[0])
        notes.add("closed")
    if len(out) < 4:
        notes.add("ring has fewer than 4 positions")
        return None
    return out


def check_polygon(file: str, label: str, geom: BaseGeometry | None, found: Findings) -> BaseGeometry | None:
    """A lon/lat Polygon/MultiPolygon ready to store, or None with an error.

    Drops Z (warning), rejects empty, non-finite and out-of-range geometries (projected metres are named as
    such), and repairs invalid polygons with ``make_valid`` only when the area changes by less than 1 %
    (warning); larger repairs are rejected for review.
    """
    if geom is None or geom.is_empty:
        found.error(file, label, "geometry is empty")
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        found.error(file, label, f"must be a Polygon or MultiPolygon, not {geom.geom_type}")
        return None
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
        found.warn(file, label, "3D coordinates: Z values dropped")
    if not coordinates_ok(file, label, geom, found):
        return None
    if not geom.is_valid:
        geom = _repair(file, label, geom, found)
        if geom is None:
            return None
    return shapely.orient_polygons(geom)


def coordinates_ok(file: str, label: str, geom: BaseGeometry, found: Findings) -> bool:
    """Finite lon/lat degrees. Beyond ±180/±90, large values are reported as probable projected metres, and
    values that would fit with longitude and latitude exchanged as probably swapped."""
    xy = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in xy.ravel()):
        found.error(file, label, "coordinates must be finite numbers (NaN or Infinity found)")
        return False
    outside = (abs(xy[:, 0]) > 180) | (abs(xy[:, 1]) > 90)
    if not outside.any():
        return True
    x, y = xy[outside.argmax()]
    if (abs(xy) > 1000).any():
        why = (
            "are not lon/lat degrees (projected metres?) and no CRS says what they are: reproject to EPSG:4326, "
            "or name the CRS (GeoJSON 'crs' member or inputs.crs in the config)"
        )
    elif (abs(xy[:, 1]) <= 180).all() and (abs(xy[:, 0]) <= 90).all():
        why = "are outside lon ±180 / lat ±90: longitude and latitude swapped? GeoJSON is [longitude, latitude]"
    else:
        why = "are outside lon ±180 / lat ±90"
    found.error(file, label, f"coordinates ({x:g}, {y:g}) {why}")
    return False


def _repair(file: str, label: str, geom: BaseGeometry, found: Findings) -> BaseGeometry | None:
    reason = shapely.is_valid_reason(geom)
    try:
        fixed = polygonal(shapely.make_valid(geom))
    except GEOSException as exc:
        found.error(file, label, f"invalid polygon ({reason}) that cannot be repaired ({exc}): fix it by hand")
        return None
    before, after = abs(geom.area), fixed.area
    change = abs(after - before) / before if before > 0 else math.inf
    if fixed.is_empty or change >= MAX_REPAIR_CHANGE:
        shown = "all of it" if math.isinf(change) else f"{change:.1%}"
        found.error(
            file,
            label,
            f"invalid polygon ({reason}); repairing it would change its area by {shown}: fix it by hand and review",
        )
        return None
    found.warn(file, label, f"invalid polygon ({reason}) repaired with make_valid; area changed by {change:.2%}")
    return fixed


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts of a geometry (make_valid can return lines and points next to polygons)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else MultiPolygon()


def swap_xy(geom: BaseGeometry) -> BaseGeometry:
    """The geometry with longitude and latitude exchanged."""
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def place_problem(geom: BaseGeometry, aoi: BaseGeometry, what: str) -> str | None:
    """Why a point or polygon does not belong in the area of interest, or None if it does.

    A geometry outside the area that falls inside it with longitude and latitude exchanged is reported as
    swapped, e.g. Raqqa written as (35.95, 39.01) instead of (39.01, 35.95).
    """
    if geom.intersects(aoi):
        return None
    if swap_xy(geom).intersects(aoi):
        return f"{what} lies outside the area of interest but inside it with longitude and latitude swapped"
    return f"{what} lies outside the area of interest"


def parse_lonlat(file: str, label: str, lon_text: str, lat_text: str, found: Findings) -> tuple[float, float] | None:
    """Decimal degrees from two table cells, or None with an error (blank, text, comma decimals, range)."""
    values = []
    for name, text in (("longitude", lon_text), ("latitude", lat_text)):
        text = text.strip()
        try:
            v = float(text) if re.fullmatch(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", text) else None
        except ValueError:
            v = None
        if v is None:
            found.error(file, label, f"{name} {text!r} is not a decimal number (e.g. 35.95)")
            return None
        if not math.isfinite(v):
            found.error(file, label, f"{name} {text!r} is not finite")
            return None
        values.append(v)
    lon, lat = values
    if abs(lon) > 180 or abs(lat) > 90:
        found.error(file, label, f"longitude {lon:g} / latitude {lat:g} are outside ±180 / ±90")
        return None
    return lon, lat


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
