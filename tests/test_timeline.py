"""The browser's tables (layers.core.timeline): the per-day derivation must give the server model's answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely

from layers.core import Territory, load_dataset
from layers.core.timeline import build_timeline, state_on
from tests.conftest import box, ledger_row, make_theatre

D = dt.date


def _day(territory, date):
    return (date - territory.ds.start).days


def _assert_matches_territory(territory, tables, date):
    st = state_on(tables, _day(territory, date))
    snap = territory.control_at(date)
    for i, h in enumerate(tables["holders"]):
        assert st["km2"][i] == pytest.approx(snap.area_km2(h), abs=1e-3), (date, h)
    assert st["front_km"] == pytest.approx(territory.frontline_km(snap), rel=0.01, abs=0.05), date


def test_tiny_theatre_days_match_the_model(tiny):
    tables = build_timeline(tiny)
    for date in [D(2017, 1, 1), D(2017, 1, 9), D(2017, 1, 10), D(2017, 2, 1), D(2017, 3, 1), D(2017, 12, 31)]:
        _assert_matches_territory(tiny, tables, date)
    # hand check: on 10 Jan n1 is SDF, n2 and s1 ISIS
    st = state_on(tables, _day(tiny, D(2017, 1, 10)))
    holders = {
        tables["places"][c[0]]["id"]: tables["holders"][h]
        for c, h in zip(tables["cell_places"], st["cell_holder"], strict=True)
    }
    assert holders == {"n1": "SDF", "n2": "ISIS", "s1": "ISIS"}


def test_every_change_date_of_the_bundled_data_matches_the_model(bundled_territory):
    tables = build_timeline(bundled_territory)
    dates = bundled_territory.change_dates()
    assert len(dates) > 100
    for date in dates:
        _assert_matches_territory(bundled_territory, tables, date)


def test_a_day_before_any_report_is_no_reporting(tmp_path):
    ledger = [ledger_row("T1", "2017-02-01", "n1", "SDF")]
    t = Territory(load_dataset(make_theatre(tmp_path / "t", ledger=ledger)))
    tables = build_timeline(t)
    st = state_on(tables, 0)
    no_rep = tables["holders"].index("no reporting")
    assert st["cell_holder"] == [no_rep] and st["front_km"] == 0
    assert st["km2"][no_rep] == pytest.approx(t.ground.area / 1e6, rel=1e-6)
    assert state_on(tables, 31)["cell_holder"] == [tables["holders"].index("SDF")]


def test_edges_join_neighbouring_cells_only(tiny):
    tables = build_timeline(tiny)
    idx = {tables["places"][c[0]]["id"]: i for i, c in enumerate(tables["cell_places"])}
    pairs = {frozenset((a, b)) for a, b, _ in tables["edge_list"]}
    # n1 | n2 share the meridian; both touch s1 along the river
    assert pairs == {
        frozenset((idx["n1"], idx["n2"])),
        frozenset((idx["n1"], idx["s1"])),
        frozenset((idx["n2"], idx["s1"])),
    }
    km = {frozenset((a, b)): k for a, b, k in tables["edge_list"]}
    assert km[frozenset((idx["n1"], idx["n2"]))] == pytest.approx(5.56, abs=0.1)  # 0.05° of latitude


def test_overrides_come_with_exact_areas_for_their_days(tmp_path):
    override = {
        "type": "Feature",
        "geometry": box(38.95, 35.9, 39.05, 35.95),
        "properties": {"id": "O1", "holder": "Syrian government", "valid_from": "2017-04-01",
                       "valid_to": "2017-04-30", "ledger_rows": ["T2"]},
    }  # fmt: skip
    t = Territory(load_dataset(make_theatre(tmp_path / "t", overrides=[override])))
    tables = build_timeline(t)
    assert [f["properties"]["id"] for f in tables["overrides"]["features"]] == ["O1"]
    assert [(e["from"], e["to"]) for e in tables["exact"]] == [(_day(t, D(2017, 4, 1)), _day(t, D(2017, 4, 30)))]
    for date in [D(2017, 3, 31), D(2017, 4, 1), D(2017, 4, 15), D(2017, 5, 1)]:
        _assert_matches_territory(t, tables, date)
    gov = tables["holders"].index("Syrian government")
    assert state_on(tables, _day(t, D(2017, 4, 15)))["km2"][gov] > 0
    assert state_on(tables, _day(t, D(2017, 5, 1)))["km2"][gov] == 0


def test_coverage_simplification_keeps_cells_without_gaps_or_overlaps(bundled_territory):
    full = build_timeline(bundled_territory)
    simple = build_timeline(bundled_territory, simplify_m=200)
    geoms = [shapely.geometry.shape(f["geometry"]) for f in simple["cells"]["features"]]
    count = lambda fc: sum(shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"])) for f in fc["features"])  # noqa: E731
    assert count(simple["cells"]) < count(full["cells"])
    union = shapely.union_all(geoms)
    # pieces still tile: the union's area equals the sum of the parts (no overlaps) …
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=1e-4)
    # … and the areas used for the figures are the exact ones, not the simplified ones
    assert simple["cell_km2"] == full["cell_km2"]


def test_tables_are_plain_json_and_hold_no_non_http_links(bundled_territory):
    tables = build_timeline(bundled_territory)
    text = json.dumps(tables)
    assert json.loads(text)["span"] == (bundled_territory.ds.end - bundled_territory.ds.start).days
    assert all(r["source"] == "" or r["source"].startswith(("http://", "https://")) for r in tables["rows"])


def test_area_steps_walks_the_ledger_to_the_same_figures(bundled_territory, tmp_path):
    from layers.core.timeline import area_steps

    override = {
        "type": "Feature",
        "geometry": box(38.95, 35.9, 39.05, 35.95),
        "properties": {"id": "O1", "holder": "Syrian government", "valid_from": "2017-04-01",
                       "valid_to": "2017-04-30", "ledger_rows": ["T2"]},
    }  # fmt: skip
    theatres = [
        bundled_territory,
        Territory(load_dataset(make_theatre(tmp_path / "t"))),
        Territory(load_dataset(make_theatre(tmp_path / "o", overrides=[override]))),
    ]
    for territory in theatres:
        tables = build_timeline(territory)
        steps = area_steps(tables)
        assert steps[0][0] == 0 and [d for d, _ in steps] == sorted({d for d, _ in steps})
        k = 0
        for day in range(tables["span"] + 1):  # forward-filled, every day equals the full derivation
            while k + 1 < len(steps) and steps[k + 1][0] <= day:
                k += 1
            assert steps[k][1] == pytest.approx(state_on(tables, day)["km2"], abs=1e-6), day
