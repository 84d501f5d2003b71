"""Authored override polygons (layers.core.overrides): applied at once as one after the other, a later one winning,
bounded work, and a clear error when GEOS cannot combine them."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.errors import GEOSException
from shapely.geometry import Point

from layers.core import DatasetError, Problem, Territory, load_dataset, territory
from layers.core.errors import DerivationError
from layers.core.ground import GRID_M
from layers.core.overrides import apply_overrides
from tests.conftest import TINY_BOX, box, make_theatre, override_feature
from tests.test_territory import HOLDERS

D = dt.date


def _one_by_one(polygons, holders, areas):
    """The definition: each override in turn replaces what lies under it."""
    out = dict(polygons)
    for holder, area in zip(holders, areas, strict=True):
        out = {h: shapely.difference(g, area, grid_size=GRID_M) for h, g in out.items()}
        out[holder] = shapely.union(out.get(holder, shapely.Polygon()), area, grid_size=GRID_M)
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 5), st.integers(1, 5), st.sampled_from(HOLDERS)),
        min_size=1,
        max_size=12,
    )
)
def test_overrides_applied_at_once_equal_one_after_the_other(boxes):
    base = {"ISIS": shapely.box(0, 0, 1000, 500), "SDF": shapely.box(0, 500, 1000, 1000)}
    areas = [shapely.box(x * 100, y * 100, (x + w) * 100, (y + h) * 100) for x, y, w, h, _ in boxes]
    holders = [b[4] for b in boxes]
    polygons, rows = dict(base), {}
    apply_overrides(polygons, rows, holders, areas, [[f"R{i}"] for i in range(len(boxes))])
    expected = _one_by_one(base, holders, areas)
    for h in set(polygons) | set(expected):
        got, want = polygons.get(h, shapely.Polygon()), expected.get(h, shapely.Polygon())
        assert shapely.symmetric_difference(got, want, grid_size=GRID_M).area < 1e-3, h
    assert sorted(r for ids in rows.values() for r in ids) == sorted(f"R{i}" for i in range(len(boxes)))


def test_a_later_override_wins_where_two_overlap(tmp_path):
    first = override_feature("O1", box(38.93, 35.96, 38.97, 35.99), "Syrian government")
    second = override_feature("O2", box(38.95, 35.96, 38.99, 35.99), "ISIS")
    t = Territory(load_dataset(make_theatre(tmp_path / "t", overrides=[first, second])))
    snap = t.control_at(D(2017, 4, 15))
    assert t.to_deg(snap.polygons["Syrian government"]).area == pytest.approx(0.02 * 0.03, rel=1e-3)
    assert t.to_deg(snap.polygons["ISIS"]).contains(Point(38.96, 35.97))
    assert shapely.intersection(snap.polygons["ISIS"], snap.polygons["Syrian government"], grid_size=GRID_M).area < 1


@pytest.mark.slow
def test_a_grid_of_1600_overrides_derives_exactly(tmp_path):
    """The worst case reported: a 40 x 40 grid, each square an override of one date (quadratic before)."""
    k, (w, s, e, n) = 40, TINY_BOX
    dx, dy = (e - w) / k, (n - s) / k
    squares = [
        override_feature(f"O{i}-{j}", box(w + i * dx, s + j * dy, w + (i + 1) * dx, s + (j + 1) * dy),
                  "SDF" if (i + j) % 2 else "ISIS", rows=("B2",))
        for i in range(k) for j in range(k)
    ]  # fmt: skip
    t = Territory(load_dataset(make_theatre(tmp_path / "t", overrides=squares)))
    snap = t.control_at(D(2017, 4, 15))
    assert {h for h, g in snap.polygons.items() if g.area > 1} == {"SDF", "ISIS"}  # below 1 m²: float seams
    assert snap.area_km2("SDF") == pytest.approx(snap.area_km2("ISIS"), rel=1e-3)
    assert snap.area_km2("SDF") + snap.area_km2("ISIS") == pytest.approx(t.ground.area / 1e6, rel=1e-6)
    # every square's row is listed with its holder (B2 is superseded on that date: only the overrides name it)
    assert snap.rows["SDF"].count("B2") == snap.rows["ISIS"].count("B2") == k * k // 2


def test_overrides_beyond_the_work_budget_raise_a_derivation_error(tmp_path, monkeypatch):
    monkeypatch.setattr("layers.core.overrides.MAX_OVERRIDE_APPLICATIONS", 5)
    # three overrides in force together over three periods: 1 + 2 + 3 applications
    overrides = [
        override_feature(f"O{i}", box(38.93, 35.96, 38.97, 35.99), "SDF", valid=(f"2017-04-0{i + 1}", "2017-04-30"))
        for i in range(3)
    ]
    ds = load_dataset(make_theatre(tmp_path / "t", overrides=overrides))
    with pytest.raises(DerivationError) as err:
        Territory(ds)
    assert err.value.problems == [
        Problem(
            "overrides.geojson",
            "file",
            "3 override polygons would be applied more than 5 times (once per period in which the set in force is "
            "constant): merge them or shorten their date ranges",
        )
    ]
    assert isinstance(err.value, DatasetError)  # callers that refuse invalid theatres refuse this one too


def test_an_override_that_cannot_be_combined_raises_a_derivation_error(tmp_path, monkeypatch):
    t = Territory(
        load_dataset(
            make_theatre(tmp_path / "t", overrides=[override_feature("O1", box(38.93, 35.96, 38.97, 35.99), "SDF")])
        )
    )

    def broken(*args, **kwargs):
        raise GEOSException("TopologyException: side location conflict")

    monkeypatch.setattr(territory.shapely, "difference", broken)  # the derived ground is a union: unaffected
    with pytest.raises(DerivationError) as err:
        t.control_at(D(2017, 4, 15))
    (problem,) = err.value.problems
    assert (problem.file, problem.item) == ("overrides.geojson", "polygons")
    assert problem.message == (
        "cannot be combined (TopologyException: side location conflict): simplify or repair them"
    )
