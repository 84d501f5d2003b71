"""Dashboard: the page builds, and the server callbacks (called as plain functions) answer correctly."""

from __future__ import annotations

import datetime as dt

import pytest
from dash import no_update

from layers.features import compare, feed, page, place, tables, trend
from layers.server.context import context, theatre_context

D = dt.date


@pytest.fixture(scope="module")
def ctx():
    return context()


def _texts(component) -> str:
    """All text in a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_texts(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _texts(children)


def test_page_tables_carry_no_geometry_and_every_event(ctx):
    t = tables.client_tables(ctx, "")
    assert not {"cells", "edges", "overrides"} & set(t)
    assert [e["id"] for e in t["events"]] == [e.event_id for e in ctx.dataset.events]
    a16 = next(e for e in t["events"] if e["id"] == "A16")
    assert a16["day"] == ctx.day_of(D(2017, 10, 17)) and a16["lat"] is not None
    assert set(t["default_layers"]) == {"control", "change", "frontline", "places", "events"}


def test_search_finds_al_mashlab_by_any_spelling(ctx):
    at_mashlab = {e.event_id for e in ctx.dataset.events if e.place_id == "mashlab"}
    assert at_mashlab == {"A05", "A11"}
    for q in ("Meshlib", "Mishlab", "al-Mashlab", "Mashlab"):
        found = feed.search_events(ctx, q)
        assert at_mashlab <= found, q
        assert "A16" not in found and len(found) < 6, (q, found)  # not everything
    assert feed.search_events(ctx, "no such place anywhere") == set()


def test_filter_feed_hides_what_does_not_match(ctx):
    styles, count = feed.filter_feed("Mishlab", "")
    shown = [e.event_id for e, s in zip(ctx.dataset.events, styles, strict=True) if s is None]
    assert shown and len(shown) < len(ctx.dataset.events)
    assert count == f"{len(shown)} of {len(ctx.dataset.events)} events"
    styles, count = feed.filter_feed(None, "")  # cleared or hostile value: everything shown
    assert all(s is None for s in styles)
    styles, _ = feed.filter_feed({"$ne": 1}, "")
    assert all(s is None for s in styles)


def test_place_history_lists_every_row_with_source_and_confidence(ctx):
    rows = ctx.dataset.rows_for("ayn_issa")
    text = _texts(place.show_place_history("ayn_issa", "place", ""))
    assert all(r.holder in text and r.confidence in text for r in rows)
    assert place.show_place_history("ayn_issa", "events", "") is no_update  # its tab is not shown
    assert place.show_place_history("../etc/passwd", "place", "") is no_update
    assert place.show_place_history(42, "place", "") is no_update


def test_changes_table_between_two_dates(ctx):
    d1, d2 = D(2017, 6, 1), D(2017, 6, 30)
    changes = ctx.territory.place_changes(d1, d2)
    out = compare.show_changes({"day": ctx.day_of(d2), "compare": ctx.day_of(d1)}, "compare", "")
    text = _texts(out)
    assert f"{len(changes)} places changed hands" in text
    assert all(ctx.dataset.places[pid].name in text for pid, _, _ in changes)
    assert compare.show_changes({"day": 10, "compare": None}, "compare", "") == []
    assert compare.show_changes({"day": "x", "compare": "y"}, "compare", "") is no_update
    assert compare.show_changes("garbage", "compare", "") == []
    assert compare.show_changes({"day": 10, "compare": 1}, "events", "") is no_update


def test_unknown_or_malformed_theatres_change_nothing():
    assert page.switch_theatre("?theatre=nope", "") == (no_update, no_update)
    assert page.switch_theatre("?theatre=../../etc", "") == (no_update, no_update)
    assert page.switch_theatre("?date=2017-01-01", "") == (no_update, no_update)
    assert theatre_context("Bad Slug!") is None


def test_area_series_is_daily_and_adds_up(ctx):
    series = trend.area_series(ctx)
    assert len(series) == (ctx.dataset.end - ctx.dataset.start).days + 1
    row = next(r for r in series if r["date"] == "2017-06-06")
    snap = ctx.territory.control_at(D(2017, 6, 6))
    assert row["SDF"] == round(snap.area_km2("SDF")) and row["ISIS"] == round(snap.area_km2("ISIS"))


def test_date_of_clamps_to_the_campaign(ctx):
    assert ctx.date_of(-50) == ctx.dataset.start
    assert ctx.date_of(10**6) == ctx.dataset.end
    assert ctx.date_of(None) == ctx.dataset.start


def test_the_tables_match_their_declared_schema(ctx):
    t = tables.client_tables(ctx, "")
    assert set(t) == set(tables.SCHEMA) and t["schema"] == {k: kind for k, (kind, _) in tables.SCHEMA.items()}
    tables.check(t)
    bad = {k: v for k, v in t.items() if k != "title"} | {"span": "350", "extra": 1}
    with pytest.raises(ValueError, match="title: missing; extra: not in the schema; span: str, not number"):
        tables.check(bad)
