"""Readers of dated control snapshots: GeoJSON (one file per date), GeoPackage and KML/KMZ.

Each polygon becomes an :class:`Area` (who held it from its date) or errors naming the file and feature."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from pyproj import Transformer
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from layers.core import geocheck as gc
from layers.core.dataset import MAX_FILE_BYTES
from layers.core.geocrs import FILE_READING_CRS, READS_A_FILE, crs_transformer, legacy_crs_name, reproject
from layers.core.geoshape import check_polygon, geojson_polygon, place_problem
from layers.core.import_config import Config, InputFile, parse_day
from layers.core.readers import is_feature_collection

DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
MAX_ARCHIVE_ENTRIES = 100
# Markers and lines that snapshot archives keep next to the control polygons (skipped only when the config says so)
OTHER_GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString")


@dataclass(frozen=True)
class Area:
    """One snapshot polygon: who held it from ``date``."""

    file: str
    item: str
    date: dt.date
    faction: str
    geometry: BaseGeometry
    name: str
    source_url: str


def read_geojson(f: InputFile, config: Config | None, found: gc.Findings) -> list[Area]:
    """Polygons of a GeoJSON FeatureCollection; a legacy ``crs`` member (or the config's) is reprojected."""
    data = gc.parse_json(f.name, f.data, found, features=True)
    if data is None:
        return []
    if not is_feature_collection(data):
        found.error(f.name, "file", "must be a GeoJSON FeatureCollection")
        return []
    transformer = _file_transformer(f.name, data, config, found)
    if transformer is False:
        return []
    feats = data["features"]
    if not found.spend(f.name, len(feats), sum(_count_positions(x) for x in feats)):
        return []
    out = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") if isinstance(feat, dict) else None
        props = props if isinstance(props, dict) else {}
        label = f"feature {i}" + (f" ({str(props['id'])[:60]})" if isinstance(props.get("id"), (str, int)) else "")
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            found.error(f.name, label, 'is not a GeoJSON Feature (needs "type": "Feature")')
            continue
        kind = (feat.get("geometry") or {}).get("type") if isinstance(feat.get("geometry"), dict) else None
        if config is not None and config.skip_other_geometries and kind in OTHER_GEOMETRIES:
            found.warn(f.name, label, f"{kind} skipped (inputs.skip_other_geometries)")
            continue
        geom = geojson_polygon(f.name, label, feat.get("geometry"), found)
        if geom is not None and transformer is not None:
            geom = reproject(geom, transformer)
        if geom is not None:
            area = _area(f.name, label, props, geom, config, found)
            out += [area] if area else []
    return out


def _file_transformer(file: str, data: dict, config: Config | None, found: gc.Findings) -> Transformer | None | bool:
    if "crs" in data:
        name = legacy_crs_name(data["crs"])
        if name is None:
            found.error(file, "crs", "legacy 'crs' member names no CRS: reproject to lon/lat WGS84 (EPSG:4326)")
            return False
        transformer = crs_transformer(file, name, found)
        if transformer:
            found.warn(file, "crs", f"legacy 'crs' member {name}: reprojected to lon/lat WGS84 (EPSG:4326)")
        return transformer
    if config is not None and config.input_crs:
        return crs_transformer(file, config.input_crs, found)
    return None


def _count_positions(value: Any, depth: int = 0) -> int:
    if isinstance(value, dict):
        return _count_positions(value.get("geometry", value.get("coordinates")), depth)
    if isinstance(value, list) and depth < 8:
        if value and not isinstance(value[0], list):
            return 1
        return sum(_count_positions(v, depth + 1) for v in value)
    return 0


def _area(
    file: str,
    label: str,
    props: dict,
    geom: BaseGeometry,
    config: Config | None,
    found: gc.Findings,
    quiet_z: bool = False,
) -> Area | None:
    """One snapshot polygon from a feature's properties and geometry (any reader), or None with errors."""
    kind = getattr(geom, "geom_type", None)
    if config is not None and config.skip_other_geometries and kind in OTHER_GEOMETRIES:
        found.warn(file, label, f"{kind} skipped (inputs.skip_other_geometries)")
        return None
    if quiet_z and geom is not None and shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    before = found.count
    geom = check_polygon(file, label, geom, found)
    date = _feature_date(file, label, props, config, found)
    faction = _feature_faction(file, label, props, config, found)
    name = gc.clean_text(file, label, "name", props.get("name") or props.get("Name") or "", found, 200)
    links = gc.source_links(file, label, "source_url", str(props.get("source_url") or ""), found)
    if geom is not None and config is not None:
        why = place_problem(geom, config.aoi, "polygon")
        if why:
            found.error(file, label, why)
    if found.count > before or geom is None or date is None or faction is None:
        return None
    source = links[0] if links else (config.source_url if config else "")
    return Area(file, label, date, faction, geom, name, source)


def _feature_date(file: str, label: str, props: dict, config: Config | None, found: gc.Findings) -> dt.date | None:
    """The feature's date: its date property, else the date in the file name; both must agree when given."""
    field_name = config.date_field if config else "date"
    named = DATE_IN_NAME.search(Path(file).stem)
    from_name = parse_day(named.group(1)) if named else None
    if named and from_name is None:
        found.error(file, "file", f"date {named.group(1)!r} in the file name is not a real date")
        return None
    value = props.get(field_name)
    if value in (None, ""):
        if from_name is None:
            found.error(file, label, f"has no date: name the file YYYY-MM-DD.geojson or give a '{field_name}' property")
        return from_name
    day = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else parse_day(str(value))
    if isinstance(value, dt.datetime):
        day = value.date()
    if day is None:
        found.error(file, label, f"{field_name} {str(value)[:40]!r} is not an ISO date (YYYY-MM-DD)")
        return None
    if from_name and day != from_name:
        found.error(file, label, f"{field_name} {day} disagrees with the date {from_name} in the file name")
        return None
    return day


def _feature_faction(file: str, label: str, props: dict, config: Config | None, found: gc.Findings) -> str | None:
    field_name = config.faction_field if config else "faction"
    value = props.get(field_name)
    if not isinstance(value, str) or not value.strip():
        found.error(file, label, f"has no '{field_name}' property naming its faction")
        return None
    if config is None:
        return value.strip()
    fid = config.faction_id(value)
    if fid is None:
        ids = ", ".join(f["id"] for f in config.factions)
        found.error(file, label, f"unknown faction {value.strip()[:80]!r}: not a faction id ({ids}) or in faction_map")
    return fid


def read_gpkg(f: InputFile, config: Config | None, found: gc.Findings) -> list[Area]:
    """Every polygon layer of a GeoPackage (a date and a faction column), reprojected to lon/lat if needed."""
    return _read_ogr(f, f.data, "input.gpkg", "a GeoPackage", _read_gpkg_layer, config, found)


def _read_ogr(
    f: InputFile,
    data: bytes,
    filename: str,
    what: str,
    read_layer: Callable[[str, Path, str, Config | None, gc.Findings], list[Area]],
    config: Config | None,
    found: gc.Findings,
) -> list[Area]:
    """Read a file through GDAL from a temp file with a server-made name (the client's name is never a path)."""
    out: list[Area] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / filename
        path.write_bytes(data)
        if filename.endswith(".gpkg") and not _gpkg_crs_safe(f.name, path, found):
            return out
        try:
            with warnings.catch_warnings():
                # GDAL's and pandas' notes on odd files (the checks below report what matters); errors still raise
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.simplefilter("ignore", UserWarning)
                layers = [name for name, geom_type in pyogrio.list_layers(path) if geom_type]
                for layer in layers:
                    out += read_layer(f.name, path, layer, config, found)
        except (RuntimeError, ValueError, OSError, GEOSException) as exc:  # pyogrio's errors are RuntimeErrors
            found.error(f.name, "file", f"cannot be read as {what}: {exc}")
    return out


def _gpkg_crs_safe(file: str, path: Path, found: gc.Findings) -> bool:
    """The GeoPackage's CRS definitions (read with SQLite, before GDAL or PROJ open the file) read no files."""
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        con.text_factory = lambda b: b.decode("utf-8", "replace")  # damaged text is still checked, not fatal
        try:
            cur = con.execute("SELECT * FROM gpkg_spatial_ref_sys")
            names = [d[0].lower() for d in cur.description]
            for row in cur:
                srs = dict(zip(names, row, strict=True))
                for key in ("definition", "definition_12_063"):
                    if isinstance(srs.get(key), str) and FILE_READING_CRS.search(srs[key]):
                        found.error(file, f"CRS {srs.get('srs_id')}", f"definition {READS_A_FILE}")
                        return False
        finally:
            con.close()
    except sqlite3.Error:
        return True  # no CRS table: GDAL reports what is wrong with the file
    except ValueError as exc:  # names in the schema that are not UTF-8
        found.error(file, "file", f"cannot be read as a GeoPackage: {exc}")
        return False
    return True


def _read_gpkg_layer(file: str, path: Path, layer: str, config: Config | None, found: gc.Findings) -> list[Area]:
    df = _read_layer(file, path, layer, found)
    if df is None:
        return []
    if df.crs is not None and not df.crs.equals("EPSG:4326"):
        crs = df.crs.to_string()
        try:
            df = df.to_crs("EPSG:4326")
        except Exception as exc:  # noqa: BLE001 - pyproj raises several types for unusable CRSs
            found.error(file, f"layer {layer}", f"CRS {crs} cannot be reprojected to lon/lat: {exc}")
            return []
        found.warn(file, f"layer {layer}", f"CRS {crs}: reprojected to lon/lat WGS84 (EPSG:4326)")
    elif df.crs is None and config is not None and config.input_crs:
        df = df.set_crs(config.input_crs).to_crs("EPSG:4326")
    out = []
    columns = [c for c in df.columns if c != "geometry"]
    for i, (props, geom) in enumerate(zip(df[columns].to_dict("records"), df.geometry, strict=True)):
        label = f"layer {layer} feature {i}"
        props = {k: (None if _is_missing(v) else v) for k, v in props.items()}
        area = _area(file, label, props, geom, config, found)
        out += [area] if area else []
    return out


def _read_layer(file: str, path: Path, layer: str, found: gc.Findings) -> Any:
    """A layer's features as a GeoDataFrame, counted against the import's budgets: the count the file claims is
    checked before reading, and the read stops one feature past the budget whatever it claims. None if over
    budget (with an error) or empty."""
    left = gc.MAX_FEATURES - found.features
    claimed = int(pyogrio.read_info(path, layer=layer)["features"])
    if claimed == 0 or claimed > left and not found.spend(file, claimed, 0):
        return None
    df = pyogrio.read_dataframe(path, layer=layer, on_invalid="fix", max_features=left + 1)
    if not found.spend(file, len(df), int(shapely.get_num_coordinates(df.geometry.values).sum())) or df.empty:
        return None
    return df


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)  # NaN and NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def read_kml(f: InputFile, config: Config | None, found: gc.Findings) -> list[Area]:
    """Placemarks of a KML or KMZ (checked with defusedxml first), read with GDAL's LIBKML driver."""
    if "LIBKML" not in pyogrio.list_drivers():  # the pinned pyogrio wheel's GDAL has it; the plain KML driver
        found.error(f.name, "file", "cannot read KML here: GDAL has no LIBKML driver")  # drops ExtendedData
        return []
    data = _kmz_document(f, found) if f.suffix == ".kmz" else f.data
    if data is None or not _kml_is_safe(f.name, data, found):
        return []
    return _read_ogr(f, data, "doc.kml", "KML", _read_kml_layer, config, found)


def _kmz_document(f: InputFile, found: gc.Findings) -> bytes | None:
    """doc.kml (or the one .kml at the top) of a KMZ, guarding against zip bombs and path traversal."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(f.data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        found.error(f.name, "file", f"not a valid KMZ (zip) archive: {exc}")
        return None
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        found.error(f.name, "file", f"{len(entries)} entries: more than {MAX_ARCHIVE_ENTRIES}")
        return None
    for e in entries:
        parts = e.filename.replace("\\", "/").split("/")
        if e.filename.startswith(("/", "\\")) or ".." in parts or ":" in e.filename:
            found.error(f.name, f"entry {e.filename[:80]!r}", "path leaves the archive (path traversal): rejected")
            return None
    kml = [e for e in entries if e.filename == "doc.kml"] or [
        e for e in entries if e.filename.lower().endswith(".kml") and "/" not in e.filename
    ]
    if len(kml) != 1:
        found.error(f.name, "file", "a KMZ must hold doc.kml (or exactly one .kml at its top level)")
        return None
    try:
        with archive.open(kml[0]) as fh:  # read at most the limit, whatever the entry's header claims
            data = fh.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError, RuntimeError) as exc:
        found.error(f.name, f"entry {kml[0].filename[:80]!r}", f"cannot be extracted: {exc or type(exc).__name__}")
        return None
    if len(data) > MAX_FILE_BYTES:
        found.error(
            f.name, f"entry {kml[0].filename!r}", f"expands beyond {MAX_FILE_BYTES // 2**20} MiB (zip bomb?): rejected"
        )
        return None
    return data


def _kml_is_safe(file: str, data: bytes, found: gc.Findings) -> bool:
    """Parse with defusedxml first: no DTDs, entities or external references; no network links."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        found.error(file, "file", f"XML with a DTD, entities or external references is not accepted ({exc!r})")
        return False
    except (ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding declared
        found.error(file, "file", f"not well-formed XML: {exc}")
        return False
    if not root.tag.endswith("kml"):
        found.error(file, "file", f"root element is {root.tag!r}, not kml")
        return False
    if any(el.tag.endswith("NetworkLink") for el in root.iter()):
        found.error(file, "file", "NetworkLink elements are not followed: put the features in the file itself")
        return False
    return True


def _read_kml_layer(file: str, path: Path, layer: str, config: Config | None, found: gc.Findings) -> list[Area]:
    df = _read_layer(file, path, layer, found)
    if df is None:
        return []
    out = []
    columns = [c for c in df.columns if c != "geometry"]
    for i, (props, geom) in enumerate(zip(df[columns].to_dict("records"), df.geometry, strict=True)):
        name = props.get("Name") if isinstance(props.get("Name"), str) else ""
        label = f"placemark {i}" + (f" ({name[:60]})" if name else "") + (f" in {layer}" if layer else "")
        props = {k: (None if _is_missing(v) else v) for k, v in props.items()}
        begin, end = props.get("begin"), props.get("end")
        if begin is not None and end is not None and end < begin:
            found.error(file, label, f"TimeSpan runs backwards: begin {begin:%Y-%m-%d} is after end {end:%Y-%m-%d}")
            continue
        field_name = config.date_field if config else "date"
        if props.get(field_name) in (None, ""):
            props[field_name] = props.get("timestamp") or begin
        area = _area(file, label, props, geom, config, found, quiet_z=True)
        out += [area] if area else []
    return out
