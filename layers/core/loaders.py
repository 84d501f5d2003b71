"""Load a dataset folder: :func:`load_dataset` and one loader per file (theatre, places, ledger, events, AOI …)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import shapely
from shapely.geometry.base import BaseGeometry

from layers.core.city import load_city
from layers.core.dataset import (
    AGREEMENT,
    BANKS,
    CONFIDENCE,
    DATE_PRECISION,
    EVENT_COLUMNS,
    EVENT_KINDS,
    LEDGER_COLUMNS,
    MAX_DATE,
    MIN_DATE,
    PLACE_ROLES,
    Dataset,
    Event,
    LedgerRow,
    Override,
    Place,
    is_http_url,
    parse_date,
    split_urls,
    theatre_dates_problem,
)
from layers.core.errors import DatasetError, Problem
from layers.core.readers import check_enum, load_rows, read_csv, read_features, read_geometry, read_json, url_problems
from layers.core.regions import load_regions

__all__ = ["load_basemap", "load_dataset"]


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
    basemap = load_basemap(folder / "basemap", problems)
    regions, region_rows = load_regions(folder, places, factions, theatre or {}, problems)
    problems += [
        Problem("regions.csv", f"line {r.line} ({r.row_id})", "row_id is already used in ledger.csv")
        for r in region_rows
        if r.row_id in {x.row_id for x in ledger}
    ]
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


def _load_places(path: Path, problems: list[Problem]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for i, feat in enumerate(read_features(path, problems)):
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
        geom = read_geometry(path, label, feat, problems)
        if geom is None:
            continue
        if geom.geom_type != "Point":
            problems.append(Problem(path.name, label, f"must be a Point, not {geom.geom_type}"))
            continue
        bad = check_enum(props, {"confidence": CONFIDENCE, "role": PLACE_ROLES, "bank": BANKS})
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


def _load_ledger(
    path: Path, places: Mapping[str, Place], factions: tuple[str, ...], theatre: Mapping, problems: list[Problem]
) -> list[LedgerRow]:
    return load_rows(path, LEDGER_COLUMNS, "place_id", places, "places.geojson", factions, theatre, problems)


EVENT_ENUMS = {"confidence": CONFIDENCE, "date_precision": DATE_PRECISION, "kind": EVENT_KINDS, "agreement": AGREEMENT}


EVENT_FIELDS = tuple(k for k in EVENT_COLUMNS if k not in ("date", "source_url", "ledger_rows"))


def _load_events(path: Path, places: Mapping[str, Place], ledger_ids: set[str], problems: list[Problem]) -> list[Event]:
    events: list[Event] = []
    seen: set[str] = set()
    for line, r in read_csv(path, EVENT_COLUMNS, problems):
        bad = check_enum(r, EVENT_ENUMS)
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
        bad += url_problems(r, ("source_url",), ())
        if bad:
            label = f"line {line} ({r['event_id'] or 'no event_id'})"
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        seen.add(r["event_id"])
        fields = {k: r[k] for k in EVENT_FIELDS}
        events.append(Event(**fields, date=date, source_urls=split_urls(r["source_url"]), ledger_rows=linked))
    return events


def _load_aoi(path: Path, problems: list[Problem]) -> BaseGeometry:
    feats = read_features(path, problems)
    geoms = [g for i, f in enumerate(feats) if (g := read_geometry(path, f"feature {i}", f, problems)) is not None]
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
    for i, feat in enumerate(read_features(path, problems, optional=True)):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        label = f"feature {i} ({props.get('id') or 'no id'})"
        geom = read_geometry(path, label, feat, problems)
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


def load_basemap(folder: Path, problems: list[Problem]) -> dict[str, dict]:
    layers = {}
    if not folder.is_dir():
        return layers
    for path in sorted(folder.glob("*.geojson")):
        feats = read_features(path, problems)
        for i, f in enumerate(feats):
            read_geometry(path, f"feature {i}", f, problems)
        layers[path.stem] = {"type": "FeatureCollection", "features": feats}
    return layers
