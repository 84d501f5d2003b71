"""Inputs of a theatre import for the tests: a config, snapshot and event-table builders in every format."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import geopandas as gpd
from pyproj import Geod
from shapely.geometry import box

from layers.core.import_config import InputFile

AOI = (38.9, 35.9, 39.1, 36.0)

CONFIG = """
name = "Test theatre"
start = 2017-01-01
end = "2017-12-31"
source_url = "https://example.org/source"

[aoi]
bbox = [38.9, 35.9, 39.1, 36.0]

[[factions]]
id = "SDF"
label = "Syrian Democratic Forces"
color = "#e8b70e"

[[factions]]
id = "ISIS"
label = "Islamic State"
color = "#3a3a3a"

[faction_map]
"Daesh" = "ISIS"
"""

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "actor2,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities"
)

UCDP_HEADER = (
    "id,relid,year,type_of_violence,conflict_name,side_a,side_b,source_article,source_headline,where_prec,"
    "where_coordinates,where_description,latitude,longitude,date_prec,date_start,date_end,best"
)

GEOD = Geod(ellps="WGS84")


def poly(coordinates) -> dict:
    return {"type": "Polygon", "coordinates": coordinates}


def sq(w, s, e, n) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def feat(geometry, faction="SDF", **props) -> dict:
    return {"type": "Feature", "properties": {"faction": faction, **props}, "geometry": geometry}


def fc(*features, **extra) -> dict:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def gj(name: str, *features, **extra) -> InputFile:
    return InputFile(name, json.dumps(fc(*features, **extra)).encode())


def raw(name: str, text: str | bytes) -> InputFile:
    return InputFile(name, text.encode() if isinstance(text, str) else text)


EAST_BOX = (39.0, 35.9, 39.1, 36.0)

WEST, EAST = sq(38.9, 35.9, 39.0, 36.0), sq(*EAST_BOX)

GOOD_SNAPSHOT = gj("2017-02-01.geojson", feat(WEST, "SDF"), feat(EAST, "Daesh"))


def acled(*rows: str) -> InputFile:
    return raw("acled.csv", "\n".join([ACLED_HEADER, *rows]) + "\n")


def acled_row(eid="SYR1", date="2017-02-03", lat="35.95", lon="38.95", notes="Clashes near the dam", **kw) -> str:
    values = {
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "SDF",
        "actor2": "ISIS",
        "location": "Tabqa",
        "geo_precision": "1",
        "time_precision": "1",
        "source": "SOHR",
    }
    values.update(kw)
    cells = [
        eid, date, "2017", values["time_precision"], "Political violence", values["event_type"],
        values["sub_event_type"], values["actor1"], "", values["actor2"], values["location"], lat, lon,
        values["geo_precision"], values["source"], "National", notes, "0",
    ]  # fmt: skip
    return ",".join(_cell(c) for c in cells)


def ucdp(*rows: str) -> InputFile:
    return raw("ged.csv", "\n".join([UCDP_HEADER, *rows]) + "\n")


def ucdp_row(rid="123", start="2017-03-05", end="2017-03-06", lat="35.95", lon="39.05", article="AFP") -> str:
    cells = [
        rid, "SYR-1", "2017", "1", "Syria: Government", "SDF", "IS", article, "Fighting in Raqqa", "1",
        "Raqqa town", "near the stadium", lat, lon, "1", start, end, "4",
    ]  # fmt: skip
    return ",".join(_cell(c) for c in cells)


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def config_file(text: str = CONFIG) -> InputFile:
    return raw("theatre.toml", text)


def kml(*placemarks: str, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        + "".join(placemarks)
        + "</Document></kml>"
    )


def placemark(name: str, faction: str, ring, when: str = "<TimeStamp><when>2017-02-01</when></TimeStamp>") -> str:
    coords = " ".join(f"{x},{y},0" for x, y in ring)
    return (
        f'<Placemark><name>{name}</name>{when}<ExtendedData><Data name="faction"><value>{faction}</value></Data>'
        f"</ExtendedData><Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark>"
    )


def ring(w, s, e, n):
    return [(w, s), (e, s), (e, n), (w, n), (w, s)]


def kmz(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def gpkg(tmp_path: Path, rows: list[dict], crs="EPSG:4326", layer="snapshots") -> InputFile:
    geoms = [r.pop("geometry") for r in rows]
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
    path = tmp_path / f"{layer}.gpkg"
    frame.to_file(path, driver="GPKG", layer=layer)
    return InputFile(path.name, path.read_bytes())


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def km2(w, s, e, n) -> float:
    return abs(GEOD.geometry_area_perimeter(box(w, s, e, n))[0]) / 1e6


UTM_WEST = [[500000.0, 3975000.0], [509000.0, 3975000.0], [509000.0, 3986000.0], [500000.0, 3986000.0]]

F0 = "feature 0"

SNAP = "2017-02-01.geojson"

L2 = "line 2 (SYR1)"


def _damaged(data: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    buf = bytearray(data)
    how = seed % 4
    if how == 0:  # flip bytes
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif how == 1:  # cut short
        del buf[rng.randrange(1, len(buf)) :]
    elif how == 2:  # insert structural characters
        for _ in range(rng.randint(1, 4)):
            buf.insert(rng.randrange(len(buf)), rng.choice(b'{}[],":<>&\\\n\x00'))
    else:  # duplicate a slice
        i = rng.randrange(len(buf))
        buf[i:i] = buf[max(0, i - 40) : i]
    return bytes(buf)


def _write(folder: Path, *files: InputFile) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        (folder / f.name).write_bytes(f.data)
    return [folder / f.name for f in files]
