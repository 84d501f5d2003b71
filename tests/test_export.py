"""Exports: PNG of a view, GIF/MP4 of the campaign, GeoJSON/CSV of a slice; request validation; the command line."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageSequence
from shapely.geometry import shape

from layers.core import animation, captions, draw, encode, export, fonts, render
from layers.core.export import ExportError, Request, parse_request
from tests.conftest import ROOT

D = dt.date
SMALL = (480, 270)


@pytest.fixture(scope="module")
def ctx():
    from layers.server.context import context

    return context()


@pytest.fixture(autouse=True)
def _fresh_frame_cache():
    animation._FRAMES.clear()
    yield
    animation._FRAMES.clear()


def req(territory, **kw) -> Request:
    data = {"kind": "png", **kw}
    return parse_request(territory, data)


def blend(hex_color: str, alpha: float, under: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], float)
    u = np.array([int(under[i : i + 2], 16) for i in (1, 3, 5)], float)
    return alpha * c + (1 - alpha) * u


def share_of(rgb: np.ndarray, color: np.ndarray, tol: float = 6) -> float:
    """Fraction of the image's pixels within ``tol`` of ``color`` in every channel."""
    return float(np.all(np.abs(rgb.astype(float) - color) <= tol, axis=2).mean())


def faction_fill(ctx, faction: str) -> np.ndarray:
    colors = {f["id"]: f["color"] for f in ctx.dataset.theatre["factions"]}
    return blend(colors[faction], draw.GROUND_ALPHA, draw.STYLE["land"])  # ground over Syria's land


# ---------------------------------------------------------------------------------------------------------
# PNG


def test_png_decodes_at_the_default_size_with_the_faction_colours(ctx):
    png = export.build(ctx.territory, req(ctx.territory, date="2017-06-06"))
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size == (1920, 1080)
        rgb = np.asarray(im.convert("RGB"))
    assert share_of(rgb, faction_fill(ctx, "SDF")) > 0.05
    assert share_of(rgb, faction_fill(ctx, "ISIS")) > 0.02
    assert share_of(rgb, faction_fill(ctx, "Syrian government")) < 0.001  # not yet on the map in June 2017


def test_png_shows_the_government_ground_only_once_it_is_reported(ctx):
    before = render.render_rgb(ctx.territory, render.View(D(2016, 11, 5), ctx.dataset.aoi.bounds, size=SMALL))
    after = render.render_rgb(ctx.territory, render.View(D(2017, 10, 20), ctx.dataset.aoi.bounds, size=SMALL))
    fill = faction_fill(ctx, "Syrian government")
    assert before.shape == after.shape == (SMALL[1], SMALL[0], 3)
    assert share_of(before, fill) < 0.001 < share_of(after, fill)


def test_png_clips_to_the_requested_bounds(ctx):
    # a view of the steppe north-east of Raqqa that no reported place reaches: no-reporting hatch, no SDF fill
    far = render.render_rgb(ctx.territory, render.View(D(2017, 6, 6), (39.75, 36.35, 40.0, 36.5), size=SMALL))
    whole = render.render_rgb(ctx.territory, render.View(D(2017, 6, 6), ctx.dataset.aoi.bounds, size=SMALL))
    sdf = faction_fill(ctx, "SDF")
    assert share_of(whole, sdf) > 0.05
    assert share_of(far, sdf) < share_of(whole, sdf) / 2


def test_contested_and_unreported_ground_is_hatched_not_only_coloured(ctx):
    view = render.View(D(2017, 8, 15), (38.9, 35.88, 39.15, 36.03), size=(960, 540))
    rgb = render.render_rgb(ctx.territory, view)
    hatch = np.array([int(draw.STYLE["contested_hatch"][i : i + 2], 16) for i in (1, 3, 5)], float)
    assert share_of(rgb, hatch, tol=25) > 0.002  # the purple hatch lines over contested ground
    wide = render.render_rgb(ctx.territory, render.View(D(2017, 8, 15), ctx.dataset.aoi.bounds, size=(960, 540)))
    grey = np.array([int(draw.STYLE["none_hatch"][i : i + 2], 16) for i in (1, 3, 5)], float)
    assert share_of(wide, grey, tol=25) > 0.01  # the grey hatch lines over ground with no reporting


def test_png_at_a_requested_size_and_with_layers_off(ctx):
    r = req(ctx.territory, date="2017-06-06", size=[1280, 720], layers=["places"])
    with Image.open(io.BytesIO(export.build(ctx.territory, r))) as im:
        assert im.size == (1280, 720)
        rgb = np.asarray(im.convert("RGB"))
    assert share_of(rgb, faction_fill(ctx, "SDF")) < 0.001  # ground layer off


def test_caption_is_drawn_as_text_not_mathtext(ctx):
    view = render.View(D(2017, 6, 6), ctx.dataset.aoi.bounds, caption="$\\frac{a}{ and 100% $$ {", size=SMALL)
    assert render.render_rgb(ctx.territory, view).shape == (SMALL[1], SMALL[0], 3)


def test_default_caption_is_the_event_of_the_date_or_the_last_before(ctx):
    assert "Battle of Raqqa begins" in captions.default_caption(ctx.territory, D(2017, 6, 6))
    later = captions.default_caption(ctx.territory, D(2017, 6, 7))
    assert later.startswith("Last event before this date, 6 June 2017:")


def test_source_line_names_the_rows_and_hosts_of_the_date(ctx):
    line = captions.source_line(ctx.territory, D(2017, 6, 6))
    assert "T081" in line and "en.wikipedia.org" in line and "airwars.org" in line
    assert "ledger rows in force" in line
    for licence in ("GeoNames, CC BY 4.0", "OpenStreetMap contributors, ODbL", "Natural Earth, public domain"):
        assert licence in captions.LICENCES


def test_bundled_fonts_are_used(ctx):
    fonts.register_fonts()
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    assert {fonts.FAMILY, fonts.EXT_FAMILY} <= names
    path = font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY, weight="bold"))
    assert path.endswith("noto-sans-latin-700-normal.ttf")


def test_events_window_matches_the_map_layer():
    from layers.features.tables import client_tables
    from layers.server.context import context

    assert client_tables(context(), "")["recent_days"] == draw.RECENT_DAYS


# ---------------------------------------------------------------------------------------------------------
# GIF and MP4


def test_frame_dates_one_per_map_state(tiny):
    dates = animation.frame_dates(tiny)
    assert dates == [D(2017, 1, 1), D(2017, 1, 10), D(2017, 2, 1), D(2017, 3, 1)]
    assert len({tiny.state_key(d) for d in dates}) == len(dates)


def test_frame_dates_every_n_days_include_the_end(tiny):
    dates = animation.frame_dates(tiny, every=100)
    assert dates == [D(2017, 1, 1), D(2017, 4, 11), D(2017, 7, 20), D(2017, 10, 28), D(2017, 12, 31)]


def test_gif_has_one_frame_per_state_each_different(tiny):
    gif = export.build(tiny, req(tiny, kind="gif", size=list(SMALL)))
    with Image.open(io.BytesIO(gif)) as im:
        assert im.format == "GIF" and im.size == SMALL
        frames = [np.asarray(f.convert("RGB")).copy() for f in ImageSequence.Iterator(im)]
        assert im.info.get("loop") == 0
    assert len(frames) == len(animation.frame_dates(tiny)) == 4
    digests = {f.tobytes() for f in frames}
    assert len(digests) == 4


def test_second_animation_reuses_the_cached_frames(tiny, monkeypatch):
    r = req(tiny, kind="gif", size=list(SMALL))
    first = export.build(tiny, r)
    assert len(animation._FRAMES) == 4

    def no_rendering(*_a, **_k):
        raise AssertionError("frame rendered again")

    monkeypatch.setattr(render, "render_rgb", no_rendering)
    assert export.build(tiny, r) == first
    assert len(export.build(tiny, req(tiny, kind="mp4", size=list(SMALL)))) > 0  # same frames, other format


def test_an_animation_over_the_pixel_budget_is_refused_before_any_frame_is_drawn(ctx, monkeypatch):
    def no_rendering(*_a, **_k):
        raise AssertionError("a frame was drawn")

    monkeypatch.setattr(render, "render_rgb", no_rendering)
    every_day_4k = req(ctx.territory, kind="gif", every=1, size=[3840, 2160])
    n = len(animation.frame_dates(ctx.territory, every=1))
    millions = f"{n * 3840 * 2160 / 1e6:,.0f}"
    message = rf"{n} frames of 3840x2160 are {millions} million pixels: more than the 200 million"
    with pytest.raises(ExportError, match=message):
        export.build(ctx.territory, every_day_4k)
    with pytest.raises(ExportError, match=r"at 1280x720, at most 217 frames"):
        export.build(ctx.territory, req(ctx.territory, kind="mp4", every=1))
    assert export.check_size(ctx.territory, req(ctx.territory, kind="gif")) == len(animation.frame_dates(ctx.territory))


def test_progress_counts_every_frame_and_a_given_store_keeps_them(tiny):
    class Store(export.FrameStore):
        def __init__(self):
            self.items = {}

        def get(self, key):
            return self.items.get(key)

        def put(self, key, value):
            self.items[key] = value

    seen, store = [], Store()
    gif = export.build(tiny, req(tiny, kind="gif", size=list(SMALL)), frames=store, progress=lambda *a: seen.append(a))
    assert gif[:6] == b"GIF89a"
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(store.items) == 4 and len(animation._FRAMES) == 0
    assert all(k.startswith("frame:") and v[:4] == b"\x89PNG" for k, v in store.items.items())


def test_mp4_is_a_valid_container_with_every_frame(tiny, tmp_path):
    mp4 = export.build(tiny, req(tiny, kind="mp4", size=list(SMALL)))
    assert mp4[4:8] == b"ftyp" and b"moov" in mp4
    imageio = pytest.importorskip("imageio.v2")
    path = tmp_path / "campaign.mp4"
    path.write_bytes(mp4)
    reader = imageio.get_reader(path, format="FFMPEG")
    try:
        n = reader.count_frames()
        size = reader.get_meta_data()["size"]
    finally:
        reader.close()
    hold = round(encode.HOLD_SECONDS / encode.FRAME_SECONDS)
    assert n == 4 + hold - 1
    assert size == SMALL


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


# ---------------------------------------------------------------------------------------------------------
# validation of requests (open HTTP endpoint)


def test_defaults_are_the_campaign_start_and_the_area_of_interest(ctx):
    r = parse_request(ctx.territory, {"kind": "png"})
    assert r.date == ctx.dataset.start and r.bounds == tuple(ctx.dataset.aoi.bounds)
    assert r.caption is None and r.layers == frozenset(export.MAP_LAYERS)


def test_a_full_view_from_the_engine_is_accepted(ctx):
    view = {
        "kind": "png",
        "nonce": 1764000000000,
        "date": "2017-06-06",
        "compare": "2017-05-01",
        "bounds": [38.8, 35.8, 39.3, 36.1],
        "layers": ["control", "frontline", "basemap"],
        "caption": "  Raqqa\x00 in June ",
        "theatre": None,
        "center": [36.0, 39.0],
        "zoom": 9,
    }
    r = parse_request(ctx.territory, view)
    assert r.date == D(2017, 6, 6) and r.bounds == (38.8, 35.8, 39.3, 36.1)
    assert r.layers == {"control", "frontline"} and r.caption == "Raqqa  in June"


HOSTILE = [
    ("not a dict", "not understood"),
    (None, "not understood"),
    ({"kind": "exe"}, "Unknown export kind"),
    ({"kind": ["png"]}, "Unknown export kind"),
    ({}, "Unknown export kind"),
    ({"kind": "png", "date": "2017-02-30"}, "does not exist"),
    ({"kind": "png", "date": "2015-01-01"}, "outside the campaign"),
    ({"kind": "png", "date": "2018-01-01"}, "outside the campaign"),
    ({"kind": "png", "date": "yesterday"}, "YYYY-MM-DD"),
    ({"kind": "png", "date": 20170606}, "YYYY-MM-DD"),
    ({"kind": "png", "date": "2017-06-06T00:00"}, "YYYY-MM-DD"),
    ({"kind": "png", "compare": "1999-01-01"}, "outside the campaign"),
    ({"kind": "png", "bounds": [math.nan, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [38, 35.5, math.inf, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [40, 35.5, 38, 36.7]}, "west < east"),
    ({"kind": "png", "bounds": [38, 36.7, 40, 35.5]}, "south < north"),
    ({"kind": "png", "bounds": [38, 35.5, 40]}, "four finite numbers"),
    ({"kind": "png", "bounds": ["38", 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [True, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [-500, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": "38,35,40,36"}, "four finite numbers"),
    ({"kind": "png", "caption": "x" * 301}, "at most 300"),
    ({"kind": "png", "caption": "x" * 1_000_000}, "at most 300"),
    ({"kind": "png", "caption": {"html": "<b>x</b>"}}, "must be text"),
    ({"kind": "png", "layers": "control"}, "map layers"),
    ({"kind": "png", "theatre": "../../etc/passwd"}, "theatre"),
    ({"kind": "png", "theatre": 7}, "theatre"),
    ({"kind": "png", "theatre": "Raqqa City"}, "theatre"),
    ({"kind": "gif", "every": 0}, "whole number of days"),
    ({"kind": "gif", "every": 10**9}, "whole number of days"),
    ({"kind": "png", "size": [100000, 100000]}, "image size"),
]


@pytest.mark.parametrize("data, message", HOSTILE)
def test_hostile_requests_are_rejected_with_a_message(ctx, data, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(")):
        parse_request(ctx.territory, data)


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


# ---------------------------------------------------------------------------------------------------------
# the Dash panel (layers/features/export.py)


@pytest.mark.parametrize("data, message", HOSTILE[:6] + HOSTILE[12:13] + HOSTILE[21:22])
def test_callback_answers_hostile_input_with_a_status_message(ctx, data, message):
    from dash import no_update

    from layers.features import export as dash_export

    download, status = dash_export.build_download(ctx, data)
    assert download is no_update
    assert status.startswith("Export not made:") and message.split("(")[0] in status


def test_callback_reports_a_failed_build_without_raising(ctx, monkeypatch):
    from dash import no_update

    from layers.features import export as dash_export

    def broken(*_a):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "build", broken)
    assert dash_export.build_download(ctx, {"kind": "png"}) == (
        no_update,
        "Export failed on the server; the error is in its log.",
    )


def test_callback_refuses_a_theatre_not_open_here():
    from dash import no_update

    from layers.features import export as dash_export

    for theatre in ("no-such-theatre", 42, ["x"]):
        assert dash_export.export_file(print, {"kind": "png", "theatre": theatre}) == (
            no_update,
            "Export not made: that theatre is not open on this server.",
        )


def test_callback_returns_a_named_download(ctx):
    from layers.features import export as dash_export

    download, status = dash_export.export_file(print, {"kind": "csv", "date": "2017-06-06", "nonce": 1})
    assert download["filename"] == "raqqa-2017-06-06-places.csv" and download["type"] == "text/csv"
    assert base64.b64decode(download["content"]).decode("utf-8-sig").startswith("place_id,name,")
    assert status.startswith("Saved places table raqqa-2017-06-06-places.csv")


def test_callback_reports_progress_frame_by_frame_and_keeps_frames_on_disk(ctx, monkeypatch):
    from layers.features import export as dash_export

    monkeypatch.setattr(animation, "frame_dates", lambda territory, every=None: [D(2017, 6, 1), D(2017, 6, 6)])
    seen = []
    download, status = dash_export.export_file(seen.append, {"kind": "gif", "size": list(SMALL)})
    assert download["filename"].endswith(".gif") and status.startswith("Saved animation")
    assert seen == [["1", "2", "Drawing frame 1 of 2…"], ["2", "2", "Encoding 2 frames…"]]

    def no_rendering(*_a, **_k):
        raise AssertionError("frame rendered again")

    monkeypatch.setattr(render, "render_rgb", no_rendering)  # the second export reads the frames from disk
    animation._FRAMES.clear()
    again, _ = dash_export.export_file(seen.append, {"kind": "gif", "size": list(SMALL)})
    assert again["content"] == download["content"]


def test_callback_refuses_an_oversized_animation_and_a_busy_server_with_a_message(ctx, monkeypatch):
    from dash import no_update

    from layers.features import export as dash_export
    from layers.server import jobs

    download, status = dash_export.export_file(print, {"kind": "gif", "every": 1, "size": [3840, 2160]})
    assert download is no_update and "million an animation may hold" in status
    monkeypatch.setenv("RAQQA_MAX_JOBS", "2")
    with jobs.heavy_slot(), jobs.heavy_slot():  # two jobs running elsewhere on the server
        assert dash_export.export_file(print, {"kind": "png"}) == (no_update, f"Export not made: {jobs.BUSY}")
    download, status = dash_export.export_file(print, {"kind": "geojson"})
    assert status.startswith("Saved")


def test_component_has_a_button_per_kind_a_store_a_download_and_a_status(ctx):
    from layers.features import export as dash_export

    panel = dash_export.component(ctx)
    found = {}

    def walk(node):
        if hasattr(node, "to_plotly_json"):
            found[json.dumps(getattr(node, "id", None), sort_keys=True)] = node
            kids = getattr(node, "children", None)
            for k in kids if isinstance(kids, list) else [kids]:
                walk(k)

    walk(panel)
    for kind in export.KINDS:
        button = found[json.dumps({"kind": kind, "type": "export-button"}, sort_keys=True)]
        assert button.children and kind.upper() in button.children.upper()
    for id_ in ("export-request", "export-download", "export-status"):
        assert json.dumps(id_) in found


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
