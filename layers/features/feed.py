"""The Events tab: the feed of dated events, searchable in any transliteration of a place name.

The engine (``assets/``) marks the events of the chosen date; the server answers the search.
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
    Input(SEARCH_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def filter_feed(query, slug):
    """Hide the events that do not match ``query`` (any transliteration of a place name matches)."""
    ctx = theatre_of(slug)
    query = query if isinstance(query, str) else ""
    found = search_events(ctx, query[:200])
    styles = [None if e.event_id in found else {"display": "none"} for e in ctx.dataset.events]
    n = len(found)
    return styles, (f"{n} of {len(ctx.dataset.events)} events" if query.strip() else f"{n} events")


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
