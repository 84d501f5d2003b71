"""Read a dataset's files: strict JSON, CSV tables, GeoJSON features and geometries, ledger-shaped rows."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import (
    CONFIDENCE,
    DATE_PRECISION,
    LEDGER_COLUMNS,
    MAX_FILE_BYTES,
    LedgerRow,
    is_http_url,
    parse_date,
    split_urls,
)
from layers.core.errors import Problem

__all__ = [
    "check_enum",
    "is_feature_collection",
    "load_rows",
    "read_csv",
    "read_features",
    "read_geometry",
    "read_json",
    "url_problems",
]


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


def is_feature_collection(data: Any) -> bool:
    """True if ``data`` (parsed JSON) has the shape of a GeoJSON FeatureCollection."""
    return isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list)


def read_features(path: Path, problems: list[Problem], optional: bool = False) -> list[dict]:
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


def read_geometry(path: Path, label: str, feature: dict, problems: list[Problem]) -> BaseGeometry | None:
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


def check_enum(values: Mapping[str, Any], allowed: Mapping[str, tuple[str, ...]]) -> list[str]:
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
        bad = check_enum(r, {"confidence": CONFIDENCE, "date_precision": DATE_PRECISION})
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
        bad += url_problems(r, ("source_url",), ("supporting_source_url",))
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        seen.add(r["row_id"])
        fields = {k: r[k] for k in LEDGER_COLUMNS if k not in ("date", "place_id")}
        rows.append(LedgerRow(**fields, place_id=r[key], date=date, line=line))
    return rows


def url_problems(row: Mapping[str, str], required: tuple[str, ...], optional: tuple[str, ...]) -> list[str]:
    out = []
    for key in required + optional:
        out += _cell_url_problems(key, row.get(key, ""), key in required)
    return out


@lru_cache(maxsize=65_536)  # tables repeat their sources: each distinct cell is checked once
def _cell_url_problems(key: str, value: str, required: bool) -> tuple[str, ...]:
    urls = split_urls(value)
    empty = (f"{key} is empty: every row needs a source",) if required and not urls else ()
    return empty + tuple(f"{key} {u!r} is not an http(s) URL" for u in urls if not is_http_url(u))
