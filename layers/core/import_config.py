"""The config of an imported theatre (TOML or JSON): name, dates, factions, area of interest, how the inputs'
faction names map to faction ids, and the input conventions (see ``docs/import.md``)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from layers.core import geocheck as gc
from layers.core.dataset import CONFIDENCE, is_http_url, theatre_dates_problem
from layers.core.geocrs import crs_transformer
from layers.core.territory import NO_REPORTING
from layers.core.validate import SLUG as SLUG_RE


@dataclass(frozen=True)
class InputFile:
    """One input: a display name (used in messages only, never as a path) and its bytes."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass(frozen=True)
class Config:
    """The theatre an import builds: names, dates, factions, area of interest and input conventions."""

    name: str
    slug: str
    start: dt.date
    end: dt.date
    factions: tuple[dict, ...]
    aoi: BaseGeometry
    faction_map: dict[str, str]
    source_url: str
    faction_field: str = "faction"
    date_field: str = "date"
    input_crs: str = ""
    snapshot_confidence: str = "medium"
    skip_other_geometries: bool = False

    @property
    def projection(self) -> str:
        c = self.aoi.centroid
        return f"+proj=laea +lat_0={c.y:.4f} +lon_0={c.x:.4f} +datum=WGS84 +units=m +no_defs"

    def faction_id(self, value: str) -> str | None:
        key = value.strip().casefold()
        if key in self.faction_map:
            return self.faction_map[key]
        for f in self.factions:
            if key in (f["id"].casefold(), f["label"].casefold()):
                return f["id"]
        return None


def slugify(text: str) -> str:
    """A folder-safe theatre name: lower-case ASCII letters, digits and hyphens (max 63 characters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")
    return slug or "theatre"


def read_config(file: InputFile, found: gc.Findings) -> Config | None:
    """Parse and check a TOML or JSON config; None with errors naming each bad key."""
    name = file.name
    if file.suffix == ".toml":
        text = gc.decode_text(name, file.data, found)
        if text is None:
            return None
        if gc.json_depth(text) > gc.MAX_JSON_DEPTH:  # inline arrays and tables nest like JSON
            found.error(name, "file", f"TOML nested deeper than {gc.MAX_JSON_DEPTH} levels")
            return None
        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            found.error(name, "file", f"not valid TOML: {exc}")
            return None
    elif file.suffix == ".json":
        data = gc.parse_json(name, file.data, found)
        if data is None:
            return None
    else:
        found.error(name, "file", "a config must be a .toml or .json file")
        return None
    if not isinstance(data, dict):
        found.error(name, "file", "must be a TOML table or JSON object")
        return None
    before = found.count
    theatre_name = gc.clean_text(name, "name", "name", data.get("name"), found, 200)
    if not theatre_name:
        found.error(name, "name", "missing: give the theatre a name")
    slug = str(data.get("slug") or slugify(theatre_name))
    if not SLUG_RE.fullmatch(slug):
        found.error(name, "slug", f"{slug!r} must be 1-63 lower-case letters, digits or hyphens")
    start, end = _config_date(name, data, "start", found), _config_date(name, data, "end", found)
    if start and end and start > end:
        found.error(name, "start/end", f"dates run backwards: start {start} is after end {end}")
    elif start and end and (why := theatre_dates_problem(start, end)):
        found.error(name, "start/end", why)
    factions = _config_factions(name, data.get("factions"), found)
    aoi = _config_aoi(name, data.get("aoi"), found)
    source_url = str(data.get("source_url") or "")
    if not is_http_url(source_url):
        found.error(name, "source_url", f"{source_url!r} must be an http(s) URL: the default source of every row")
    fmap = _config_faction_map(name, data.get("faction_map", {}), {f["id"] for f in factions}, found)
    inputs = data.get("inputs", {})
    if not isinstance(inputs, dict):
        found.error(name, "inputs", "must be a table")
        inputs = {}
    input_crs = str(inputs.get("crs") or "")
    if input_crs:
        crs_transformer(name, input_crs, found, "inputs.crs")  # records an error if the CRS is unknown
    confidence = str(inputs.get("snapshot_confidence") or "medium")
    if confidence not in CONFIDENCE:
        found.error(name, "inputs.snapshot_confidence", f"{confidence!r} is not one of {', '.join(CONFIDENCE)}")
    if found.count > before:
        return None
    return Config(
        name=theatre_name,
        slug=slug,
        start=start,
        end=end,
        factions=tuple(factions),
        aoi=aoi,
        faction_map=fmap,
        source_url=source_url,
        faction_field=str(inputs.get("faction_field") or "faction"),
        date_field=str(inputs.get("date_field") or "date"),
        input_crs=input_crs,
        snapshot_confidence=confidence,
        skip_other_geometries=inputs.get("skip_other_geometries") is True,
    )


def _config_date(file: str, data: dict, key: str, found: gc.Findings) -> dt.date | None:
    value = data.get(key)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # TOML dates arrive as dates
    day = parse_day(str(value)) if value is not None else None
    if day is None:
        found.error(file, key, f"{value!r} is not an ISO date (YYYY-MM-DD)")
    return day


def _config_factions(file: str, value: Any, found: gc.Findings) -> list[dict]:
    if not isinstance(value, list) or not value:
        found.error(file, "factions", "must be a non-empty list of {id, label, color}")
        return []
    out, seen = [], set()
    for i, f in enumerate(value):
        label = f"factions[{i}]"
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not f["id"].strip():
            found.error(file, label, "needs a non-empty string 'id'")
            continue
        fid = f["id"].strip()
        color = f.get("color", f.get("colour", ""))
        if fid in seen:
            found.error(file, label, f"duplicate faction id {fid!r}")
        elif fid == NO_REPORTING:
            found.error(file, label, f"{fid!r} is reserved for ground no snapshot covers")
        elif not isinstance(color, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            found.error(file, label, f"color {color!r} is not a #rrggbb colour")
        else:
            text = gc.clean_text(file, label, "label", f.get("label") or fid, found, 80)
            out.append({"id": fid, "label": text, "color": color.lower()})
        seen.add(fid)
    return out


def _config_aoi(file: str, value: Any, found: gc.Findings) -> BaseGeometry:
    empty = shapely.Polygon()
    if not isinstance(value, dict) or ("bbox" in value) == ("polygon" in value):
        found.error(file, "aoi", "give either aoi.bbox = [west, south, east, north] or aoi.polygon = [[lon, lat], ...]")
        return empty
    numbers = value.get("bbox") if "bbox" in value else value.get("polygon")
    flat = numbers if "bbox" in value else [v for p in numbers or [] if isinstance(p, list) for v in p]
    if not isinstance(numbers, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        found.error(file, "aoi", "coordinates must be numbers")
        return empty
    if "bbox" in value:
        if len(numbers) != 4:
            found.error(file, "aoi.bbox", "must be [west, south, east, north]")
            return empty
        w, s, e, n = numbers
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            found.error(file, "aoi.bbox", f"{numbers} is not west < east, south < north in lon/lat degrees")
            return empty
        return box(w, s, e, n)
    if any(not isinstance(p, list) or len(p) != 2 for p in numbers) or len(numbers) < 3:
        found.error(file, "aoi.polygon", "must list at least 3 [lon, lat] positions")
        return empty
    poly = shapely.Polygon(numbers)
    xy = shapely.get_coordinates(poly)
    if (abs(xy[:, 0]) > 180).any() or (abs(xy[:, 1]) > 90).any() or not poly.is_valid or poly.area == 0:
        found.error(file, "aoi.polygon", "must be a valid lon/lat polygon with an area")
        return empty
    return shapely.orient_polygons(poly)


def _config_faction_map(file: str, value: Any, ids: set[str], found: gc.Findings) -> dict[str, str]:
    if not isinstance(value, dict):
        found.error(file, "faction_map", "must map input names to faction ids")
        return {}
    out = {}
    for raw, fid in value.items():
        if fid not in ids:
            found.error(file, f"faction_map.{raw}", f"maps to {fid!r}, which is not a faction id")
        else:
            out[str(raw).strip().casefold()] = fid
    return out


def parse_day(value: str) -> dt.date | None:
    """An ISO date, optionally with a time (``2017-06-06``, ``2017-06-06T00:00:00Z``, ``2017-06-06 00:00:00.000``)."""
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value.strip())
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None
