"""The theatre's city (extent and zoom) and where places beyond the area of interest lie (layers/core/framing.py)."""

from __future__ import annotations

import json

import pytest
from pyproj import Geod
from shapely.geometry import box

from layers.core import DatasetError, load_dataset
from layers.core.framing import city, city_problems, outside
from layers.features.tables import client_tables
from layers.server.context import context

RAQQA = {"name": "Raqqa", "bounds": [38.965, 35.925, 39.062, 35.978], "zoom": 13, "basis": "estimated box"}
AOI = box(38.2, 35.55, 40.05, 36.72)


def test_the_bundled_city_is_declared_once_and_given_to_the_browser(bundled):
    assert city_problems(bundled.theatre) == []
    c = city(bundled.theatre)
    assert c == {"name": "Raqqa", "bounds": [38.965, 35.925, 39.062, 35.978], "zoom": 13.0}
    tables = client_tables(context(), "")
    assert tables["city"] == c
    # the city's box lies inside the area of interest, and Raqqa's gazetteer point inside the box
    assert bundled.aoi.contains(box(*c["bounds"]))
    raqqa = bundled.places["raqqa_city"]
    w, s, e, n = c["bounds"]
    assert w <= raqqa.lon <= e and s <= raqqa.lat <= n


def test_events_beyond_the_area_carry_their_distance_and_direction():
    by_id = {e["id"]: e for e in client_tables(context(), "")["events"]}
    beyond = {i for i, e in by_id.items() if e["outside"]}
    assert beyond == {"A09", "A10", "A15"}  # Hawija, Mosul, Deir ez-Zor
    mosul = by_id["A10"]["outside"]
    # checked against pyproj directly, from the centre of the city's box
    az, _, m = Geod(ellps="WGS84").inv((38.965 + 39.062) / 2, (35.925 + 35.978) / 2, by_id["A10"]["lon"], 36.335)
    assert mosul == {"km": round(m / 1000), "bearing": round(az % 360, 1), "direction": "east", "from": "Raqqa"}
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
    assert outside({"city": RAQQA}, AOI, lon, lat)["direction"] == direction


def test_places_inside_or_without_a_coordinate_are_not_outside():
    assert outside({"city": RAQQA}, AOI, 39.0, 35.95) is None
    assert outside({"city": RAQQA}, AOI, 38.2, 36.0) is None  # on the edge
    assert outside({"city": RAQQA}, AOI, None, None) is None


def test_without_a_city_distances_are_from_the_map_centre():
    out = outside({}, AOI, 43.11889, 36.335)
    assert out["from"] == "the map's centre" and out["direction"] == "east"
    assert city({}) == {} and city_problems({}) == []


BAD_CITIES = [
    ("not an object", [1, 2], "city", "must be an object"),
    ("no bounds", {k: v for k, v in RAQQA.items() if k != "bounds"}, "city.bounds", "missing"),
    ("unknown key", {**RAQQA, "colour": "red"}, "city.colour", "not a city setting"),
    ("three numbers", {**RAQQA, "bounds": [38.9, 35.9, 39.0]}, "city.bounds", "[west, south, east, north]"),
    ("inverted", {**RAQQA, "bounds": [39.1, 35.9, 39.0, 36.0]}, "city.bounds", "west < east"),
    ("not finite", {**RAQQA, "bounds": [38.9, 35.9, float("nan"), 36.0]}, "city.bounds", "finite"),
    ("a region", {**RAQQA, "bounds": [36.0, 34.0, 40.0, 37.0]}, "city.bounds", "a city, not a region"),
    ("zoom as text", {**RAQQA, "zoom": "13"}, "city.zoom", "must be a number"),
    ("zoom too far", {**RAQQA, "zoom": 30}, "city.zoom", "from 8 to 18"),
    ("zoom a bool", {**RAQQA, "zoom": True}, "city.zoom", "must be a number"),
    ("empty name", {**RAQQA, "name": "  "}, "city.name", "non-empty text"),
]


@pytest.mark.parametrize("case, value, item, words", BAD_CITIES, ids=[c[0] for c in BAD_CITIES])
def test_a_bad_city_is_named(case, value, item, words):
    problems = city_problems({"city": value}, "theatre.json")
    assert any(p.file == "theatre.json" and p.item == item and words in p.message for p in problems), problems
    assert city({"city": value}) == {}


def test_the_loader_refuses_a_bad_city(tiny_dir):
    path = tiny_dir / "theatre.json"
    theatre = json.loads(path.read_text())
    theatre["city"] = {**RAQQA, "zoom": 40}
    path.write_text(json.dumps(theatre))
    with pytest.raises(DatasetError) as err:
        load_dataset(tiny_dir)
    assert any(p.file == "theatre.json" and p.item == "city.zoom" for p in err.value.problems)
