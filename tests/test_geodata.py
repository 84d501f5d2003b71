"""Data contract of the bundled dataset: sources, places, events, GeoJSON files and the model's invariants."""

from __future__ import annotations

import csv
import json

import pytest
import shapely
from shapely.geometry import Point, box, shape

from layers.core import basemap
from layers.core.dataset import is_http_url, split_urls
from layers.core.errors import DatasetError
from tests.conftest import GEODATA, assert_invariants

RESEARCH_ARTICLE_EVENTS = [f"A{i:02d}" for i in range(1, 17)]
MAX_FILE_KB = 1500


def test_every_ledger_row_has_a_source_a_confidence_and_a_known_place(bundled):
    with (GEODATA / "ledger.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(bundled.ledger) > 150
    for r in rows:
        assert r["source_url"] and all(is_http_url(u) for u in split_urls(r["source_url"])), r["row_id"]
        assert r["confidence"] in ("high", "medium", "low"), r["row_id"]
        assert r["place_id"] in bundled.places, r["row_id"]


def test_ledger_starts_with_a_baseline_and_runs_to_the_end(bundled):
    assert bundled.ledger[0].date < bundled.ledger[0].date.replace(day=6)  # before 6 Nov 2016
    assert str(bundled.ledger[0].date) == "2016-11-05" and bundled.ledger[0].date_precision == "baseline"
    assert str(bundled.ledger[-1].date) == "2017-10-17" and str(bundled.end) == "2017-10-20"  # the city fell on 17 Oct
    holders = {r.holder for r in bundled.ledger}
    assert {"SDF", "ISIS", "contested"} <= holders


def test_every_article_event_resolves_with_claim_and_corroboration(bundled):
    events = {e.event_id: e for e in bundled.events}
    assert sorted(e for e in events if e.startswith("A")) == RESEARCH_ARTICLE_EVENTS
    for eid in RESEARCH_ARTICLE_EVENTS:
        e = events[eid]
        assert e.place_id in bundled.places and e.article_claim and e.source_urls, eid
        assert bundled.start <= e.date <= bundled.end, eid
    # where the article is wrong, both dates are kept: the article's and the corroborated one
    assert events["A02"].agreement == "disagree" and "November" in events["A02"].article_date
    assert "2017-06-24" in events["A02"].corroborated and "2017-06-29" in events["A02"].corroborated
    assert str(events["A09"].date) == "2017-10-05" and "2017-09-05" in events["A09"].article_date
    assert str(events["A10"].date) == "2017-07-09" and "July" in events["A10"].article_date


def test_announcements_are_events_and_hold_no_ground(bundled):
    announced = {"operation_phase_start", "evacuation_deal", "victory_declared"}
    assert not [r.row_id for r in bundled.ledger if r.change in announced]
    events = {e.event_id: e for e in bundled.events}
    assert events["M-T080"].title == "Battle of Raqqa begins" and events["M-T080"].ledger_rows == ()
    assert events["M-T150"].ledger_rows == () and "S010" in events["A16"].ledger_rows


def test_every_event_ledger_link_points_at_a_row_of_the_same_place_or_date(bundled):
    rows = {r.row_id: r for r in bundled.ledger}
    for e in bundled.events:
        for rid in e.ledger_rows:
            assert rows[rid].place_id == e.place_id or rows[rid].date == e.date, (e.event_id, rid)


def test_ledger_places_lie_in_the_area_of_interest(bundled):
    for pid in {r.place_id for r in bundled.ledger}:
        p = bundled.places[pid]
        assert bundled.aoi.contains(Point(p.lon, p.lat)), pid


def test_coordinates_state_their_source(bundled):
    for p in bundled.places.values():
        assert p.coord_source, p.id
        if p.confidence == "high":
            assert p.coord_source_url, p.id


@pytest.mark.parametrize("path", sorted(GEODATA.rglob("*.geojson")), ids=lambda p: str(p.relative_to(GEODATA)))
def test_geojson_files_are_rfc7946_and_small(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert path.stat().st_size < MAX_FILE_KB * 1024
    for f in data["features"]:
        g = shape(f["geometry"])
        assert g.is_valid, shapely.is_valid_reason(g)
        w, s, e, n = g.bounds
        assert -180 <= w <= e <= 180 and -90 <= s <= n <= 90


def test_invariants_hold_on_every_change_date(bundled_territory):
    for date in bundled_territory.change_dates():
        assert_invariants(bundled_territory, date)


# ---------------------------------------------------------------------------------------------------------
# the offline basemap of Syria and Iraq, and its clip for a theatre

REGION_BUDGET_BYTES = 1_500_000  # the whole of geodata/region/, uncompressed (geodata/README.md)
MANBIJ = (37.8, 36.4, 38.1, 36.65)  # a Manbij-sized theatre around 36.5 N 37.95 E
# What the bundled theatre's map showed before the basemap covered Syria and Iraq: its river, its reservoirs and
# its 20 towns.
BUNDLED_WATER = {"Lake Assad (Buhayrat al-Assad)", "Baath reservoir", "Tishrin reservoir"}
BUNDLED_TOWNS = {
    "Abū Qalqal", "Al Jarnīyah", "Al Karāmah", "Al Kasrah", "Al Khafsah", "Al Manşūrah", "Al-Tabqa", "Ar Raqqah",
    "As Sabkhah", "At Tibnī", "Jinnīyah", "Maskanah", "Ma‘dān", "Qabbāsīn", "Shuyūkh Taḩtānī", "Sulūk",
    "Tall Abyaḑ", "Jarābulus", "Şirrīn ash Shamālīyah", "‘Ayn ‘Īsá",
}  # fmt: skip


def names(layers, part) -> set[str]:
    return {f["properties"].get("name") or "" for f in layers.get(part, {"features": []})["features"]}


def test_the_region_basemap_covers_syria_and_iraq_within_its_size_budget():
    files = sorted((GEODATA / "region").glob("*.geojson"))
    assert [p.stem for p in files] == sorted(basemap.LAYERS)
    assert sum(p.stat().st_size for p in files) <= REGION_BUDGET_BYTES
    layers = basemap.region()
    assert {p["name"] for _, p in layers["land"]} == {"Syria", "Iraq"}
    assert {"Euphrates", "Tigris", "Khabur"} <= {p.get("name") for _, p in layers["rivers"]}
    assert {p["countrycode"] for _, p in layers["towns"]} == {"SY", "IQ"}
    assert {"Manbij", "Mosul", "Baghdad", "Ar Raqqah"} <= {p["name"] for _, p in layers["towns"]}
    w, s, e, n = basemap.extent()
    assert w < 36 and s < 29.5 and e > 48.5 and n > 37.3  # Syria's west coast to Iraq's Basra and Zakho


def test_a_manbij_theatre_gets_the_euphrates_the_turkish_border_and_manbij():
    layers = basemap.for_bounds(MANBIJ)
    assert "Euphrates" in names(layers, "rivers")
    assert "Syria–Turkey border" in names(layers, "borders")
    assert {"Manbij", "Jarābulus"} <= names(layers, "towns")
    assert names(layers, "land") == {"Syria"}
    window = box(*MANBIJ).buffer(basemap.MARGIN_DEG + 1e-9, join_style="mitre")
    for part, fc in layers.items():
        for f in fc["features"]:
            assert window.contains(shape(f["geometry"])), (part, f["properties"].get("name"))
    # nothing from the far side of the region (Iraq) comes with it
    assert "Mosul" not in names(layers, "towns") and "Tigris" not in names(layers, "rivers")


def test_the_bundled_theatres_clip_shows_what_it_showed_and_is_what_its_model_uses(bundled):
    layers = basemap.for_dataset(bundled)
    assert "Euphrates" in names(layers, "rivers")
    assert names(layers, "water") - {""} == BUNDLED_WATER
    assert BUNDLED_TOWNS <= names(layers, "towns")
    assert "Syria–Turkey border" in names(layers, "borders")
    # geodata/basemap/ (the ground and river of the control model) is the very same clip
    model = dict(bundled.basemap)
    syria = model.pop("syria")
    assert syria["features"] == as_json([f for f in layers["land"]["features"] if f["properties"]["name"] == "Syria"])
    assert model == as_json({k: v for k, v in layers.items() if k != "land"})


def as_json(value):
    """``value`` as it reads back from a GeoJSON file (tuples become lists)."""
    return json.loads(json.dumps(value))


def test_a_world_sized_box_is_capped_to_the_region():
    assert basemap.clip_box((-180, -90, 180, 90)) == basemap.extent()
    world = basemap.for_bounds((-180, -90, 180, 90))
    assert sum(len(fc["features"]) for fc in world.values()) == sum(len(v) for v in basemap.region().values())


def test_a_theatre_outside_the_region_gets_no_basemap():
    assert basemap.clip_box((2.0, 48.0, 2.5, 49.0)) is None
    assert dict(basemap.for_bounds((2.0, 48.0, 2.5, 49.0))) == {}


@pytest.mark.parametrize(
    ("bounds", "margin", "message"),
    [
        ((39.0, 36.0, 38.0, 36.5), 0.2, "not west < east"),  # inverted
        ((38.0, 36.5, 39.0, 36.0), 0.2, "not west < east, south < north"),
        ((38.0, 36.0, 38.0, 36.5), 0.2, "not west < east"),  # no width
        ((38.0, 36.0, 38.5, 36.0), 0.2, "south < north"),  # no height
        ((38.0, 36.0, 200.0, 36.5), 0.2, "within lon ±180"),
        ((float("nan"), 36.0, 38.5, 36.5), 0.2, "finite numbers"),
        ((38.0, 36.0, float("inf"), 36.5), 0.2, "finite numbers"),
        (("38", 36.0, 38.5, 36.5), 0.2, "finite numbers"),
        ((True, 36.0, 38.5, 36.5), 0.2, "finite numbers"),
        ((38.0, 36.0, 38.5), 0.2, "[west, south, east, north]"),
        ("38,36,39,37", 0.2, "[west, south, east, north]"),
        ((38.0, 36.0, 38.5, 36.5), -1, "margin"),
        ((38.0, 36.0, 38.5, 36.5), 90, "margin"),
        ((38.0, 36.0, 38.5, 36.5), float("nan"), "margin"),
    ],
)
def test_a_bad_box_is_refused_with_the_reason(bounds, margin, message):
    with pytest.raises(basemap.BasemapError) as err:
        basemap.for_bounds(bounds, margin)
    assert message in str(err.value)


def test_a_missing_or_broken_region_names_the_file_and_feature(tmp_path):
    with pytest.raises(DatasetError, match="region: folder: missing"):
        basemap.region(tmp_path / "region")
    folder = tmp_path / "broken"
    folder.mkdir()
    bad = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [400, 36]}}
    (folder / "towns.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [bad]}))
    with pytest.raises(DatasetError, match=r"towns\.geojson: feature 0: coordinates outside lon ±180"):
        basemap.region(folder)


def test_the_map_layer_draws_the_clip_of_the_theatre_shown():
    from types import SimpleNamespace

    from layers import basemap as layer
    from layers.features import map_view

    ctx = SimpleNamespace(dataset=SimpleNamespace(aoi=box(*MANBIJ)))
    drawn = {c.id: c for c in (map_view.geojson(layer, part) for part in layer.parts(ctx))}
    assert {"Manbij", "Jarābulus"} <= {f["properties"]["name"] for f in drawn["layer-basemap-towns"].data["features"]}
    assert "Euphrates" in {f["properties"]["name"] for f in drawn["layer-basemap-rivers"].data["features"]}
    assert "GeoNames" in drawn["layer-basemap-towns"].hideout["attribution"]
    assert "OpenStreetMap" in drawn["layer-basemap-borders"].hideout["attribution"]
