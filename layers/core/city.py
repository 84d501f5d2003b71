"""The city view: the districts of the theatre's city and their own ledger, inside the city's outline.

A dataset may have a ``city/`` folder (the bundled one has Raqqa's, June to October 2017):

- ``city.json``: ``name``, ``min_zoom`` (the map zoom from which the city view is shown; the one definition the
  page, the engine and briefing mode read), ``outline`` (the GeoJSON file of the city's extent),
  ``regional_place`` (the regional ledger's place that stands for the whole city at campaign zoom) and
  ``severity`` (optional, rule: error|warning for the consistency findings in the city's own files);
- ``outline.geojson``: one Polygon, with ``basis`` (what its edges rest on) and ``estimated`` (true when no
  sourced outline exists: the map, the legend and the tooltips then say "estimated extent");
- ``districts.csv``: districts and landmarks with their centre points (``lat``/``lon`` empty when no source
  places them: such a district has rows but no cell), the coordinate's source and confidence;
- ``ledger.csv``: the city ledger, the ledger's columns with ``place_id`` a district id.

**One home per district.** Inside the outline the city ledger is the account of control: its districts are
cells (Voronoi cells of the placed districts, in the theatre's equal-area projection, clipped to the outline),
coloured on each day by the same derivation as the regional ground (``timeline.state_on`` and
``assets/10_state.js``, run on the ``city`` tables). The regional ledger keeps its neighbourhood places (the
campaign view draws the city with them at campaign zoom); at city zoom the city cells cover them, and the
consistency rule ``city-regional`` reports where a regional place inside the outline says otherwise than the
city ledger.

**Disagreements.** A row whose description starts "ALTERNATIVE:" (or whose note starts "ALTERNATIVE") is the
less-supported version of a dated change that another row records: it is kept, listed with the district's
history and tooltips as a disagreement, and never colours the map (:func:`is_alternative`).

Landmarks (a mosque, a square, the stadium) are drawn as points coloured by their own rows, not as cells, so the
cells around them keep their size; districts outside the outline (the outskirts) have rows but no cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import CONFIDENCE, LEDGER_COLUMNS, LedgerRow, is_http_url
from layers.core.errors import Problem
from layers.core.readers import check_enum, load_rows, read_csv, read_features, read_geometry, read_json

FOLDER = "city"
DISTRICT_COLUMNS = ("district_id", "name_en", "alt_names", "kind", "lat", "lon", "coord_source", "coord_source_url")
DISTRICT_KINDS = ("district", "landmark")
COORD_CONFIDENCE = (*CONFIDENCE, "none")  # none: no source places it (no lat/lon, no cell)
MIN_ZOOM_RANGE = (1, 20)
ALTERNATIVE = "ALTERNATIVE"
DISTRICT_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")  # the ledger's place ids: lower case, digits, _


@dataclass(frozen=True)
class District:
    id: str
    name: str
    alt_names: tuple[str, ...]
    kind: str
    lat: float | None
    lon: float | None
    confidence: str  # of the coordinate
    coord_source: str
    coord_source_url: str


@dataclass(frozen=True)
class City:
    """The city's districts, its ledger (main rows and alternative datings apart) and its outline (lon/lat)."""

    name: str
    min_zoom: int
    regional_place: str  # the regional ledger's place that stands for the whole city ("" if none)
    severity: Mapping[str, str]  # rule: error|warning for findings in the city's files (consistency.py)
    outline: BaseGeometry
    estimated: bool
    basis: str
    districts: Mapping[str, District]
    rows: tuple[LedgerRow, ...]  # the rows that drive the map, by (date, line)
    alternatives: tuple[LedgerRow, ...]  # less-supported datings: shown as disagreements, never coloured

    def inside(self, lon: float, lat: float) -> bool:
        return self.outline.covers(Point(lon, lat))

    def cell_districts(self) -> list[str]:
        """Districts that get a cell: placed, inside the outline, not a landmark, with rows."""
        used = {r.place_id for r in self.rows}
        return [
            d.id
            for d in self.districts.values()
            if d.kind == "district" and d.lat is not None and d.id in used and self.inside(d.lon, d.lat)
        ]


def is_alternative(row: LedgerRow) -> bool:
    """True for the less-supported version of a disagreement (kept and shown, never colouring the map)."""
    return row.description.startswith(ALTERNATIVE + ":") or row.note.startswith(ALTERNATIVE)


def load_city(
    folder: Path, factions: tuple[str, ...], theatre: Mapping, taken_ids: set[str], problems: list[Problem]
) -> City | None:
    """The city of ``folder/city/``, or None when the dataset has none. ``taken_ids``: the regional ledger's
    row ids (a city row must not reuse one). Problems name ``city/<file>``."""
    base = folder / FOLDER
    if not base.is_dir():
        return None
    found: list[Problem] = []
    config = _config(base / "city.json", found)
    outline, estimated, basis = _outline(base / str(config.get("outline") or "outline.geojson"), found)
    districts = _districts(base / "districts.csv", found)
    rows = load_rows(
        base / "ledger.csv", LEDGER_COLUMNS, "place_id", districts, "districts.csv", factions, theatre, found, taken_ids
    )
    rows = sorted(rows, key=lambda r: (r.date, r.line))
    problems.extend(Problem(f"{FOLDER}/{p.file}", p.item, p.message) for p in found)
    if found or outline is None:
        return None
    return City(
        name=str(config.get("name") or "City"),
        min_zoom=int(config["min_zoom"]),
        regional_place=str(config.get("regional_place") or ""),
        severity=dict(config.get("severity") or {}),
        outline=outline,
        estimated=estimated,
        basis=basis,
        districts=districts,
        rows=tuple(r for r in rows if not is_alternative(r)),
        alternatives=tuple(r for r in rows if is_alternative(r)),
    )


def _config(path: Path, problems: list[Problem]) -> dict:
    data = read_json(path, problems)
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "file", "must be a JSON object"))
        return {}
    z = data.get("min_zoom")
    lo, hi = MIN_ZOOM_RANGE
    if isinstance(z, bool) or not isinstance(z, int) or not lo <= z <= hi:
        problems.append(Problem(path.name, "min_zoom", f"must be a whole number from {lo} to {hi}, not {z!r}"))
    sev = data.get("severity", {})
    if not isinstance(sev, dict) or not all(v in ("error", "warning") for v in sev.values()):
        problems.append(Problem(path.name, "severity", "must be a JSON object of rule: error|warning"))
        data["severity"] = {}
    outline = data.get("outline", "outline.geojson")
    if not isinstance(outline, str) or not outline.endswith(".geojson") or "/" in outline or "\\" in outline:
        problems.append(Problem(path.name, "outline", f"must name a .geojson file in the city folder, not {outline!r}"))
        data["outline"] = "outline.geojson"
    return data


def _outline(path: Path, problems: list[Problem]) -> tuple[BaseGeometry | None, bool, str]:
    feats = read_features(path, problems)
    if len(feats) != 1:
        if feats:
            problems.append(Problem(path.name, "file", f"must hold one outline feature, not {len(feats)}"))
        elif path.exists():
            problems.append(Problem(path.name, "file", "has no outline feature"))
        return None, False, ""
    feat = feats[0]
    props = feat.get("properties") if isinstance(feat, dict) else None
    props = props if isinstance(props, dict) else {}
    geom = read_geometry(path, "feature 0", feat, problems)
    bad = []
    if geom is not None and geom.geom_type != "Polygon":
        bad.append(f"must be a Polygon, not {geom.geom_type}")
    elif geom is not None and not geom.is_valid:
        bad.append(f"invalid polygon: {shapely.is_valid_reason(geom)}")
    if not isinstance(props.get("estimated"), bool):
        bad.append("'estimated' must be true or false: say whether the outline is sourced")
    if not str(props.get("basis") or "").strip():
        bad.append("has no 'basis': say what its edges rest on")
    problems.extend(Problem(path.name, "feature 0", b) for b in bad)
    if bad or geom is None:
        return None, False, ""
    return geom, props["estimated"], str(props["basis"]).strip()


def _districts(path: Path, problems: list[Problem]) -> dict[str, District]:
    out: dict[str, District] = {}
    for line, r in read_csv(path, (*DISTRICT_COLUMNS, "coord_confidence"), problems):
        did = r["district_id"]
        label = f"line {line} ({did or 'no district_id'})"
        bad = check_enum(r, {"kind": DISTRICT_KINDS, "coord_confidence": COORD_CONFIDENCE})
        if not DISTRICT_ID.fullmatch(did):
            bad.append(f"district_id {did!r} is not an id (lower-case letters, digits and _)")
        elif did in out:
            bad.append(f"duplicate district_id {did!r}")
        if not r["name_en"]:
            bad.append("has no name_en")
        lat, lon = _number(r["lat"]), _number(r["lon"])
        placed = r["coord_confidence"] != "none"
        if placed and (lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180)):
            bad.append(f"lat/lon {r['lat']!r}, {r['lon']!r} are not a coordinate (or set coord_confidence none)")
        if not placed and (r["lat"] or r["lon"]):
            bad.append("coord_confidence is none but lat/lon are given")
        if placed and not r["coord_source"]:
            bad.append("has a coordinate but no coord_source: say where it comes from")
        if r["coord_source_url"] and not is_http_url(r["coord_source_url"]):
            bad.append(f"coord_source_url {r['coord_source_url']!r} is not an http(s) URL")
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        out[did] = District(
            id=did,
            name=r["name_en"],
            alt_names=tuple(a.strip() for a in r["alt_names"].split(";") if a.strip()),
            kind=r["kind"],
            lat=lat if placed else None,
            lon=lon if placed else None,
            confidence=r["coord_confidence"],
            coord_source=r["coord_source"],
            coord_source_url=r["coord_source_url"],
        )
    return out


def _number(value: str) -> float | None:
    try:
        v = float(value)
    except ValueError:
        return None
    return v if v == v and abs(v) != float("inf") else None


# ---------------------------------------------------------------------------------------------------------
# cells


def cells(city: City, to_m) -> dict[str, BaseGeometry]:
    """Each cell district's Voronoi cell (metres, in ``to_m``'s equal-area projection), clipped to the outline."""
    ids = city.cell_districts()
    extent = to_m(city.outline)
    if not ids:
        return {}
    points = [to_m(Point(city.districts[d].lon, city.districts[d].lat)) for d in ids]
    if len(points) == 1:
        return {ids[0]: extent}
    polys = list(shapely.voronoi_polygons(MultiPoint(points), extend_to=extent).geoms)
    tree = shapely.STRtree(polys)
    out = {}
    for d, pt in zip(ids, points, strict=True):
        cell = next(polys[i] for i in tree.query(pt, predicate="intersects") if polys[i].covers(pt))
        out[d] = shapely.intersection(cell, extent)
    return out


def city_tables(city: City | None, to_m, to_deg, holders: list[str], start) -> tuple[dict, dict]:
    """The ``city`` tables (the shape ``timeline.state_on`` and ``assets/10_state.js`` derive a day from, plus
    the districts and the alternative datings) and the city's geometry for the map layer: ``{"cells", "points",
    "outline"}`` as GeoJSON. No city: ``{}`` and empty collections."""
    empty = {"type": "FeatureCollection", "features": []}
    if city is None:
        return {}, {"cells": empty, "points": empty, "outline": empty}
    from layers.core.geojson import collection, feature
    from layers.core.timeline import row_record

    cell_of = cells(city, to_m)
    used = {r.place_id for r in (*city.rows, *city.alternatives)}
    ids = [d for d in city.districts if d in used]
    index = {d: i for i, d in enumerate(ids)}
    cell_ids = list(cell_of)

    def record(r: LedgerRow) -> dict:
        return {**row_record(r, start, index[r.place_id], holders), "change": r.change, "description": r.description}

    rows = [record(r) for r in city.rows]
    place_rows: list[list[int]] = [[] for _ in ids]
    for i, r in enumerate(city.rows):
        place_rows[index[r.place_id]].append(i)
    places = []
    for d in ids:
        x = city.districts[d]
        inside = x.lat is not None and city.inside(x.lon, x.lat)
        places.append(
            {
                "id": d,
                "name": x.name,
                "kind": x.kind if inside else ("outskirts" if x.lat is not None else "unplaced"),
                "lon": x.lon,
                "lat": x.lat,
                "confidence": x.confidence,
                "coord_source": x.coord_source,
                "coord_source_url": x.coord_source_url if is_http_url(x.coord_source_url) else "",
                "cell": cell_ids.index(d) if d in cell_of else -1,
            }
        )
    outline_m = to_m(city.outline)
    covered = shapely.union_all(list(cell_of.values())) if cell_of else shapely.Polygon()
    uncovered = shapely.difference(outline_m, covered)
    tables = {
        "name": city.name,
        "min_zoom": city.min_zoom,
        "bounds": [round(v, 6) for v in city.outline.bounds],  # west, south, east, north: briefing's city events
        "estimated": city.estimated,
        "basis": city.basis,
        "start": start.isoformat(),
        "holders": holders,
        "places": places,
        "rows": rows,
        "place_rows": place_rows,
        "alternatives": [record(r) for r in city.alternatives],
        "cell_places": [[index[d]] for d in cell_ids],
        "cell_km2": [cell_of[d].area / 1e6 for d in cell_ids],
        "uncovered_km2": round(uncovered.area / 1e6, 6),
        "outline_km2": outline_m.area / 1e6,
        "edge_list": [],  # the city view draws no frontlines: its figures are areas
        "exact": [],
    }
    cell_feats = [
        feature(to_deg(cell_of[d]), {"i": i, "place": index[d], "km2": round(cell_of[d].area / 1e6, 3)})
        for i, d in enumerate(cell_ids)
    ]
    point_feats = [
        feature(
            Point(p["lon"], p["lat"]),
            {"place": i, "kind": p["kind"], "cell": p["cell"], "name": p["name"], "confidence": p["confidence"]},
        )
        for i, p in enumerate(places)
        if p["lat"] is not None
    ]
    outline = feature(city.outline, {"name": city.name, "estimated": city.estimated, "basis": city.basis})
    geometry = {"cells": collection(cell_feats), "points": collection(point_feats), "outline": collection([outline])}
    return tables, geometry
