"""Write geodata/city/outline.geojson: the ESTIMATED extent of Raqqa city (no sourced outline exists offline).

The box (lat 35.930-35.978, lon 38.965-39.062) is the one in the project's research notes on the city extent
(west: al-Sabahiya and al-Romaniya; east: al-Mishlab next to Tall Bi'a; north: the districts north of the
railway; south: the Euphrates and the Corniche). Its south edge is the bundled Euphrates line
(``geodata/basemap/rivers.geojson``, WDBII), so the city reaches the river drawn on the map. Every property of
the feature says it is an estimate.

Run:  python geodata/city/build_outline.py
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import LineString, box, mapping, shape
from shapely.ops import split

HERE = Path(__file__).resolve().parent
WEST, SOUTH, EAST, NORTH = 38.965, 35.930, 39.062, 35.978  # the estimated box
REACH = 0.01  # degrees (about 1.1 km) below the box: the river runs 0.2-0.7 km below it west of 39.037 E
CENTRE = (39.008, 35.952)  # GeoNames 172955, Ar Raqqah (a point north of the river)
DECIMALS = 5
BASIS = (
    "Estimated: no sourced outline of Raqqa's built-up area is available offline. Box lat 35.930-35.978, "
    "lon 38.965-39.062 from the districts the sources place at the city's edges (west: al-Sabahiya, al-Romaniya; "
    "east: al-Mishlab by Tall Bi'a; north: the districts north of the railway); south edge on the bundled "
    "Euphrates line (WDBII)."
)


def outline():
    rivers = json.loads((HERE.parent / "basemap" / "rivers.geojson").read_text(encoding="utf-8"))
    lines = [shape(f["geometry"]) for f in rivers["features"]]
    reach = box(WEST, SOUTH - REACH, EAST, NORTH)  # down to the river where it runs close to the box, then cut
    river = shapely.union_all([ln for ln in lines if ln.intersects(reach)])
    pieces = split(reach, river).geoms
    north = next(p for p in pieces if p.contains(shapely.Point(CENTRE)))
    # below the box, keep the strip only where the river runs through it (west of where it leaves the strip,
    # bending south-east); east of that the south edge stays the box's
    floor = LineString([(WEST, SOUTH - REACH), (EAST, SOUTH - REACH)])
    leaves = max(x for x, _ in shapely.get_coordinates(river.intersection(floor)))
    north = shapely.union(north.intersection(box(WEST, SOUTH - REACH, leaves, NORTH)), box(WEST, SOUTH, EAST, NORTH))
    rounded = shapely.get_parts(shapely.set_precision(north, 10**-DECIMALS))
    return max((g for g in rounded if g.geom_type == "Polygon"), key=lambda g: g.area)  # one polygon


def main() -> None:
    geom = outline()
    feat = {
        "type": "Feature",
        "properties": {"id": "raqqa_city", "name": "Raqqa city (estimated extent)", "estimated": True, "basis": BASIS},
        "geometry": mapping(geom),
    }
    out = {"type": "FeatureCollection", "features": [feat]}
    (HERE / "outline.geojson").write_text(json.dumps(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
