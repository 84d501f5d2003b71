"""The Events tab: the feed of dated events, and one search across events and places, in any
transliteration of a place name (every spelling the gazetteer lists).

The engine (``assets/``) marks the events of the chosen date; the server answers the search. A place found
opens its control history (``assets/24_access.js``): the keyboard's way to the places on the map.
"""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, html

from layers.core.search import keys, matches
from layers.features.common import THEATRE_ID, links, short_date, theatre_of
from layers.server.context import Context

FEED_ID = "event-feed"
EVENT_ITEM = "event-item"
SEARCH_ID = "feed-search"
SEARCH_COUNT_ID = "feed-count"
PLACE_HITS_ID = "place-hits"
MAX_PLACE_HITS = 12  # places listed for one search (the count says how many matched)


def panel(ctx: Context) -> list:
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
        html.Ol([_event_item(e, ctx) for e in ctx.dataset.events], id=FEED_ID, className="feed"),
    ]


def _event_item(e, ctx: Context) -> html.Li:
    place = ctx.dataset.places[e.place_id].name
    badges = [
        html.Span(e.kind, className=f"badge kind-{e.kind}"),
        html.Span(f"{e.confidence} confidence", className=f"badge conf-{e.confidence}"),
    ]
    if e.agreement in ("disagree", "partial"):
        badges.append(html.Span("article differs", className="badge differs"))
    body = [
        html.Div([html.Time(short_date(e.date), dateTime=e.date.isoformat()), *badges], className="feed-meta"),
        html.Div(e.title, className="feed-title"),
        html.Div(place, className="feed-place"),
    ]
    if e.article_claim and e.agreement in ("disagree", "partial"):
        body.append(
            html.Div(
                [
                    html.Div(
                        [html.B("Article: "), e.article_claim + (f" ({e.article_date})" if e.article_date else "")]
                    ),
                    html.Div([html.B("Sources: "), e.corroborated]),
                ],
                className="feed-claim",
            )
        )
    return html.Li(
        [
            html.Button(body, className="feed-item", **{"data-event": e.event_id, "data-day": str(ctx.day_of(e.date))}),
            html.Div(links(e.source_urls), className="feed-sources"),
        ],
        id={"type": EVENT_ITEM, "index": e.event_id},
        className="feed-entry",
    )


@callback(
    Output({"type": EVENT_ITEM, "index": ALL}, "style"),
    Output(SEARCH_COUNT_ID, "children"),
    Output(PLACE_HITS_ID, "children"),
    Input(SEARCH_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def filter_feed(query, slug):
    """Hide the events that do not match ``query`` and list the places that do (any spelling matches)."""
    ctx = theatre_of(slug)
    query = query if isinstance(query, str) else ""
    found = search_events(ctx, query[:200])
    styles = [None if e.event_id in found else {"display": "none"} for e in ctx.dataset.events]
    n = len(found)
    if not query.strip():
        return styles, f"{n} events", []
    places = search_places(ctx, query[:200])
    count = f"{n} of {len(ctx.dataset.events)} events, {len(places)} place{'' if len(places) == 1 else 's'}"
    return styles, count, place_hits(ctx, places)


def search_places(ctx: Context, query: str) -> list[str]:
    """Ids of the places with a control history whose name or any other spelling matches ``query``, by name."""
    index = {p["id"] for p in ctx.tables["places"]}
    found = [
        p
        for pid, p in ctx.dataset.places.items()
        if pid in index and matches(query, keys([p.name, *p.alt_names, pid.replace("_", " ")]))
    ]
    return [p.id for p in sorted(found, key=lambda p: p.name.lower())]


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


def search_events(ctx: Context, query: str) -> set[str]:
    """Ids of the events whose title, place (with its other spellings), claim or detail match ``query``."""
    found = set()
    for e in ctx.dataset.events:
        place = ctx.dataset.places.get(e.place_id)
        texts = [e.title, e.event_id, e.date.isoformat(), e.article_claim, e.detail, e.corroborated]
        if place:
            texts += [place.name, *place.alt_names]
        if matches(query, keys(texts)):
            found.add(e.event_id)
    return found
