"""Exports: the builders (GeoJSON and CSV of a slice, file names) and the command line (layers/core/export.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from PIL import Image
from shapely.geometry import shape

from layers.core import export
from tests.conftest import ROOT
from tests.export_inputs import D, req

pytestmark = pytest.mark.usefixtures("fresh_frame_cache")

# ---------------------------------------------------------------------------------------------------------
# GeoJSON and CSV


def test_geojson_parses_and_areas_add_up_to_the_ground(ctx):
    doc = json.loads(export.geojson_bytes(ctx.territory, D(2017, 6, 6)))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc and doc["date"] == "2017-06-06"
    holders = [f["properties"]["holder"] for f in doc["features"]]
    assert holders == ["SDF", "ISIS", "contested", "no reporting"]
    total = sum(f["properties"]["area_km2"] for f in doc["features"])
    assert total == pytest.approx(ctx.territory.ground.area / 1e6, rel=1e-3)
    assert sum(f["properties"]["share"] for f in doc["features"]) == pytest.approx(1.0, abs=1e-3)
    rows = {r.row_id: r for r in (*ctx.dataset.ledger, *ctx.dataset.region_rows)}  # regions hold ground too
    for f in doc["features"]:
        geom = shape(f["geometry"])
        assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
        w, s, e, n = geom.bounds
        assert 38 < w < e < 41 and 35 < s < n < 37  # lon/lat order
        for poly in getattr(geom, "geoms", [geom]):
            assert poly.exterior.is_ccw  # RFC 7946: exteriors counter-clockwise
        p = f["properties"]
        if p["holder"] == "no reporting":
            assert p["ledger_rows"] == [] and p["sources"] == []
        else:
            assert p["ledger_rows"] and all(rows[r].holder == p["holder"] for r in p["ledger_rows"])
            assert {rows[r].source_url for r in p["ledger_rows"]} <= set(p["sources"])


def test_csv_columns_and_holders_at_the_date(ctx):
    text = export.csv_bytes(ctx.territory, D(2017, 10, 20)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == export.CSV_COLUMNS
    by_id = {r["place_id"]: r for r in rows}
    raqqa = next(p for p in ctx.dataset.places.values() if p.name == "Raqqa")
    assert by_id[raqqa.id]["holder"] == "SDF"
    row = ctx.territory.row_at(raqqa.id, D(2017, 10, 20))
    assert by_id[raqqa.id]["ledger_row"] == row.row_id and by_id[raqqa.id]["source_url"] == row.source_url
    assert by_id[raqqa.id]["since"] == row.date.isoformat()
    assert all(r["row_confidence"] in ("high", "medium", "low", "") for r in rows)


def test_csv_neutralises_formula_cells(tiny_dir):
    from layers.core import Territory, load_dataset

    path = tiny_dir / "places.geojson"
    doc = json.loads(path.read_text())
    doc["features"][0]["properties"]["name"] = '=HYPERLINK("http://example.org","x")'
    doc["features"][1]["properties"]["name"] = "@SUM(A1)"
    path.write_text(json.dumps(doc))
    terr = Territory(load_dataset(tiny_dir))
    rows = list(csv.reader(io.StringIO(export.csv_bytes(terr, D(2017, 2, 1)).decode("utf-8-sig"))))
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://example.org","x")' in names and "'@SUM(A1)" in names
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_safe_cell_prefixes_formula_starts(cell):
    assert export.safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Raqqa", "al-Mashlab", "", "1.5", "'quoted"])
def test_safe_cell_leaves_plain_text(cell):
    assert export.safe_cell(cell) == cell


def test_file_names(ctx):
    t = ctx.territory
    assert export.filename(t, req(t, date="2017-06-06")) == "raqqa-2017-06-06.png"
    assert export.filename(t, req(t, kind="geojson", date="2017-06-06")) == "raqqa-2017-06-06-control.geojson"
    assert export.filename(t, req(t, kind="gif")) == "raqqa-2016-11-05-to-2017-10-20.gif"
    assert export.filename(t, req(t, kind="mp4", every=7)) == "raqqa-2016-11-05-to-2017-10-20-every-7-days.mp4"
    assert export.filename(t, req(t, kind="csv", theatre="mosul-2017")) == "mosul-2017-2016-11-05-places.csv"


def test_export_modules_import_no_dash():
    code = (
        "import sys, layers.core.export, layers.core.render; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'dash_leaflet', 'flask')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------------------
# command line


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layers", "export", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("kind", export.KINDS)
def test_cli_writes_each_kind(tiny, tiny_dir, tmp_path, kind):
    out = tmp_path / f"out.{kind}"
    res = cli(kind, "--date", "2017-02-01", "--size", "320x240", "--caption", "Tiny", "-o", str(out), str(tiny_dir))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"wrote {out}")
    data = out.read_bytes()
    if kind == "png":
        assert Image.open(io.BytesIO(data)).size == (320, 240)
    elif kind == "gif":
        assert Image.open(io.BytesIO(data)).n_frames == 4
    elif kind == "mp4":
        assert data[4:8] == b"ftyp"
    elif kind == "geojson":
        doc = json.loads(data)
        area = sum(f["properties"]["area_km2"] for f in doc["features"])
        assert area == pytest.approx(tiny.ground.area / 1e6, rel=1e-3)
    else:
        assert data.decode("utf-8-sig").splitlines()[0] == ",".join(export.CSV_COLUMNS)


def test_cli_bounds_and_every(tiny_dir, tmp_path):
    out = tmp_path / "every.gif"
    res = cli(
        "gif", "--every", "100", "--size", "320x240", "--bounds", "38.9,35.9,39.1,36.0", "-o", str(out), str(tiny_dir)
    )
    assert res.returncode == 0, res.stderr
    assert Image.open(out).n_frames == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["png", "--date", "2016-01-01"], "outside the campaign"),
        (["png", "--bounds", "1,2,3"], "four finite numbers"),
        (["png", "--bounds", "a,b,c,d"], "--bounds takes four numbers"),
        (["png", "--size", "big"], "--size takes WIDTHxHEIGHT"),
        (["png", "--bounds", "nan,35,40,36"], "four finite numbers"),
        (["png", "--caption", "x" * 301], "at most 300"),
    ],
)
def test_cli_rejects_bad_arguments(tiny_dir, tmp_path, args, message):
    out = tmp_path / "x.png"
    res = cli(*args, "-o", str(out), str(tiny_dir))
    assert res.returncode == 2 and message in res.stderr
    assert not out.exists()


def test_csv_lists_every_place_and_says_why_one_has_no_holder(ctx):
    """Before: the places the ledger never reports on (some outside the area) were dropped without a note, and
    places with no report yet had an empty holder."""
    from shapely.geometry import Point

    from layers.core.territory import NO_REPORTING

    date = D(2016, 11, 5)
    rows = list(csv.DictReader(io.StringIO(export.csv_bytes(ctx.territory, date).decode("utf-8-sig"))))
    assert {r["place_id"] for r in rows} == set(ctx.dataset.places)
    assert all(r["holder"] for r in rows)
    for r in rows:
        p = ctx.dataset.places[r["place_id"]]
        if ctx.territory.row_at(p.id, date) is not None:
            assert r["note"] == "" and r["holder"] != NO_REPORTING
            continue
        assert r["holder"] == NO_REPORTING and r["ledger_row"] == ""
        assert ("outside the area of interest" in r["note"]) == (not ctx.dataset.aoi.contains(Point(p.lon, p.lat)))
        if ctx.dataset.rows_for(p.id):
            assert r["note"] == "no control report on or before 2016-11-05"
        else:
            assert "reference place: no control reports in the ledger" in r["note"]
    assert any("outside the area of interest" in r["note"] for r in rows)
