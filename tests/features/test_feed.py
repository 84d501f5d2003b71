"""The Events tab (layers/features/feed.py): search in any spelling, the feed filtered."""

from __future__ import annotations

import datetime as dt

from layers.features import feed

D = dt.date


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
