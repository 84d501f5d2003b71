"""Write geodata/regions.geojson: the regions whose holder the sources document beyond the reported places.

Each region's edges come from named places (their gazetteer coordinates) and from the governorate lines of the
basemap (Natural Earth admin-1, ``basemap/governorates.geojson``); its holders over time are in ``regions.csv``
with their sources. See ``layers/core/regions.py`` for how the map uses them.

Run:  python geodata/build_regions.py
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import Polygon, box, mapping, shape

HERE = Path(__file__).resolve().parent
WEST, SOUTH, EAST, NORTH = 38.2, 35.55, 40.05, 36.72  # the area of interest (aoi.geojson)
DECIMALS = 5


def _places() -> dict[str, tuple[float, float]]:
    data = json.loads((HERE / "places.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: tuple(f["geometry"]["coordinates"]) for f in data["features"]}


def _governorate(name: str):
    data = json.loads((HERE / "basemap" / "governorates.geojson").read_text(encoding="utf-8"))
    return shapely.make_valid(next(shape(f["geometry"]) for f in data["features"] if f["properties"]["name"] == name))


def regions() -> list[dict]:
    p = _places()
    ayn_issa, suluk, resafa = p["ayn_issa"], p["suluk"], p["resafa"]
    front = [(WEST, ayn_issa[1]), ayn_issa, suluk, (EAST, suluk[1])]  # the SDF's line on 6 Nov 2016
    raqqa = _governorate("Ar Raqqah")
    return [
        {
            "id": "north-border",
            "name": "The north, from the Euphrates to the Turkish border",
            "bank": "north",
            "basis": (
                "North of the SDF's line when the campaign began: the parallel of Ayn Issa from the Euphrates, "
                "Ayn Issa, Suluk, then the parallel of Suluk (Ayn Issa and Suluk: gazetteer coordinates)."
            ),
            "geometry": Polygon([*front, (EAST, NORTH), (WEST, NORTH)]),
        },
        {
            "id": "north-west",
            "name": "Western Raqqa countryside, north of the Euphrates",
            "bank": "north",
            "basis": "North bank south of the SDF's line and west of Ayn Issa's meridian.",
            "geometry": box(WEST, SOUTH, ayn_issa[0], ayn_issa[1]),
        },
        {
            "id": "north-east",
            "name": "Eastern Raqqa countryside, north of the Euphrates",
            "bank": "north",
            "basis": (
                "North bank south of Suluk's parallel and east of Suluk's meridian, within Raqqa governorate "
                "(Natural Earth admin-1): the Deir ez-Zor and Hasakah governorates are left out."
            ),
            "geometry": box(suluk[0], SOUTH, EAST, suluk[1]).intersection(raqqa),
        },
        {
            "id": "south-west",
            "name": "Desert south of the Euphrates, west of Resafa",
            "bank": "south",
            "basis": "South bank west of Resafa's meridian (Resafa: gazetteer coordinates).",
            "geometry": box(WEST, SOUTH, resafa[0], NORTH),
        },
        {
            "id": "south-east",
            "name": "Desert south of the Euphrates, east of Resafa",
            "bank": "south",
            "basis": "South bank east of Resafa's meridian.",
            "geometry": box(resafa[0], SOUTH, EAST, NORTH),
        },
    ]


def main() -> None:
    feats = []
    for r in regions():
        geom = shapely.set_precision(r.pop("geometry"), 10**-DECIMALS)
        feats.append({"type": "Feature", "properties": r, "geometry": mapping(geom)})
    text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, indent=1)
    (HERE / "regions.geojson").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(feats)} regions to {HERE / 'regions.geojson'}")


if __name__ == "__main__":
    main()
