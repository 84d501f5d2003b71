"""Data contract of the bundled dataset: sources, places, events, GeoJSON files and the model's invariants."""

from __future__ import annotations

import csv
import json

import pytest
import shapely
from shapely.geometry import Point, shape

from layers.core.dataset import is_http_url, split_urls
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
