"""Regional ground: sourced holders of the ground no reported place reaches.

Beyond ``max_cell_radius_km`` of every place the map knew nothing: "no reporting". Yet some regions have a
documented holder (the SDF held the north up to the Turkish border before the campaign; ISIS held the desert
south of the Euphrates until the government's advance of 2017). A dataset may say so in two optional files:

- ``regions.geojson``: one Polygon per region with ``id``, ``name``, ``bank`` (``north``, ``south`` or empty
  for both) and ``basis`` (where its edges come from: the places, lines or maps that bound it);
- ``regions.csv``: the regional ledger, with the ledger's columns but ``region_id`` for ``place_id``: who
  holds the region's ground from a date on, with source and confidence.

A region holds only ground that no place cell covers (the places' own reports always win), on its bank; so
"no reporting" is left only where nobody reported. Regions must not overlap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from layers.core.dataset import (
    CONFIDENCE,
    DATE_PRECISION,
    LEDGER_COLUMNS,
    LedgerRow,
    _check_enum,
    _features,
    _geometry,
    _url_problems,
    parse_date,
    read_csv,
)
from layers.core.errors import Problem

REGION_COLUMNS = tuple("region_id" if c == "place_id" else c for c in LEDGER_COLUMNS)
REGION_BANKS = ("north", "south", "")


@dataclass(frozen=True)
class Region:
    """A region with a documented holder: its polygon (lon/lat), bank and what its edges rest on."""

    id: str
    name: str
    bank: str
    basis: str
    geometry: BaseGeometry


def load_regions(
    folder: Path, places: Mapping, factions: tuple[str, ...], theatre: Mapping, problems: list[Problem]
) -> tuple[tuple[Region, ...], tuple[LedgerRow, ...]]:
    """Regions and their rows (``place_id`` is the region id), or empty if the dataset has none."""
    gpath, cpath = folder / "regions.geojson", folder / "regions.csv"
    if not gpath.exists() and not cpath.exists():
        return (), ()
    regions: dict[str, Region] = {}
    for i, feat in enumerate(_features(gpath, problems)):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        rid = str(props.get("id") or "").strip()
        label = f"feature {i} ({rid or 'no id'})"
        geom = _geometry(gpath, label, feat, problems)
        bad = []
        if not rid:
            bad.append("has no 'id'")
        elif rid in regions or rid in places:
            bad.append(f"id {rid!r} is already used by a {'region' if rid in regions else 'place'}")
        if not str(props.get("name") or "").strip():
            bad.append("has no 'name'")
        if not str(props.get("basis") or "").strip():
            bad.append("has no 'basis': say which places, lines or maps its edges come from")
        bad += _check_enum(props, {"bank": REGION_BANKS})
        if geom is not None and geom.geom_type not in ("Polygon", "MultiPolygon"):
            bad.append(f"must be a Polygon or MultiPolygon, not {geom.geom_type}")
        elif geom is not None and not geom.is_valid:
            bad.append(f"invalid polygon: {shapely.is_valid_reason(geom)}")
        if bad or geom is None:
            problems.extend(Problem(gpath.name, label, b) for b in bad)
            continue
        bank = props.get("bank") or ""
        for other in regions.values():
            same_ground = other.bank == bank or "" in (other.bank, bank)
            if same_ground and shapely.intersection(other.geometry, geom).area > 1e-9:
                problems.append(Problem(gpath.name, label, f"overlaps region {other.id!r} on the same bank"))
        regions[rid] = Region(rid, str(props["name"]).strip(), bank, str(props["basis"]).strip(), geom)
    rows = _load_rows(cpath, regions, factions, theatre, problems)
    used = {r.place_id for r in rows}
    problems.extend(
        Problem(gpath.name, f"region {rid}", "has no rows in regions.csv") for rid in regions if rid not in used
    )
    return tuple(regions.values()), tuple(sorted(rows, key=lambda r: (r.date, r.line)))


def _load_rows(
    path: Path, regions: Mapping[str, Region], factions: tuple[str, ...], theatre: Mapping, problems: list[Problem]
) -> list[LedgerRow]:
    start, end = parse_date(str(theatre.get("start"))), parse_date(str(theatre.get("end")))
    rows: list[LedgerRow] = []
    seen: set[str] = set()
    for line, r in read_csv(path, REGION_COLUMNS, problems):
        label = f"line {line} ({r['row_id'] or 'no row_id'})"
        bad = _check_enum(r, {"confidence": CONFIDENCE, "date_precision": DATE_PRECISION})
        if not r["row_id"]:
            bad.append("has no row_id")
        elif r["row_id"] in seen:
            bad.append(f"duplicate row_id {r['row_id']!r}")
        date = parse_date(r["date"])
        if date is None:
            bad.append(f"date {r['date']!r} is not an ISO date (YYYY-MM-DD)")
        elif start and end and not (start <= date <= end):
            bad.append(f"date {date} is outside the campaign {start} .. {end}")
        if r["region_id"] not in regions:
            bad.append(f"unknown region_id {r['region_id']!r} (not in regions.geojson)")
        if r["holder"] not in factions:
            bad.append(f"holder {r['holder']!r} is not one of the factions {', '.join(factions)}")
        bad += _url_problems(r, ("source_url",), ("supporting_source_url",))
        if bad:
            problems.extend(Problem(path.name, label, b) for b in bad)
            continue
        seen.add(r["row_id"])
        fields = {k: r[k] for k in LEDGER_COLUMNS if k not in ("date", "place_id")}
        rows.append(LedgerRow(**fields, place_id=r["region_id"], date=date, line=line))
    return rows
