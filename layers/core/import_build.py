"""The dataset files of an import, built in memory: theatre.json, AOI, places, ledger, events and overrides."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import shapely
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from layers.core.consistency import DEFAULT_RULES
from layers.core.dataset import EVENT_COLUMNS, LEDGER_COLUMNS
from layers.core.import_config import Config, slugify
from layers.core.import_events import Report
from layers.core.import_snapshots import Area

__all__ = ["SEGMENT_DEG", "dataset_files"]

SEGMENT_DEG = 0.01  # longest polygon edge written, in degrees (about 1 km)


def dataset_files(
    config: Config, areas: list[Area], reports: list[Report], input_names: list[str]
) -> tuple[dict[str, bytes], dict[str, int]]:
    dates = sorted({a.date for a in areas})
    ends = {d: (dates[i + 1] - dt.timedelta(days=1) if i + 1 < len(dates) else config.end) for i, d in enumerate(dates)}
    places, ledger, overrides = [], [], []
    counter: dict[dt.date, int] = {}
    for a in sorted(areas, key=lambda a: (a.date, a.file, a.item)):
        n = counter[a.date] = counter.get(a.date, 0) + 1
        key = f"{a.date}-{n}"
        pt = a.geometry.representative_point()
        places.append(_place(f"snap-{key}", a.name or f"{a.faction} ground {a.date}", pt, "control snapshot", "high",
                             f"representative point of {a.file} {a.item}", "ledger"))  # fmt: skip
        ledger.append(_ledger_row(f"S-{key}", a, config))
        overrides.append(
            {
                "type": "Feature",
                "properties": {
                    "id": f"O-{key}",
                    "holder": a.faction,
                    "valid_from": a.date.isoformat(),
                    "valid_to": ends[a.date].isoformat(),
                    "ledger_rows": [f"S-{key}"],
                    "note": f"{a.file} {a.item}",
                },
                "geometry": _rounded(a.geometry),
            }
        )
    event_rows, event_places = _events(reports, config)
    files = {
        "theatre.json": _json(_theatre(config, input_names), indent=1),
        "aoi.geojson": _json(_fc([{"type": "Feature", "properties": {}, "geometry": _rounded(config.aoi)}])),
        "places.geojson": _json(_fc(places + event_places)),
        "ledger.csv": _csv(LEDGER_COLUMNS, ledger),
        "events.csv": _csv(EVENT_COLUMNS, event_rows),
    }  # fmt: skip
    if overrides:
        files["overrides.geojson"] = _json(_fc(overrides))
    counts = {
        "snapshot polygons": len(areas),
        "snapshot dates": len(dates),
        "events": len(event_rows),
        "places": len(places) + len(event_places),
    }
    return files, counts


def _theatre(config: Config, input_names: list[str]) -> dict:
    return {
        "name": config.name,
        "short_name": config.name[:60],
        "start": config.start.isoformat(),
        "end": config.end.isoformat(),
        "factions": list(config.factions),
        "river": "",
        "projection": config.projection,
        # Ground comes from the snapshot polygons only: no Voronoi cells around the snapshot places.
        "max_cell_radius_km": 0,
        "rules": {k: v for k, v in DEFAULT_RULES.items() if k != "severity"},  # the consistency rules' defaults
        "source_url": config.source_url,
        "imported_from": input_names,
    }


def _place(pid: str, name: str, pt: Point, kind: str, confidence: str, coord_source: str, role: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(pt.x, 6), round(pt.y, 6)]},
        "properties": {
            "id": pid,
            "name": name,
            "alt_names": [],
            "kind": kind,
            "bank": "",
            "confidence": confidence,
            "coord_source": coord_source,
            "role": role,
        },
    }


def _ledger_row(row_id: str, a: Area, config: Config) -> dict:
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(
        row_id=row_id,
        date=a.date.isoformat(),
        date_precision="day",
        place_id=f"snap-{row_id[2:]}",
        holder=a.faction,
        change="snapshot",
        description=f"Control snapshot of {a.date}: {a.name or a.faction}",
        source_title=a.file,
        source_url=a.source_url,
        confidence=config.snapshot_confidence,
        note=f"{a.file} {a.item}",
    )
    return row


def _events(reports: list[Report], config: Config) -> tuple[list[dict], list[dict]]:
    places: dict[tuple, str] = {}
    features, rows, used = [], [], set()
    for r in sorted(reports, key=lambda r: (r.date, r.event_id)):
        key = (r.location, round(r.lon, 6), round(r.lat, 6))
        if key not in places:
            slug = slugify(r.location)[:50] if re.search("[A-Za-z0-9]", r.location) else ""
            base = f"loc-{slug or f'{r.lat:.4f}n-{r.lon:.4f}e'}"
            pid, n = base, 1
            while pid in used:
                n += 1
                pid = f"{base}-{n}"
            used.add(pid)
            places[key] = pid
            features.append(_place(pid, r.location or pid, Point(r.lon, r.lat), "event location",
                                   r.place_confidence, f"{r.file} {r.item}", "mentioned"))  # fmt: skip
        row = dict.fromkeys(EVENT_COLUMNS, "")
        row.update(
            event_id=r.event_id,
            date=r.date.isoformat(),
            date_precision=r.date_precision,
            title=r.title,
            kind="milestone",
            place_id=places[key],
            detail=r.detail,
            source_url=" ; ".join(r.source_urls) or config.source_url,
            confidence=r.confidence,
        )
        rows.append(row)
    return rows, features


def _rounded(geom: BaseGeometry) -> dict:
    """GeoJSON of a lon/lat polygon, densified so that its long straight edges (straight in lon/lat, as RFC 7946
    reads them) stay where they are in the equal-area projection: shared edges then meet without slivers."""
    dense = shapely.segmentize(geom, SEGMENT_DEG)
    return mapping(shapely.orient_polygons(shapely.set_precision(dense, 1e-7)))


def _fc(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _json(data: Any, indent: int | None = None) -> bytes:
    """JSON as written: compact (the C encoder) unless ``indent`` is given for a small file people read."""
    return (json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False) + "\n").encode("utf-8")


def _csv(columns: tuple[str, ...], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows([row[c] for c in columns] for row in rows)
    return buf.getvalue().encode("utf-8")
