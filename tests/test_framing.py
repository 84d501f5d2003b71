"""Where places beyond the area of interest lie, measured from the theatre's city (layers/core/framing.py),
and the city's extent and zoom as briefing mode gets them (the city view's, declared once in geodata/city/)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pyproj import Geod
from shapely.geometry import box

from layers.core.framing import outside
from layers.features.tables import client_tables, event_records
from layers.server.context import context

RAQQA = SimpleNamespace(name="Raqqa", outline=box(38.965, 35.925, 39.062, 35.978))
AOI = box(38.2, 35.55, 40.05, 36.72)


def test_briefing_gets_the_city_views_extent_and_zoom(bundled):
    city = bundled.city
    tables = client_tables(context(), "")["city"]
    assert tables["bounds"] == [round(v, 6) for v in city.outline.bounds]
    assert tables["min_zoom"] == city.min_zoom == 13
    # the city's box lies inside the area of interest, and Raqqa's gazetteer point inside the box
    assert bundled.aoi.contains(box(*tables["bounds"]))
    raqqa = bundled.places["raqqa_city"]
    w, s, e, n = tables["bounds"]
    assert w <= raqqa.lon <= e and s <= raqqa.lat <= n


def test_events_beyond_the_area_carry_their_distance_and_direction():
    by_id = {e["id"]: e for e in event_records(client_tables(context(), ""))}
    beyond = {i for i, e in by_id.items() if e["outside"]}
    assert beyond == {"A09", "A10", "A15"}  # Hawija, Mosul, Deir ez-Zor
    mosul = by_id["A10"]["outside"]
    # checked against pyproj directly, from the centre of the city's outline box
    w, s, e, n = context().dataset.city.outline.bounds
    az, _, m = Geod(ellps="WGS84").inv((w + e) / 2, (s + n) / 2, by_id["A10"]["lon"], 36.335)
    assert mosul == {"km": round(m / 1000), "bearing": round(az % 360, 1), "direction": "east", "from": "Raqqa city"}
    assert 360 <= mosul["km"] <= 385  # Raqqa to Mosul, about 370 km in a straight line
    assert by_id["A15"]["outside"]["direction"] == "south-east"
    assert by_id["A02"]["outside"] is None  # Raqqa itself


@pytest.mark.parametrize(
    "lon, lat, direction",
    [
        (39.0, 38.0, "north"),
        (41.5, 36.0, "east"),
        (39.0, 34.0, "south"),
        (37.0, 35.9, "west"),
        (41.0, 37.5, "north-east"),
    ],
)
def test_directions_are_compass_points(lon, lat, direction):
    assert outside(RAQQA, AOI, lon, lat)["direction"] == direction


def test_places_inside_or_without_a_coordinate_are_not_outside():
    assert outside(RAQQA, AOI, 39.0, 35.95) is None
    assert outside(RAQQA, AOI, 38.2, 36.0) is None  # on the edge
    assert outside(RAQQA, AOI, None, None) is None


def test_without_a_city_distances_are_from_the_map_centre():
    out = outside(None, AOI, 43.11889, 36.335)
    assert out["from"] == "the map's centre" and out["direction"] == "east"
