"""The Events tab (layers/features/feed.py): search in any spelling, the feed filtered."""

from __future__ import annotations

import datetime as dt

from layers.features import feed

D = dt.date


def found_ids(ctx, query: str) -> set[str]:
    return {ctx.dataset.events[i].event_id for i in feed.search_events(ctx, query)}


def test_search_finds_al_mashlab_by_any_spelling(ctx):
    at_mashlab = {e.event_id for e in ctx.dataset.events if e.place_id == "mashlab"}
    assert at_mashlab == {"A05", "A11"}
    for q in ("Meshlib", "Mishlab", "al-Mashlab", "Mashlab"):
        found = found_ids(ctx, q)
        assert at_mashlab <= found, q
        assert "A16" not in found and len(found) < 6, (q, found)  # not everything
    assert feed.search_events(ctx, "no such place anywhere") == []


def test_filter_feed_hands_the_browser_the_indices_of_what_matches(ctx):
    shown, count, _ = feed.filter_feed("Mishlab", "")
    ids = [ctx.dataset.events[i].event_id for i in shown]
    assert {"A05", "A11"} <= set(ids) and len(shown) < len(ctx.dataset.events)
    assert shown == sorted(shown)  # in the feed's order
    assert set(ids) == found_ids(ctx, "Mishlab")
    assert count.startswith(f"{len(shown)} of {len(ctx.dataset.events)} events, ")
    for cleared in (None, "", "   "):  # cleared or hostile value: everything shown
        assert feed.filter_feed(cleared, "") == (None, f"{len(ctx.dataset.events)} events", [])
    shown, _, hits = feed.filter_feed({"$ne": 1}, "")
    assert shown is None and hits == []


def test_a_query_every_event_matches_answers_with_every_index_once(ctx):
    """The worst case of a search: every event's date holds "20", so the answer is every position, in order."""
    shown, count, _ = feed.filter_feed("20", "")
    assert shown == list(range(len(ctx.dataset.events)))
    assert count.startswith(f"{len(shown)} of {len(shown)} events")
    # the query is cut at MAX_QUERY characters: the word past the cut is not searched
    assert feed.filter_feed("20" + " " * feed.MAX_QUERY + "zzzz", "")[0] == shown


def test_one_search_finds_places_too_in_every_spelling_the_gazetteer_lists(ctx):
    """Before: "Hisha" found nothing, though al-Hisha's history lists Heisha, al-Heesha and al-Hishah."""
    assert feed.search_events(ctx, "Hisha") == []  # no event there: the place must be found itself
    for q in ("Hisha", "Heisha", "al-Heesha", "Hishah", "al-Hisbah"):
        assert "al_hisha" in feed.search_places(ctx, q), q
    shown, count, hits = feed.filter_feed("Heisha", "")
    n = len(feed.search_places(ctx, "Heisha"))
    assert shown == []
    assert count == f"0 of {len(ctx.dataset.events)} events, {n} place{'' if n == 1 else 's'}"
    assert "al-Hisha" in str(hits)
    assert feed.search_places(ctx, "no such place anywhere") == []
    # a place without a control history cannot be opened, so it is not offered
    index = {p["id"] for p in ctx.tables["places"]}
    assert set(feed.search_places(ctx, "a")) <= index


def test_many_places_found_are_capped_with_a_note(ctx):
    hits = feed.place_hits(ctx, feed.search_places(ctx, "a"))
    assert len(hits[1].children) == feed.MAX_PLACE_HITS
    assert "more" in hits[2].children


def test_the_feed_is_an_empty_list_the_browser_fills(ctx):
    """The layout carries no row per event: the rows are drawn from the tables' columns (assets/25_feed.js)."""
    ol = feed.panel(ctx)[-1]
    assert ol.id == feed.FEED_ID and ol.children is None
