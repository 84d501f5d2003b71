"""The Events tab: the feed of dated events, and one search across events and places, in any
transliteration of a place name (every spelling the gazetteer lists).

The feed is drawn in the browser from the events' columns in the tables (``assets/25_feed.js``: every row
up to a thousand events, a virtual list beyond); the engine marks the events of the chosen date; the server
answers the search with the indices of the events found. A place found
opens its control history (``assets/24_access.js``): the keyboard's way to the places on the map.
"""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from layers.features.common import THEATRE_ID, theatre_of
from layers.server.context import Context

FEED_ID = "event-feed"
FOUND_ID = "feed-found"  # the search's answer: the indices of the events found, None for all
SEARCH_ID = "feed-search"
SEARCH_COUNT_ID = "feed-count"
PLACE_HITS_ID = "place-hits"
MAX_QUERY = 200  # characters of a query searched (the rest is ignored)
MAX_PLACE_HITS = 12  # places listed for one search (the count says how many matched)


def panel(ctx: Context) -> list:
    """The search and the feed's list: the engine draws its rows (``assets/25_feed.js``) from the tables."""
    return [
        html.Div(
            [
                dmc.TextInput(
                    id=SEARCH_ID,
                    placeholder="Search events and places (any spelling: Meshlib, Mishlab…)",
                    debounce=250,
                    className="search",
                    **{"aria-label": "Search events and places"},
                ),
                html.Span(f"{len(ctx.dataset.events)} events", id=SEARCH_COUNT_ID, className="count"),
            ],
            className="search-row",
        ),
        html.Div(id=PLACE_HITS_ID, className="place-hits"),
        dcc.Store(id=FOUND_ID),
        html.Ol(id=FEED_ID, className="feed", **{"aria-label": "Events"}),
    ]


@callback(
    Output(FOUND_ID, "data"),
    Output(SEARCH_COUNT_ID, "children"),
    Output(PLACE_HITS_ID, "children"),
    Input(SEARCH_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def filter_feed(query, slug):
    """The indices of the events that match ``query`` (None: no query, every event), the count, and the places
    that match (any spelling matches)."""
    ctx = theatre_of(slug)
    query = query if isinstance(query, str) else ""
    if not query.strip():
        return None, f"{len(ctx.dataset.events)} events", []
    shown = search_events(ctx, query[:MAX_QUERY])
    places = search_places(ctx, query[:MAX_QUERY])
    count = f"{len(shown)} of {len(ctx.dataset.events)} events, {len(places)} place{'' if len(places) == 1 else 's'}"
    return shown, count, place_hits(ctx, places)


clientside_callback(
    ClientsideFunction(namespace="feed", function_name="filter"), Input(FOUND_ID, "data"), prevent_initial_call=True
)


def search_places(ctx: Context, query: str) -> list[str]:
    """Ids of the places with a control history whose name or any other spelling matches ``query``, by name."""
    ids, index = ctx.place_search
    return [ids[i] for i in index.find(query)]


def place_hits(ctx: Context, place_ids: list[str]) -> list:
    """The places found, each a button that opens its control history (``data-place``: its index)."""
    if not place_ids:
        return []
    index = {p["id"]: i for i, p in enumerate(ctx.tables["places"])}
    items = []
    for pid in place_ids[:MAX_PLACE_HITS]:
        p = ctx.dataset.places[pid]
        also = ", ".join(p.alt_names[:3])
        label = [html.Span(p.name, className="feed-title"), html.Span(f" {also}" if also else "", className="muted")]
        items.append(html.Li(html.Button(label, className="place-hit", **{"data-place": str(index[pid])})))
    more = len(place_ids) - MAX_PLACE_HITS
    tail = [html.P(f"and {more} more: type more of the name", className="muted small")] if more > 0 else []
    return [html.H3("Places", className="hits-head"), html.Ul(items, className="place-hit-list"), *tail]


def search_events(ctx: Context, query: str) -> list[int]:
    """The positions of the events whose title, place (in any spelling), claim or detail match ``query``, from
    the theatre's search index (``Context.search_index``: at most 17 scans of it, each linear in its length)."""
    return ctx.search_index.find(query)
