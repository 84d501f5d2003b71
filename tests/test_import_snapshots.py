"""Dated control snapshots (layers/core/import_snapshots.py): GeoPackage in a projected CRS, KML and KMZ, QGIS's
CRS member, dates in file names, and GeoPackages counted and checked before GDAL reads them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box

from layers.core import DatasetError, Problem, Territory, geocrs, imports, load_dataset
from layers.core import geocheck as gc
from layers.core.import_config import InputFile
from tests.import_inputs import (
    AOI,
    EAST,
    EAST_BOX,
    SNAP,
    WEST,
    config_file,
    fc,
    feat,
    gj,
    gpkg,
    km2,
    kml,
    kmz,
    placemark,
    raw,
    ring,
)


def test_gpkg_snapshots_in_a_projected_crs_are_reprojected(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)
    west = shapely.transform(box(38.9, 35.9, 39.0, 36.0), lambda xy: _fwd(to_utm, xy), include_z=False)
    east = shapely.transform(box(39.0, 35.9, 39.1, 36.0), lambda xy: _fwd(to_utm, xy), include_z=False)
    rows = [
        {"date": "2017-05-01", "faction": "SDF", "geometry": west},
        {"date": "2017-05-01", "faction": "Daesh", "geometry": east},
    ]
    imported = imports.prepare(config_file(), [gpkg(tmp_path, rows, crs="EPSG:32637")])
    assert imported.warnings == [
        Problem("snapshots.gpkg", "layer snapshots", "CRS EPSG:32637: reprojected to lon/lat WGS84 (EPSG:4326)")
    ]
    imports.save(imported, tmp_path / "t")
    snap = Territory(load_dataset(tmp_path / "t")).control_at(dt.date(2017, 6, 1))
    assert snap.area_km2("SDF") == pytest.approx(km2(38.9, 35.9, 39.0, 36.0), rel=2e-3)
    assert snap.area_km2("ISIS") == pytest.approx(km2(39.0, 35.9, 39.1, 36.0), rel=2e-3)


def _fwd(transformer, xy):
    import numpy as np

    return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def test_kml_and_kmz_snapshots_import(tmp_path):
    doc = kml(
        placemark("West &lt;b&gt;bank&lt;/b&gt;", "SDF", ring(38.9, 35.9, 39.0, 36.0)),
        placemark("East", "Daesh", ring(39.0, 35.9, 39.1, 36.0)),
    )
    later = kml(placemark("All", "SDF", ring(38.9, 35.9, 39.1, 36.0), "<TimeStamp><when>2017-07-01</when></TimeStamp>"))
    inputs = [raw("june.kml", doc), InputFile("july.kmz", kmz({"doc.kml": later.encode()}))]
    imported = imports.prepare(config_file(), inputs)
    assert imported.warnings == []  # KML's altitude 0 is dropped without a warning
    imports.save(imported, tmp_path / "t")
    ds = load_dataset(tmp_path / "t")
    assert "West <b>bank</b>" in {p.name for p in ds.places.values()}  # stored as text, as typed
    terr = Territory(ds)
    assert terr.control_at(dt.date(2017, 6, 30)).area_km2("ISIS") == pytest.approx(km2(39.0, 35.9, 39.1, 36.0), 2e-3)
    assert terr.control_at(dt.date(2017, 7, 1)).area_km2("SDF") == pytest.approx(km2(*AOI), rel=2e-3)


def test_kml_needs_gdal_with_libkml(monkeypatch):
    import pyogrio

    assert "LIBKML" in pyogrio.list_drivers()  # the pinned wheel reads KML's ExtendedData with LIBKML
    monkeypatch.setattr(pyogrio, "list_drivers", lambda: {"KML": "rw"})
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [raw("a.kml", kml(placemark("A", "SDF", ring(38.9, 35.9, 39.0, 36.0))))])
    assert err.value.problems == [Problem("a.kml", "file", "cannot read KML here: GDAL has no LIBKML driver")]


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"])
def test_qgis_crs84_member_is_accepted_silently(crs):
    member = {"type": "name", "properties": {"name": crs}}
    qgis = raw(SNAP, json.dumps({**fc(feat(WEST), feat(EAST, "ISIS")), "name": "2017-02-01", "crs": member}))
    imported = imports.prepare(config_file(), [qgis])
    assert imported.warnings == [] and imported.counts["snapshot polygons"] == 2


def test_a_file_level_problem_is_reported_once():
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [gj("2017-02-30.geojson", feat(WEST), feat(EAST, "ISIS"))])
    message = "date '2017-02-30' in the file name is not a real date"
    assert err.value.problems == [Problem("2017-02-30.geojson", "file", message)]


def test_gpkg_layers_count_against_the_feature_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(gc, "MAX_FEATURES", 1)
    rows = [{"date": "2017-02-01", "faction": f, "geometry": box(*b)}
            for f, b in (("SDF", (38.9, 35.9, 39.0, 36.0)), ("ISIS", EAST_BOX))]  # fmt: skip
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [gpkg(tmp_path, rows)])
    assert err.value.problems == [
        Problem("snapshots.gpkg", "file", "more than 1 features in all the inputs together: the limit of one import")
    ]


def test_a_gpkg_whose_crs_reads_a_file_is_refused_before_gdal_opens_it(tmp_path, monkeypatch):
    import sqlite3

    import pyogrio

    f = gpkg(tmp_path, [{"date": "2017-02-01", "faction": "SDF", "geometry": box(38.9, 35.9, 39.0, 36.0)}])
    path = tmp_path / "hostile.gpkg"
    path.write_bytes(f.data)
    with sqlite3.connect(path) as con:
        con.execute(
            "UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = 4326",
            ('GEOGCS["x",DATUM["x",SPHEROID["x",6378137,298.257]],EXTENSION["PROJ4","+init=/etc/passwd"]]',),
        )
    con.close()
    monkeypatch.setattr(pyogrio, "list_layers", lambda *a: pytest.fail("GDAL opened the file"))
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [InputFile("hostile.gpkg", path.read_bytes())])
    assert err.value.problems == [Problem("hostile.gpkg", "CRS 4326", f"definition {geocrs.READS_A_FILE}")]
