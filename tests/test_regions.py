"""Regional ground (layers.core.regions): sourced regions hold the ground no place cell reaches, in the server
model and in the browser's tables alike; bad region files are named with their line and problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from layers.core import DatasetError, Territory, load_dataset
from layers.core.health import health, no_reporting_share
from layers.core.regions import REGION_COLUMNS
from layers.core.territory import NO_REPORTING
from layers.core.timeline import build_timeline, state_on
from tests.conftest import SRC, box, fc, ledger_row, make_theatre, write_csv

NORTH = box(38.85, 35.93, 39.15, 36.05)  # beyond the tiny theatre's north bank: clipped to it
LEDGER = [
    ledger_row("B1", "2017-01-01", "n1", "ISIS", date_precision="baseline"),
    ledger_row("B2", "2017-01-01", "n2", "ISIS", date_precision="baseline"),
    ledger_row("B3", "2017-01-01", "s1", "ISIS", date_precision="baseline"),
    ledger_row("T1", "2017-03-01", "n1", "SDF"),
]


def region_row(row_id, date, region, holder, **extra):
    row = ledger_row(row_id, date, region, holder, **extra)
    row["region_id"] = row.pop("place_id")
    return row


def theatre(tmp_path: Path, regions, rows) -> Path:
    folder = make_theatre(tmp_path / "t", ledger=LEDGER, radius_km=1)  # cells of 1 km: most ground unreported
    feats = [
        {"type": "Feature", "properties": props, "geometry": geom}
        for props, geom in regions
    ]  # fmt: skip
    (folder / "regions.geojson").write_text(json.dumps(fc(feats)))
    write_csv(folder / "regions.csv", REGION_COLUMNS, rows)
    return folder


NORTH_REGION = ({"id": "north", "name": "North bank", "bank": "north", "basis": "the test river"}, NORTH)
ROWS = [region_row("R1", "2017-01-01", "north", "ISIS"), region_row("R2", "2017-02-01", "north", "SDF")]


def test_region_holds_the_unreported_ground_of_its_bank_from_its_rows(tmp_path):
    ds = load_dataset(theatre(tmp_path, [NORTH_REGION], ROWS))
    terr = Territory(ds)
    region = terr.cells[("north",)]
    before, after = terr.control_at(dt.date(2017, 1, 15)), terr.control_at(dt.date(2017, 2, 15))
    # the north bank less the two 1 km place cells is the region's; only the south bank is left unreported
    north_cells = sum(terr.cells[(p,)].area for p in ("n1", "n2"))
    assert region.area == pytest.approx(terr.banks["north"].area - north_cells, rel=1e-3)
    assert before.area_km2(NO_REPORTING) == pytest.approx(terr.uncovered.area / 1e6)
    assert terr.uncovered.intersection(terr.banks["north"]).area < 1.0
    assert before.area_km2("ISIS") == pytest.approx(sum(c.area for c in terr.cells.values()) / 1e6)
    assert after.area_km2("SDF") == pytest.approx(region.area / 1e6)
    assert "R2" in after.rows["SDF"] and "north" not in after.places.get("SDF", ())
    assert dt.date(2017, 2, 1) in terr.change_dates()


def test_browser_tables_give_the_model_s_answer_with_regions(tmp_path):
    ds = load_dataset(theatre(tmp_path, [NORTH_REGION], ROWS))
    terr = Territory(ds)
    tables = build_timeline(terr)
    assert [p["id"] for p in tables["places"]] == ["n1", "n2", "s1"]  # a region is no place on the map
    assert tables["regions"] == [{"id": "north", "name": "North bank", "basis": "the test river"}]
    assert len(tables["place_rows"]) == 4 and [tables["rows"][i]["id"] for i in tables["place_rows"][3]] == ["R1", "R2"]
    for date in [ds.start, *terr.change_dates()]:
        st = state_on(tables, (date - ds.start).days)
        snap = terr.control_at(date)
        for i, h in enumerate(tables["holders"]):
            assert st["km2"][i] == pytest.approx(snap.area_km2(h), abs=1e-3), (date, h)
        assert st["front_km"] == pytest.approx(terr.frontline_km(snap), rel=0.01, abs=0.05), date
    share = no_reporting_share(tables)
    assert share == {"max_share": round(terr.uncovered.area / terr.ground.area, 4), "day": 0}


def test_no_region_files_means_no_regions(tmp_path):
    ds = load_dataset(make_theatre(tmp_path / "t"))
    assert ds.regions == () and ds.region_rows == () and Territory(ds).region_ids == ()


@pytest.mark.parametrize(
    ("regions", "rows", "problem"),
    [
        ([NORTH_REGION], [region_row("R1", "2017-01-01", "nowhere", "ISIS")],
         "regions.csv: line 2 (R1): unknown region_id 'nowhere' (not in regions.geojson)"),
        ([NORTH_REGION], [region_row("R1", "2017-01-01", "north", "Martians")],
         "regions.csv: line 2 (R1): holder 'Martians' is not one of the factions SDF, ISIS, Syrian government, "
         "contested"),
        ([NORTH_REGION], [region_row("B1", "2017-01-01", "north", "ISIS")],
         "regions.csv: line 2 (B1): row_id is already used in ledger.csv"),
        ([NORTH_REGION], [region_row("R1", "2017-01-01", "north", "ISIS", source_url="")],
         "regions.csv: line 2 (R1): source_url is empty: every row needs a source"),
        ([({"id": "north", "name": "N", "bank": "north"}, NORTH)], ROWS,
         "regions.geojson: feature 0 (north): has no 'basis': say which places, lines or maps its edges come from"),
        ([({"id": "n1", "name": "N", "bank": "north", "basis": "b"}, NORTH)],
         [region_row("R1", "2017-01-01", "n1", "ISIS")],
         "regions.geojson: feature 0 (n1): id 'n1' is already used by a place"),
        ([NORTH_REGION, ({"id": "north2", "name": "N2", "bank": "", "basis": "b"}, NORTH)],
         [*ROWS, region_row("R3", "2017-01-01", "north2", "ISIS")],
         "regions.geojson: feature 1 (north2): overlaps region 'north' on the same bank"),
        ([NORTH_REGION, ({"id": "east", "name": "E", "bank": "north", "basis": "b"}, box(39.05, 35.95, 39.1, 36.0))],
         ROWS, "regions.geojson: feature 1 (east): overlaps region 'north' on the same bank"),
        ([NORTH_REGION, ({"id": "lone", "name": "L", "bank": "south", "basis": "b"}, box(38.9, 35.9, 39.1, 35.95))],
         ROWS, "regions.geojson: region lone: has no rows in regions.csv"),
        ([({"id": "pt", "name": "P", "bank": "north", "basis": "b"}, {"type": "Point", "coordinates": [39.0, 35.97]})],
         [region_row("R1", "2017-01-01", "pt", "ISIS")],
         "regions.geojson: feature 0 (pt): must be a Polygon or MultiPolygon, not Point"),
    ],
)  # fmt: skip
def test_bad_region_files_name_file_line_and_problem(tmp_path, regions, rows, problem):
    with pytest.raises(DatasetError) as err:
        load_dataset(theatre(tmp_path, regions, rows))
    assert problem in [str(p) for p in err.value.problems]


def test_health_counts_rows_implied_rows_coordinates_and_findings(tmp_path):
    ledger = [*LEDGER, ledger_row("E-s1", "2017-10-01", "s1", "SDF", confidence="low", date_precision="by_date")]
    folder = make_theatre(tmp_path / "t", ledger=ledger)
    places = json.loads((folder / "places.geojson").read_text())
    places["features"][0]["properties"]["confidence"] = "low"
    (folder / "places.geojson").write_text(json.dumps(places))
    (folder / "accepted_warnings.csv").write_text(f"rule,subject,reason\nurl,B1 source_url,{SRC} is a test host\n")
    ds = load_dataset(folder)
    h = health(ds, tables=build_timeline(Territory(ds)))
    assert h["ledger_rows"] == 5 and h["rows_by_confidence"] == {"high": 4, "medium": 0, "low": 1}
    assert (h["implied_rows"], h["implied_by_prefix"], h["reported_rows"]) == (1, {"B-": 0, "E-": 1}, 4)
    assert h["coordinates_by_confidence"] == {"high": 2, "medium": 0, "low": 1} and h["estimated_coordinates"] == 1
    assert h["accepted"] == [{"rule": "url", "subject": "B1 source_url", "reason": f"{SRC} is a test host"}]
    assert h["errors"] == 0 and h["warnings"] == len(h["findings"])
    url = [f["item"] for f in h["findings"] if f["rule"] == "url"]  # example.org everywhere; B1's accepted
    rows = ["row B2", "row B3", "row T1", "row E-s1"]
    assert url == [*rows, "event E1", "event E2", "place n1", "place n2", "place s1"]
    assert h["no_reporting"] == {"max_share": 0.0, "day": 0}  # 100 km cells cover the tiny theatre


def test_bundled_data_leaves_under_15_percent_unreported_on_every_date(bundled):
    assert no_reporting_share(build_timeline(Territory(bundled)))["max_share"] < 0.15


def test_timeline_places_say_where_their_coordinate_comes_from(bundled):
    tables = build_timeline(Territory(bundled))
    for p in tables["places"]:
        place = bundled.places[p["id"]]
        assert (p["coord_source"], p["coord_source_url"]) == (place.coord_source, place.coord_source_url)
    assert any(p["coord_source_url"] for p in tables["places"]) and all(p["coord_source"] for p in tables["places"])


def test_region_rows_are_checked_for_truncated_urls(tmp_path):
    from layers.core.consistency import check

    rows = [region_row("R1", "2017-01-01", "north", "ISIS", source_url="http://suryaa.com/14136-")]
    ds = load_dataset(theatre(tmp_path, [NORTH_REGION], rows))
    bad = [(f.severity, f.file, f.item, f.message) for f in check(ds) if f.rule == "url" and f.severity == "error"]
    assert bad == [
        ("error", "regions.csv", "row R1", "source_url 'http://suryaa.com/14136-' looks truncated: it ends with '-'")
    ]
