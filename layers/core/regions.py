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

from layers.core.dataset import LEDGER_COLUMNS, LedgerRow
from layers.core.errors import Problem
from layers.core.readers import check_enum, load_rows, read_features, read_geometry

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
    for i, feat in enumerate(read_features(gpath, problems)):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        rid = str(props.get("id") or "").strip()
        label = f"feature {i} ({rid or 'no id'})"
        geom = read_geometry(gpath, label, feat, problems)
        bad = []
        if not rid:
            bad.append("has no 'id'")
        elif rid in regions or rid in places:
            bad.append(f"id {rid!r} is already used by a {'region' if rid in regions else 'place'}")
        if not str(props.get("name") or "").strip():
            bad.append("has no 'name'")
        if not str(props.get("basis") or "").strip():
            bad.append("has no 'basis': say which places, lines or maps its edges come from")
        bad += check_enum(props, {"bank": REGION_BANKS})
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
    rows = load_rows(cpath, REGION_COLUMNS, "region_id", regions, "regions.geojson", factions, theatre, problems)
    used = {r.place_id for r in rows}
    problems.extend(
        Problem(gpath.name, f"region {rid}", "has no rows in regions.csv") for rid in regions if rid not in used
    )
    return tuple(regions.values()), tuple(sorted(rows, key=lambda r: (r.date, r.line)))
