"""The events' columns in the tables (layers/features/tables.py) and the markers' cap (layers/events.py)."""

from __future__ import annotations

import copy
import json

import pytest

from layers import events
from layers.features import tables, timeline


def test_the_events_travel_as_columns_that_read_back_as_the_events(ctx):
    t = tables.client_tables(ctx, "")
    ev = t["events"]
    assert t["event_columns"] == list(tables.EVENT_COLUMNS)
    assert set(ev) == {*tables.EVENT_COLUMNS, *tables.EVENT_VOCABULARIES}
    assert {len(ev[k]) for k in tables.EVENT_COLUMNS} == {len(ctx.dataset.events)}
    assert len(ev["places"]) < len(ctx.dataset.events)  # each place once, however many events it has
    records = tables.event_records(t)
    for e, r in zip(ctx.dataset.events, records, strict=True):
        place = ctx.dataset.places.get(e.place_id)
        assert (r["id"], r["date"], r["title"], r["kind"], r["confidence"]) == (
            e.event_id,
            e.date.isoformat(),
            e.title,
            e.kind,
            e.confidence,
        )
        assert (r["place"], r["lat"]) == ((place.name, place.lat) if place else ("", None))
        assert r["urls"] == list(e.source_urls)
        assert r["differs"] == (e.agreement in ("disagree", "partial"))
        assert r["claim"] == (e.article_claim if r["differs"] else "")
    assert any(r["differs"] and r["claim"] for r in records)  # the bundled data has claims to show


def test_malformed_event_columns_are_named(ctx):
    t = tables.client_tables(ctx, "")
    bad = copy.deepcopy(t)
    bad["events"]["title"] = bad["events"]["title"][:-1]
    with pytest.raises(ValueError, match="events: columns of different lengths"):
        tables.check(bad)
    bad = copy.deepcopy(t)
    del bad["events"]["day"]
    bad["events"]["html"] = ["<b>"]
    with pytest.raises(ValueError, match="events.day: missing or not an array; events.html: not declared"):
        tables.check(bad)
    bad = copy.deepcopy(t)
    bad["event_columns"] = ["id"]
    with pytest.raises(ValueError, match=r"event_columns: \['id'\], not"):
        tables.check(bad)
    bad = copy.deepcopy(t)
    bad["events"] = [{"id": "A01"}]  # the old shape, one dict per event
    with pytest.raises(ValueError, match="events: list, not object"):
        tables.check(bad)


def test_few_events_are_all_markers_many_are_drawn_by_their_window(ctx, monkeypatch):
    located = events.located(ctx)
    assert located == sum(1 for e in ctx.dataset.events if e.place_id in ctx.dataset.places) > 0
    assert events.marker_cap(ctx) == 0 and tables.client_tables(ctx, "")["marker_cap"] == 0
    assert len(events.data(ctx)["features"]) == located
    monkeypatch.setattr(events, "MAX_MARKERS", located - 1)
    assert events.marker_cap(ctx) == located - 1
    assert events.data(ctx)["features"] == []  # the browser draws the window's from the tables
    t = tables.client_tables(ctx, "")
    assert t["marker_cap"] == located - 1
    assert len(json.dumps(t["events"])) < 400 * len(ctx.dataset.events)  # compact: no GeoJSON per event


def _slider(component):
    if getattr(component, "id", None) == timeline.SLIDER_ID:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = _slider(child)
        if found is not None:
            return found
    return None


def test_the_slider_marks_event_dates_unless_there_are_too_many(ctx, monkeypatch):
    dates = {e.date for e in ctx.dataset.events if ctx.dataset.start <= e.date <= ctx.dataset.end}
    marks = _slider(timeline.footer(ctx)).marks
    assert sorted(m["value"] for m in marks) == sorted(ctx.day_of(d) for d in dates)
    monkeypatch.setattr(timeline, "MAX_MARKS", len(dates) - 1)
    assert _slider(timeline.footer(ctx)).marks == []
