"""Load and validate a theatre's dataset folder once: theatre config, places, control ledger, events, AOI.

A dataset folder holds:

- ``theatre.json``: name, campaign start and end, factions (id, label, colour), the river that splits the
  ground into banks, and model settings;
- ``places.geojson``: the gazetteer, one Point feature per place (RFC 7946, lon/lat);
- ``ledger.csv``: dated control rows (who holds a place after that date), each with a source and confidence;
- ``events.csv``: the dated events shown on the timeline, each with a source and confidence;
- ``aoi.geojson``: the area of interest (one polygon);
- ``overrides.geojson`` (optional): authored control polygons for a date range;
- ``basemap/*.geojson`` (optional): offline base layers.

:func:`load_dataset` reads all of it, checks every row and feature, and either returns an immutable
:class:`Dataset` or raises :class:`DatasetError` listing every problem with its file and row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlparse

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from layers.core.errors import DatasetError, Problem

CONFIDENCE = ("high", "medium", "low")
DATE_PRECISION = ("baseline", "day", "by_date", "approx", "range")
PLACE_ROLES = ("ledger", "mentioned", "reference")
BANKS = ("north", "south", "")
LEDGER_COLUMNS = (
    "row_id",
    "date",
    "date_precision",
    "place_id",
    "holder",
    "change",
    "description",
    "source_title",
    "source_url",
    "supporting_source_url",
    "confidence",
    "note",
)
EVENT_COLUMNS = (
    "event_id",
    "date",
    "date_precision",
    "title",
    "kind",
    "place_id",
    "article_claim",
    "article_date",
    "corroborated",
    "agreement",
    "detail",
    "source_url",
    "confidence",
    "ledger_rows",
)
EVENT_KINDS = ("article", "milestone")
AGREEMENT = ("agree", "disagree", "partial", "estimated", "forecast", "")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a JSON or geometry file (theatre.json, places, overrides, a snapshot)
# A CSV table: events.csv, or an ACLED / UCDP export to import (200,000 ACLED rows with notes are 60-100 MiB).
MAX_TABLE_BYTES = 128 * 1024 * 1024
# Every date of a theatre (its start and end, rows, events, overrides) lies in this range, and a theatre spans
# at most MAX_SPAN_DAYS: day arithmetic never overflows and per-day work stays bounded.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_SPAN_DAYS = 18_300  # about 50 years


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    id: str
    name: str
    alt_names: tuple[str, ...]
    kind: str
    lon: float
    lat: float
    bank: str
    confidence: str
    coord_source: str
    coord_source_url: str
    role: str
    note: str = ""
    geonameid: str = ""
    coord_method: str = ""  # how the coordinate was set (published point, grid reference converted, estimate …)


@dataclass(frozen=True)
class LedgerRow:
    """One dated control change: ``holder`` holds ``place_id`` from ``date`` on."""

    row_id: str
    date: dt.date
    date_precision: str
    place_id: str
    holder: str
    change: str
    description: str
    source_title: str
    source_url: str
    supporting_source_url: str
    confidence: str
    note: str
    line: int


@dataclass(frozen=True)
class Event:
    """One dated event on the timeline, with the article's claim where it differs from better sources."""

    event_id: str
    date: dt.date
    date_precision: str
    title: str
    kind: str
    place_id: str
    article_claim: str
    article_date: str
    corroborated: str
    agreement: str
    detail: str
    source_urls: tuple[str, ...]
    confidence: str
    ledger_rows: tuple[str, ...]


@dataclass(frozen=True)
class Override:
    """An authored control polygon for a date range, tied to the ledger rows that justify it."""

    id: str
    holder: str
    valid_from: dt.date
    valid_to: dt.date
    geometry: BaseGeometry
    ledger_rows: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Dataset:
    """Everything the app shows, validated. Treat as read-only."""

    folder: Path
    theatre: Mapping[str, Any]
    places: Mapping[str, Place]
    ledger: tuple[LedgerRow, ...]
    events: tuple[Event, ...]
    aoi: BaseGeometry
    overrides: tuple[Override, ...] = ()
    basemap: Mapping[str, dict] = field(default_factory=dict)
    regions: tuple = ()  # layers.core.regions.Region: sourced holders of ground no place reaches
    region_rows: tuple[LedgerRow, ...] = ()  # their rows; ``place_id`` is the region id
    city: Any = None  # layers.core.city.City: the city view's districts and ledger (``city/``), if any

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.theatre["start"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.theatre["end"])

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(f["id"] for f in self.theatre["factions"])

    def rows_for(self, place_id: str) -> list[LedgerRow]:
        """Ledger rows of one place, in date order."""
        return [r for r in self.ledger if r.place_id == place_id]


# ---------------------------------------------------------------------------------------------------------
# public entry point


def load_dataset(folder: str | Path) -> Dataset:
    """Read and validate the dataset in ``folder``; raise :class:`DatasetError` listing every problem."""
    folder = Path(folder)
    problems: list[Problem] = []
    theatre = _load_theatre(folder / "theatre.json", problems)
    factions = tuple(f["id"] for f in theatre.get("factions", ())) if theatre else ()
    places = _load_places(folder / "places.geojson", problems)
    ledger = _load_ledger(folder / "ledger.csv", places, factions, theatre, problems)
    events = _load_events(folder / "events.csv", places, {r.row_id for r in ledger}, problems)
    aoi = _load_aoi(folder / "aoi.geojson", problems)
    overrides = _load_overrides(folder / "overrides.geojson", factions, {r.row_id for r in ledger}, problems)
    basemap = _load_basemap(folder / "basemap", problems)
    from layers.core.regions import load_regions  # regions.py builds on this module's readers

    regions, region_rows = load_regions(folder, places, factions, theatre or {}, problems)
    problems += [
        Problem("regions.csv", f"line {r.line} ({r.row_id})", "row_id is already used in ledger.csv")
        for r in region_rows
        if r.row_id in {x.row_id for x in ledger}
    ]
    from layers.core.city import load_city

    taken = {r.row_id for r in ledger} | {r.row_id for r in region_rows}
    city = load_city(folder, factions, theatre or {}, taken, problems)
    if problems:
        raise DatasetError(problems)
    return Dataset(
        folder=folder,
        theatre=MappingProxyType(theatre),
        places=MappingProxyType(places),
        ledger=tuple(sorted(ledger, key=lambda r: (r.date, r.line))),
        events=tuple(sorted(events, key=lambda e: (e.date, e.event_id))),
        aoi=aoi,
        overrides=tuple(overrides),
        basemap=MappingProxyType(basemap),
        regions=regions,
        region_rows=region_rows,
        city=city,
    )


# ---------------------------------------------------------------------------------------------------------
# readers


def read_json(path: Path, problems: list[Problem]) -> Any:
    """Parse strict JSON (no NaN/Infinity); record a problem and return None when it cannot be read."""
    if not path.is_file():
        problems.append(Problem(path.name, "file", "missing"))
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(Problem(path.name, "file", f"larger than {MAX_FILE_BYTES // 2**20} MiB"))
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        problems.append(Problem(path.name, "file", f"not valid JSON: {exc}"))
        return None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """Rows of a UTF-8 CSV as (line number, dict); checks the header names every required column."""
    if not path.is_file():
        problems.append(Problem(path.name, "file", "missing"))
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path.name, "file", f"not UTF-8 text: {exc}"))
        return []
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(Problem(path.name, "header", f"missing column(s): {', '.join(missing)}"))
        return []
    rows = []
    blank = dict.fromkeys(header, "")  # a short row's missing fields are empty
    for line_no, row in enumerate(filter(None, reader), start=2):  # blank lines are skipped, not counted
        if len(row) > len(header):
            problems.append(Problem(path.name, f"line {line_no}", "more fields than the header has"))
            continue
        fields = dict(zip(header, map(str.strip, row), strict=False))  # shorter rows: checked below
        rows.append((line_no, fields if len(row) == len(header) else blank | fields))
    return rows


def max_bytes(name: str) -> int:
    """The most a dataset or input file of this name may hold: MAX_TABLE_BYTES for a CSV table, else
    MAX_FILE_BYTES."""
    return MAX_TABLE_BYTES if name.lower().endswith(".csv") else MAX_FILE_BYTES


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host; every link the app renders must pass this."""
    return _is_http_url(url) if isinstance(url, str) else False


@lru_cache(maxsize=65_536)  # tables repeat their sources: each distinct link is parsed once
def _is_http_url(url: str) -> bool:
    try:
        parsed = urlparse(url)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not any(c.isspace() for c in url)


@lru_cache(maxsize=65_536)  # tables repeat their sources
def split_urls(value: str) -> tuple[str, ...]:
    """Split a ``url ; url`` cell into its URLs."""
    return tuple(u.strip() for u in value.split(";") if u.strip())


def theatre_dates_problem(start: dt.date, end: dt.date) -> str | None:
    """Why a theatre cannot run from ``start`` to ``end`` (outside MIN_DATE..MAX_DATE, or too long), or None."""
    if not (MIN_DATE <= start <= MAX_DATE and MIN_DATE <= end <= MAX_DATE):
        return f"dates must lie between {MIN_DATE} and {MAX_DATE} (got {start} .. {end})"
    if (end - start).days > MAX_SPAN_DAYS:
        return f"{start} .. {end} spans {(end - start).days:,} days: a theatre spans at most {MAX_SPAN_DAYS:,} days"
    return None


def parse_date(value: str) -> dt.date | None:
    return _parse_date(value) if isinstance(value, str) else None


@lru_cache(maxsize=65_536)  # a campaign has at most MAX_SPAN_DAYS distinct days: each is parsed once
def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------------
# per-file loaders


def _load_theatre(path: Path, problems: list[Problem]) -> dict:
    data = read_json(path, problems)
    if not isinstance(data, dict):
        if data is not None:
            problems.append(Problem(path.name, "file", "must be a JSON object"))
        return {}
    for key in ("name", "start", "end", "factions", "river"):
        if key not in data:
            problems.append(Problem(path.name, key, "missing"))
    start, end = parse_date(str(data.get("start"))), parse_date(str(data.get("end")))
    if "start" in data and start is None or "end" in data and end is None:
        problems.append(Problem(path.name, "start/end", "must be ISO dates (YYYY-MM-DD)"))
    elif start and end and start > end:
        problems.append(Problem(path.name, "start/end", f"start {start} is after end {end}"))
    elif start and end and (why := theatre_dates_problem(start, end)):
        problems.append(Problem(path.name, "start/end", why))
    factions = data.get("factions", [])
    if not isinstance(factions, list) or not factions:
        problems.append(Problem(path.name, "factions", "must be a non-empty list"))
        data["factions"] = []
        return data
    seen = set()
    for i, f in enumerate(factions):
        label = f"factions[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not f["id"]:
            problems.append(Problem(path.name, label, "needs a non-empty string 'id'"))
            continue
        if f["id"] in seen:
            problems.append(Problem(path.name, label, f"duplicate faction id {f['id']!r}"))
        seen.add(f["id"])
        if not _is_hex_colour(f.get("color", "")):
            problems.append(Problem(path.name, label, f"color {f.get('color')!r} is not a #rrggbb colour"))
    return data


def _is_hex_colour(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == 7
        and value[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


def is_feature_collection(data: Any) -> bool:
    """True if ``data`` (parsed JSON) has the shape of a GeoJSON FeatureCollection."""
    return isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list)


def _features(path: Path, problems: list[Problem], optional: bool = False) -> list[dict]:
    if optional and not path.exists():
        return []
    data = read_json(path, problems)
    if data is None:
        return []
    if not is_feature_collection(data):
        problems.append(Problem(path.name, "file", "must be a GeoJSON FeatureCollection"))
        return []
    if "crs" in data:
        problems.append(Problem(path.name, "crs", "RFC 7946 GeoJSON has no 'crs' member; use lon/lat WGS84"))
    return data["features"]


def _geometry(path: Path, label: str, feature: dict, problems: list[Problem]) -> BaseGeometry | None:
    """Shapely geometry of a feature, or None with a problem recorded (bad type, non-finite, out of range)."""
    geom = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(geom, dict):
        problems.append(Problem(path.name, label, "has no geometry"))
        return None
    if not _numbers_only(geom.get("coordinates", [])) or not _numbers_only(geom.get("geometries", [])):
        problems.append(
            Problem(path.name, label, "geometry cannot be read: coordinates must be JSON numbers, not strings")
        )
        return None
    try:
        g = _shape(geom)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        problems.append(Problem(path.name, label, f"geometry cannot be read: {exc}"))
        return None
    if g.is_empty:
        problems.append(Problem(path.name, label, "geometry is empty"))
        return None
    coords = shapely.get_coordinates(g, include_z=False)
    if not np.isfinite(coords).all():
        problems.append(Problem(path.name, label, "coordinates must be finite numbers"))
        return None
    if (abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any():
        problems.append(Problem(path.name, label, "coordinates outside lon ±180 / lat ±90 (must be lon, lat degrees)"))
        return None
    return g


def _shape(geom: dict) -> BaseGeometry:
    """``shape(geom)``; a polygon is parsed by GEOS's GeoJSON reader (C: an imported snapshot holds thousands
    of rings), and by ``shape`` when GEOS refuses it, so anything malformed gets shape's message."""
    if geom.get("type") in ("Polygon", "MultiPolygon"):
        try:
            return shapely.from_geojson(json.dumps(geom))
        except (GEOSException, ValueError, TypeError):
            pass
    return shape(geom)


_NUMBER_TYPES = {int, float}  # JSON numbers as json.loads gives them (bool is not one of them: type() is exact)


def _numbers_only(value: Any) -> bool:
    """True if every leaf of a (nested) coordinate array is a JSON number."""
    if isinstance(value, list):
        kinds = set(map(type, value))  # the types are collected in C: a ring is checked in two passes
        if kinds <= _NUMBER_TYPES or kinds == {list} and set(map(type, chain.from_iterable(value))) <= _NUMBER_TYPES:
            return True  # a position, or a ring of positions
        return all(_numbers_only(v) for v in value)
    if isinstance(value, dict):  # a member of a GeometryCollection
        return _numbers_only(value.get("coordinates", [])) and _numbers_only(value.get("geometries", []))
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load_places(path: Path, problems: list[Problem]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for i, feat in enumerate(_features(path, problems)):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem(path.name, f"feature {i}", "has no properties"))
            continue
        pid = str(props.get("id") or "").strip()
        label = f"feature {i} ({pid or 'no id'})"
        if not pid:
            problems.append(Problem(path.name, label, "has no 'id'"))
            continue
        if pid in places:
            problems.append(Problem(path.name, label, f"duplicate place id {pid!r}"))
            continue
        geom = _geometry(path, label, feat, problems)
        if geom is None:
            continue
        if geom.geom_type != "Point":
            problems.append(Problem(path.name, label, f"must be a Point, not {geom.geom_type}"))
            continue
        bad = _check_enum(props, {"confidence": CONFIDENCE, "role": PLACE_ROLES, "bank": BANKS})
        if not str(props.get("name") or "").strip():
            bad.append("has no 'name'")
        url = str(props.get("coord_source_url") or "")
        if url and not is_http_url(url):
            bad.append(f"coord_source_url {url!r} is not an http(s) URL")
        alt = props.get("alt_names") or []
        if not isinstance(alt, list) or not all(isinstance(a, str) for a in alt):
            bad.append("alt_names must be a list of strings")
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        places[pid] = Place(
            id=pid,
            name=str(props["name"]).strip(),
            alt_names=tuple(alt),
            kind=str(props.get("kind") or ""),
            lon=round(geom.x, 6),
            lat=round(geom.y, 6),
            bank=str(props.get("bank") or ""),
            confidence=props["confidence"],
            coord_source=str(props.get("coord_source") or ""),
            coord_source_url=url,
            role=props["role"],
            note=str(props.get("note") or ""),
            geonameid=str(props.get("geonameid") or ""),
            coord_method=str(props.get("coord_method") or ""),
        )
    return places


def _check_enum(values: Mapping[str, Any], allowed: Mapping[str, tuple[str, ...]]) -> list[str]:
    out = []
    for key, choices in allowed.items():
        v = values.get(key, "")
        if v in choices:
            continue
        v = "" if v is None else v
        if v not in choices:
            shown = ", ".join(c for c in choices if c) + (" or empty" if "" in choices else "")
            out.append(f"{key} {v!r} is not one of {shown}")
    return out


def _load_ledger(
    path: Path, places: Mapping[str, Place], factions: tuple[str, ...], theatre: Mapping, problems: list[Problem]
) -> list[LedgerRow]:
    return load_rows(path, LEDGER_COLUMNS, "place_id", places, "places.geojson", factions, theatre, problems)


def load_rows(
    path: Path,
    columns: tuple[str, ...],
    key: str,
    known: Mapping[str, Any],
    known_file: str,
    factions: tuple[str, ...],
    theatre: Mapping,
    problems: list[Problem],
    taken_ids: set[str] | frozenset[str] = frozenset(),
) -> list[LedgerRow]:
    """Ledger-shaped rows of ``path`` (the ledger, the regional ledger, the city's), one rule for all: dates in
    the campaign, holders among ``factions``, ``key`` (the place's id column) among ``known`` (listed in
    ``known_file``), row ids unique here and not in ``taken_ids``, http(s) sources. In file order."""
    start, end = parse_date(str(theatre.get("start"))), parse_date(str(theatre.get("end")))
    rows: list[LedgerRow] = []
    seen: set[str] = set()
    for line, r in read_csv(path, columns, problems):
        label = f"line {line} ({r['row_id'] or 'no row_id'})"
        bad = _check_enum(r, {"confidence": CONFIDENCE, "date_precision": DATE_PRECISION})
        if not r["row_id"]:
            bad.append("has no row_id")
        elif r["row_id"] in seen:
            bad.append(f"duplicate row_id {r['row_id']!r}")
        elif r["row_id"] in taken_ids:
            bad.append(f"row_id {r['row_id']!r} is already used in ledger.csv")
        date = parse_date(r["date"])
        if date is None:
            bad.append(f"date {r['date']!r} is not an ISO date (YYYY-MM-DD)")
        elif start and end and not (start <= date <= end):
            bad.append(f"date {date} is outside the campaign {start} .. {end}")
        if r[key] not in known:
            bad.append(f"unknown {key} {r[key]!r} (not in {known_file})")
        if r["holder"] not in factions:
            bad.append(f"holder {r['holder']!r} is not one of the factions {', '.join(factions)}")
        bad += _url_problems(r, ("source_url",), ("supporting_source_url",))
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        seen.add(r["row_id"])
        fields = {k: r[k] for k in LEDGER_COLUMNS if k not in ("date", "place_id")}
        rows.append(LedgerRow(**fields, place_id=r[key], date=date, line=line))
    return rows


def _url_problems(row: Mapping[str, str], required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    out = []
    for key in required + optional:
        out += _cell_url_problems(key, row.get(key, ""), key in required)
    return out


@lru_cache(maxsize=65_536)  # tables repeat their sources: each distinct cell is checked once
def _cell_url_problems(key: str, value: str, required: bool) -> tuple[str, ...]:
    urls = split_urls(value)
    empty = (f"{key} is empty: every row needs a source",) if required and not urls else ()
    return empty + tuple(f"{key} {u!r} is not an http(s) URL" for u in urls if not is_http_url(u))


EVENT_ENUMS = {"confidence": CONFIDENCE, "date_precision": DATE_PRECISION, "kind": EVENT_KINDS, "agreement": AGREEMENT}
EVENT_FIELDS = tuple(k for k in EVENT_COLUMNS if k not in ("date", "source_url", "ledger_rows"))


def _load_events(path: Path, places: Mapping[str, Place], ledger_ids: set[str], problems: list[Problem]) -> list[Event]:
    events: list[Event] = []
    seen: set[str] = set()
    for line, r in read_csv(path, EVENT_COLUMNS, problems):
        bad = _check_enum(r, EVENT_ENUMS)
        if not r["event_id"]:
            bad.append("has no event_id")
        elif r["event_id"] in seen:
            bad.append(f"duplicate event_id {r['event_id']!r}")
        date = parse_date(r["date"])
        if date is None:
            bad.append(f"date {r['date']!r} is not an ISO date (YYYY-MM-DD)")
        if not r["title"]:
            bad.append("has no title")
        if r["place_id"] not in places:
            bad.append(f"unknown place_id {r['place_id']!r} (not in places.geojson)")
        linked = split_urls(r["ledger_rows"])
        bad += [f"ledger_rows names unknown row {x!r}" for x in linked if x not in ledger_ids]
        bad += _url_problems(r, ("source_url",), ())
        if bad:
            label = f"line {line} ({r['event_id'] or 'no event_id'})"
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        seen.add(r["event_id"])
        fields = {k: r[k] for k in EVENT_FIELDS}
        events.append(Event(**fields, date=date, source_urls=split_urls(r["source_url"]), ledger_rows=linked))
    return events


def _load_aoi(path: Path, problems: list[Problem]) -> BaseGeometry:
    feats = _features(path, problems)
    geoms = [g for i, f in enumerate(feats) if (g := _geometry(path, f"feature {i}", f, problems)) is not None]
    polys = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
    if feats and len(polys) != len(feats):
        problems.append(Problem(path.name, "file", "every feature must be a Polygon or MultiPolygon"))
    aoi = shapely.union_all(polys) if polys else shapely.Polygon()
    if polys and not aoi.is_valid:
        problems.append(Problem(path.name, "file", f"area of interest is not valid: {shapely.is_valid_reason(aoi)}"))
    if feats and aoi.is_empty and not problems:
        problems.append(Problem(path.name, "file", "area of interest is empty"))
    return aoi


def _load_overrides(
    path: Path, factions: tuple[str, ...], ledger_ids: set[str], problems: list[Problem]
) -> list[Override]:
    out = []
    for i, feat in enumerate(_features(path, problems, optional=True)):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        label = f"feature {i} ({props.get('id') or 'no id'})"
        geom = _geometry(path, label, feat, problems)
        bad = []
        if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
            bad.append(f"must be a Polygon or MultiPolygon, not {geom.geom_type}")
        elif geom is not None and not geom.is_valid:
            bad.append(f"invalid polygon: {shapely.is_valid_reason(geom)}")
        if props.get("holder") not in factions:
            bad.append(f"holder {props.get('holder')!r} is not one of the factions")
        d0, d1 = parse_date(str(props.get("valid_from"))), parse_date(str(props.get("valid_to")))
        if d0 is None or d1 is None:
            bad.append("valid_from and valid_to must be ISO dates")
        elif d0 > d1:
            bad.append(f"valid_from {d0} is after valid_to {d1}")
        elif not (MIN_DATE <= d0 and d1 <= MAX_DATE):
            bad.append(f"valid_from and valid_to must lie between {MIN_DATE} and {MAX_DATE}")
        rows = props.get("ledger_rows") or []
        if not rows or not isinstance(rows, list):
            bad.append("ledger_rows must list the ledger rows that justify the polygon")
        else:
            bad += [f"ledger_rows names unknown row {x!r}" for x in rows if x not in ledger_ids]
        if bad or geom is None:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        out.append(
            Override(
                str(props.get("id") or i), props["holder"], d0, d1, geom, tuple(rows), str(props.get("note") or "")
            )
        )
    return out


def _load_basemap(folder: Path, problems: list[Problem]) -> dict[str, dict]:
    layers = {}
    if not folder.is_dir():
        return layers
    for path in sorted(folder.glob("*.geojson")):
        feats = _features(path, problems)
        for i, f in enumerate(feats):
            _geometry(path, f"feature {i}", f, problems)
        layers[path.stem] = {"type": "FeatureCollection", "features": feats}
    return layers
