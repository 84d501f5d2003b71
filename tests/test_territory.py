"""Unit and property tests of the control model (layers.core.territory) on a tiny hand-made theatre."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point

from layers.core import DatasetError, Problem, Territory, load_dataset
from layers.core.dataset import MAX_DATE, MAX_SPAN_DAYS
from layers.core.ground import GRID_M
from layers.core.territory import NO_REPORTING
from tests.conftest import TINY_BOX, assert_invariants, box, ledger_row, make_theatre, override_feature

D = dt.date


def km2_geodesic(geom_deg) -> float:
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom_deg)[0]) / 1e6


def test_banks_split_the_ground_along_the_river(tiny):
    north, south = tiny.to_deg(tiny.banks["north"]), tiny.to_deg(tiny.banks["south"])
    assert north.bounds[1] == pytest.approx(35.95, abs=1e-4) and north.bounds[3] == pytest.approx(36.0, abs=1e-4)
    assert south.bounds[1] == pytest.approx(35.9, abs=1e-4) and south.bounds[3] == pytest.approx(35.95, abs=1e-4)
    assert tiny.bank_of("n1") == "north" and tiny.bank_of("s1") == "south"


def test_area_is_equal_area_km2_not_degrees(tiny):
    snap = tiny.control_at(D(2017, 1, 1))
    total = sum(snap.area_km2(h) for h in snap.polygons)
    assert total == pytest.approx(km2_geodesic(shapely.box(*TINY_BOX)), rel=1e-3)
    assert 150 < total < 250  # 0.2° x 0.1° at 36°N is about 200 km², not 0.02 "square degrees"


def test_holder_follows_the_latest_row_on_or_before_the_date(tiny):
    assert tiny.row_at("n1", D(2017, 1, 9)).row_id == "B1"
    assert tiny.row_at("n1", D(2017, 1, 10)).row_id == "T1"
    assert tiny.row_at("n1", D(2016, 12, 31)) is None
    snap = tiny.control_at(D(2017, 1, 10))
    assert set(snap.polygons) == {"SDF", "ISIS"}
    assert snap.rows["SDF"] == ("T1",)
    assert snap.polygons["SDF"].contains(tiny.to_m(Point(38.95, 35.97)))
    assert not snap.polygons["SDF"].contains(tiny.to_m(Point(39.05, 35.97)))


def test_a_place_never_holds_ground_across_the_river(tiny):
    snap = tiny.control_at(D(2017, 3, 1))  # whole north bank SDF, south bank contested
    assert snap.polygons["SDF"].symmetric_difference(tiny.banks["north"]).area < 10
    assert snap.polygons["contested"].symmetric_difference(tiny.banks["south"]).area < 10


def test_frontline_runs_between_neighbouring_factions(tiny):
    snap = tiny.control_at(D(2017, 1, 10))
    fronts = tiny.frontlines(snap)
    assert [(a, b) for a, b, _ in fronts] == [("ISIS", "SDF")]
    line = tiny.to_deg(fronts[0][2])
    # the n1/n2 bisector (lon 39.0, river to north edge, 5.6 km) and the river west of it (SDF north of
    # the water, ISIS south of it, 9.0 km)
    assert line.distance(Point(39.0, 35.99)) < 1e-4 and line.distance(Point(38.92, 35.95)) < 1e-4
    assert line.distance(Point(39.05, 35.95)) > 1e-3  # east of the bisector both banks are ISIS
    assert tiny.frontline_km(snap) == pytest.approx(5.56 + 9.02, abs=0.15)


def test_changes_between_two_dates_name_from_and_to(tiny):
    moved = tiny.changes(D(2017, 1, 1), D(2017, 2, 1))
    pairs = {(a, b): g.area / 1e6 for a, b, g in moved}
    assert set(pairs) == {("ISIS", "SDF"), ("ISIS", "contested")}
    assert pairs[("ISIS", "contested")] == pytest.approx(tiny.banks["south"].area / 1e6, rel=1e-3)
    places = {pid: (r1.holder, r2.holder) for pid, r1, r2 in tiny.place_changes(D(2017, 1, 1), D(2017, 2, 1))}
    assert places == {"n1": ("ISIS", "SDF"), "s1": ("ISIS", "contested")}


def test_ground_beyond_the_cell_radius_is_no_reporting(tmp_path):
    t = Territory(load_dataset(make_theatre(tmp_path / "t", radius_km=3)))
    snap = t.control_at(D(2017, 1, 1))
    assert NO_REPORTING in snap.polygons
    assert snap.rows[NO_REPORTING] == ()
    # every holder's ground lies within 3 km of one of its places
    seeds = shapely.union_all([t.to_m(Point(p.lon, p.lat)) for p in t.ds.places.values()])
    assert snap.polygons["ISIS"].difference(seeds.buffer(3000.5)).area < 1


def test_override_replaces_the_derived_ground_for_its_dates(tmp_path):
    override = {
        "type": "Feature",
        "geometry": box(38.93, 35.96, 38.97, 35.99),
        "properties": {
            "id": "O1",
            "holder": "Syrian government",
            "valid_from": "2017-04-01",
            "valid_to": "2017-04-30",
            "ledger_rows": ["T3"],
            "note": "test",
        },
    }
    t = Territory(load_dataset(make_theatre(tmp_path / "t", overrides=[override])))
    assert "Syrian government" not in t.control_at(D(2017, 3, 31)).polygons
    snap = t.control_at(D(2017, 4, 15))
    gov = t.to_deg(snap.polygons["Syrian government"])
    assert gov.area == pytest.approx(0.04 * 0.03, rel=1e-3)
    assert snap.rows["Syrian government"] == ("T3",)
    assert shapely.intersection(snap.polygons["SDF"], snap.polygons["Syrian government"], grid_size=GRID_M).area < 1
    assert "Syrian government" not in t.control_at(D(2017, 5, 1)).polygons
    assert D(2017, 4, 1) in t.change_dates() and D(2017, 5, 1) in t.change_dates()


def test_snapshots_are_cached_per_distinct_state(tiny):
    a, b = tiny.control_at(D(2017, 1, 11)), tiny.control_at(D(2017, 1, 20))
    assert a is b  # nothing changed between these dates
    assert tiny.control_at(D(2017, 2, 1)) is not a


def test_places_sharing_a_point_share_one_cell(tmp_path):
    places = {"a": (38.95, 35.97), "b": (38.95, 35.97), "s": (39.0, 35.93)}
    ledger = [
        ledger_row("R1", "2017-01-01", "a", "ISIS"),
        ledger_row("R2", "2017-01-05", "b", "SDF"),
        ledger_row("R3", "2017-01-01", "s", "ISIS"),
    ]
    t = Territory(load_dataset(make_theatre(tmp_path / "t", places=places, ledger=ledger, events=[])))
    assert ("a", "b") in t.cells
    assert t.control_at(D(2017, 1, 6)).rows["SDF"] == ("R2",)


# ---------------------------------------------------------------------------------------------------------
# properties: for any places and any ledger, the invariants hold

HOLDERS = ["SDF", "ISIS", "Syrian government", "contested"]
lon = st.floats(TINY_BOX[0] + 0.001, TINY_BOX[2] - 0.001)
lat = st.floats(TINY_BOX[1] + 0.001, TINY_BOX[3] - 0.001)
place_sets = st.dictionaries(
    st.from_regex(r"p[0-9]{1,3}", fullmatch=True), st.tuples(lon, lat), min_size=1, max_size=12
)


@st.composite
def theatres(draw):
    places = draw(place_sets)
    rows = []
    for i, pid in enumerate(sorted(places)):
        for j in range(draw(st.integers(1, 3))):
            day = draw(st.integers(0, 300))
            rows.append(
                ledger_row(
                    f"R{i}-{j}",
                    (D(2017, 1, 1) + dt.timedelta(days=day)).isoformat(),
                    pid,
                    draw(st.sampled_from(HOLDERS)),
                )
            )
    radius = draw(st.sampled_from([2, 5, 100]))
    return places, rows, radius


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(theatre=theatres(), day=st.integers(0, 364))
def test_invariants_hold_for_any_ledger(tmp_path_factory, theatre, day):
    places, rows, radius = theatre
    t = Territory(
        load_dataset(
            make_theatre(tmp_path_factory.mktemp("h"), places=places, ledger=rows, events=[], radius_km=radius)
        )
    )
    assert_invariants(t, D(2017, 1, 1) + dt.timedelta(days=day))


def test_geojson_output_is_rfc7946(tiny):
    from layers.core.geojson import control_geojson

    data = json.loads(json.dumps(control_geojson(tiny, D(2017, 1, 10))))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    for f in data["features"]:
        geom = shapely.geometry.shape(f["geometry"])
        assert geom.is_valid
        w, s, e, n = geom.bounds
        assert (
            TINY_BOX[0] - 1e-4 <= w and e <= TINY_BOX[2] + 1e-4 and TINY_BOX[1] - 1e-4 <= s and n <= TINY_BOX[3] + 1e-4
        )
        for poly in getattr(geom, "geoms", [geom]):
            assert poly.exterior.is_ccw  # RFC 7946: exterior rings counter-clockwise


# ---------------------------------------------------------------------------------------------------------
# dates: bounded once, for the loader and the import alike


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("0001-01-01", "9999-12-31", "dates must lie between 1900-01-01 and 2100-12-31 (got 0001-01-01 .. 9999-12-31)"),
        ("1900-01-01", "2100-12-31", "1900-01-01 .. 2100-12-31 spans 73,413 days: a theatre spans at most 18,300 days"),
    ],
)
def test_theatre_dates_outside_the_range_do_not_load(tmp_path, start, end, message):
    folder = make_theatre(tmp_path / "t", ledger=[], events=[])
    theatre = json.loads((folder / "theatre.json").read_text())
    (folder / "theatre.json").write_text(json.dumps({**theatre, "start": start, "end": end}))
    with pytest.raises(DatasetError) as err:
        load_dataset(folder)
    assert Problem("theatre.json", "start/end", message) in err.value.problems


def test_the_longest_theatre_allowed_derives_to_its_last_day(tmp_path):
    """The extreme dates that fit: a theatre of MAX_SPAN_DAYS ending on MAX_DATE, an override to its last day."""
    start = MAX_DATE - dt.timedelta(days=MAX_SPAN_DAYS)
    folder = make_theatre(
        tmp_path / "t",
        ledger=[ledger_row("A", start.isoformat(), "n1", "ISIS")],
        events=[],
        overrides=[override_feature("O1", box(38.93, 35.96, 38.97, 35.99), "SDF", rows=("A",),
                             valid=(start.isoformat(), MAX_DATE.isoformat()))],
    )  # fmt: skip
    theatre = json.loads((folder / "theatre.json").read_text())
    (folder / "theatre.json").write_text(json.dumps({**theatre, "start": start.isoformat(), "end": str(MAX_DATE)}))
    t = Territory(load_dataset(folder))
    assert t.change_dates() == [start]  # the day after the override ends lies beyond the theatre, not an error
    assert t.control_at(MAX_DATE).area_km2("SDF") > 0


def test_override_dates_beyond_the_range_do_not_load(tmp_path):
    far = override_feature("O1", box(38.93, 35.96, 38.97, 35.99), "SDF", valid=("2017-04-01", "9999-12-31"))
    with pytest.raises(DatasetError) as err:
        load_dataset(make_theatre(tmp_path / "t", overrides=[far]))
    assert err.value.problems == [
        Problem(
            "overrides.geojson", "feature 0 (O1)", "valid_from and valid_to must lie between 1900-01-01 and 2100-12-31"
        )
    ]
