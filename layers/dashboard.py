"""The page around the map: header with the chosen date, sidebar (legend, area figures, event feed), timeline.

One callback turns the chosen date into every dynamic layer's data and the figures (computed once per date,
G9); another moves the date from the previous/next buttons and from clicks in the event feed.
"""

from __future__ import annotations

import datetime as dt

import dash_leaflet as dl
import dash_mantine_components as dmc
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash import ctx as dash_ctx

from layers import DYNAMIC_LAYERS, LAYERS, briefings, guard
from layers._context import Context, context
from layers.change import previous_event_date
from layers.core.dataset import is_http_url
from layers.core.territory import NO_REPORTING

MAP_ID = "map"
SLIDER_ID = "date-slider"
DATE_ID = "date-display"
FIGURES_ID = "figures"
FEED_ID = "event-feed"
PREV_ID, NEXT_ID = "prev-event", "next-event"
EVENT_ITEM = "event-item"
SCROLL_ID = "feed-scrolled-to"
AREA_ID = "area-bounds"
LAYER_Z = {"control": 400, "change": 410, "frontline": 420, "places": 600, "events": 610}


# ---------------------------------------------------------------------------------------------------------
# layout


def layout(ctx: Context) -> dmc.MantineProvider:
    ds = ctx.dataset
    return dmc.MantineProvider(
        html.Div(
            [
                html.Header(
                    [
                        html.Div([html.H1(ds.theatre["name"]), html.P(_subtitle(ctx), className="subtitle")]),
                        html.Div(_date_text(ds.start), id=DATE_ID, className="date-display", **{"aria-live": "polite"}),
                    ],
                    className="topbar",
                ),
                html.Main([_map(ctx), _sidebar(ctx)], className="main"),
                _timeline(ctx),
            ],
            className="shell",
        ),
        forceColorScheme="light",
    )


def _subtitle(ctx: Context) -> str:
    n = len(ctx.dataset.ledger)
    return f"Ground held by each faction, day by day, derived from {n} dated and sourced control reports."


def _map(ctx: Context) -> html.Div:
    w, s, e, n = ctx.dataset.aoi.bounds
    overlays = [
        dl.Overlay(
            dl.Pane(m.component(ctx), name=f"pane-{m.NAME}", style={"zIndex": LAYER_Z[m.NAME]}),
            name=m.TITLE,
            checked=m.NAME != "change",
        )
        for m in LAYERS
        if m.DYNAMIC
    ]
    static = [c for m in LAYERS if not m.DYNAMIC for c in m.component(ctx)]
    return html.Div(
        [
            dcc.Store(id=AREA_ID, data=[[s, w], [n, e]]),
            dl.Map(
                [
                    *static,
                    dl.LayersControl(overlays, position="topright", collapsed=False),
                    dl.ScaleControl(position="bottomleft"),
                ],
                id=MAP_ID,
                center=[(s + n) / 2, (w + e) / 2],
                zoom=9,
                minZoom=7,
                zoomSnap=0.25,
                maxZoom=15,
                fadeAnimation=False,
                attributionControl=False,
                style={"height": "100%", "width": "100%"},
            ),
        ],
        className="map-panel",
    )


def _sidebar(ctx: Context) -> html.Aside:
    return html.Aside(
        [
            html.H2("Ground held"),
            html.Div(figures(ctx, ctx.dataset.start), id=FIGURES_ID),
            _map_key(),
            briefings.component(ctx),
            html.H2("Events"),
            html.Ol([_event_item(e, ctx) for e in ctx.dataset.events], id=FEED_ID, className="feed"),
            dcc.Store(id=SCROLL_ID),
        ],
        className="sidebar",
    )


def _map_key() -> html.Details:
    items = [
        ("key-front", "Frontline between two holders"),
        ("key-place", "Place, in its holder's colour (located from a source)"),
        ("key-place estimated", "Place with an estimated location"),
        ("key-event", "Event on the chosen date (smaller: the 14 days before)"),
        ("key-river", "Euphrates; reservoirs"),
        ("key-border", "Syria–Turkey border"),
    ]
    return html.Details(
        [
            html.Summary("Map key"),
            html.Ul([html.Li([html.Span(className=f"key {c}"), t]) for c, t in items], className="map-key"),
        ],
        open=False,
    )


def _event_item(e, ctx: Context) -> html.Li:
    place = ctx.dataset.places[e.place_id].name
    badges = [
        html.Span(e.kind, className=f"badge kind-{e.kind}"),
        html.Span(f"{e.confidence} confidence", className=f"badge conf-{e.confidence}"),
    ]
    if e.agreement in ("disagree", "partial"):
        badges.append(html.Span("article differs", className="badge differs"))
    body = [
        html.Div([html.Time(_short_date(e.date), dateTime=e.date.isoformat()), *badges], className="feed-meta"),
        html.Div(e.title, className="feed-title"),
        html.Div(place, className="feed-place"),
    ]
    if e.article_claim and e.agreement in ("disagree", "partial"):
        body.append(
            html.Div(
                [html.B("Article: "), e.article_claim, html.Br(), html.B("Sources: "), e.corroborated],
                className="feed-claim",
            )
        )
    body.append(html.Div(_links(e.source_urls), className="feed-sources"))
    return html.Li(
        html.Button(body, id={"type": EVENT_ITEM, "index": e.event_id}, className="feed-item", n_clicks=0),
        **{"data-date": e.date.isoformat()},
    )


def _links(urls) -> list:
    """Source links: http(s) only, shown as their host name; anything else is shown as plain text."""
    out = []
    for u in urls:
        if is_http_url(u):
            host = u.split("/")[2].removeprefix("www.")
            out.append(html.A(host, href=u, target="_blank", rel="noopener noreferrer"))
        else:
            out.append(html.Span(u))
    return out


def _timeline(ctx: Context) -> html.Footer:
    ds = ctx.dataset
    span = (ds.end - ds.start).days
    marks = [{"value": ctx.day_of(d)} for d in sorted({e.date for e in ds.events})]
    months = []
    d = dt.date(ds.start.year, ds.start.month, 1)
    while d <= ds.end:
        if d >= ds.start:
            months.append(
                html.Span(
                    d.strftime("%b %Y" if d.month == 1 or not months else "%b"),
                    style={"left": f"{100 * ctx.day_of(d) / span:.2f}%"},
                )
            )
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return html.Footer(
        [
            html.Button("◀ Previous event", id=PREV_ID, className="step", n_clicks=0),
            html.Div(
                [
                    dmc.Slider(
                        id=SLIDER_ID,
                        min=0,
                        max=span,
                        step=1,
                        value=0,
                        marks=marks,
                        label=None,
                        size="lg",
                        updatemode="drag",
                        **{"aria-label": "Date"},
                    ),
                    html.Div(months, className="month-axis"),
                ],
                className="slider-wrap",
            ),
            html.Button("Next event ▶", id=NEXT_ID, className="step", n_clicks=0),
        ],
        className="timeline",
    )


# ---------------------------------------------------------------------------------------------------------
# callbacks


@callback(
    Output(SLIDER_ID, "value"),
    Input(PREV_ID, "n_clicks"),
    Input(NEXT_ID, "n_clicks"),
    Input({"type": EVENT_ITEM, "index": ALL}, "n_clicks"),
    State(SLIDER_ID, "value"),
    prevent_initial_call=True,
)
@guard.guarded
def move_date(_prev, _next, _items, day):
    """Step to the previous/next event date, or to the date of a clicked event."""
    c = context()
    trigger = dash_ctx.triggered_id
    if isinstance(trigger, dict):
        event = next((e for e in c.dataset.events if e.event_id == trigger.get("index")), None)
        return c.day_of(event.date) if event else no_update
    if trigger in (PREV_ID, NEXT_ID):
        day = guard.day_index(day, c.day_of(c.dataset.end))
        return c.day_of(step_event(c, c.date_of(day), forward=trigger == NEXT_ID))
    return no_update


@callback(
    [Output(f"layer-{m.NAME}", "data") for m in DYNAMIC_LAYERS],
    Output(FIGURES_ID, "children"),
    Output(DATE_ID, "children"),
    Output({"type": EVENT_ITEM, "index": ALL}, "className"),
    Input(SLIDER_ID, "value"),
)
@guard.guarded
def show_date(day):
    """Everything that depends on the chosen date, computed once."""
    c = context()
    date = c.date_of(guard.day_index(day, c.day_of(c.dataset.end)))
    data = [m.data(c, date) for m in DYNAMIC_LAYERS]
    classes = [
        f"feed-item {'current' if e.date == date else 'past' if e.date < date else ''}".strip()
        for e in c.dataset.events
    ]
    return (*data, figures(c, date), _date_text(date), classes)


clientside_callback(
    ClientsideFunction(namespace="dashboard", function_name="fitArea"),
    Output(MAP_ID, "viewport"),
    Input(AREA_ID, "data"),
)

clientside_callback(
    ClientsideFunction(namespace="dashboard", function_name="scrollToCurrent"),
    Output(SCROLL_ID, "data"),
    Input(DATE_ID, "children"),
)


# ---------------------------------------------------------------------------------------------------------
# pure helpers


def step_event(ctx: Context, date: dt.date, forward: bool) -> dt.date:
    """The next (or previous) event date after (before) ``date``; stays at ``date`` at either end."""
    dates = sorted({e.date for e in ctx.dataset.events if ctx.dataset.start <= e.date <= ctx.dataset.end})
    if forward:
        return next((d for d in dates if d > date), date)
    return next((d for d in reversed(dates) if d < date), date)


def area_table(ctx: Context, date: dt.date) -> list[dict]:
    """Area per holder at ``date`` and its change since the previous event date, in km²."""
    terr = ctx.territory
    now, before = terr.control_at(date), terr.control_at(previous_event_date(ctx, date))
    ground = sum(now.area_km2(h) for h in now.polygons)
    rows = []
    for f in ctx.dataset.theatre["factions"]:
        area = now.area_km2(f["id"])
        rows.append(
            {
                "id": f["id"],
                "label": f["label"],
                "color": f["color"],
                "km2": area,
                "share": area / ground if ground else 0.0,
                "delta": area - before.area_km2(f["id"]),
            }
        )
    rows.append(
        {
            "id": NO_REPORTING,
            "label": "No reporting",
            "color": "",
            "km2": now.area_km2(NO_REPORTING),
            "share": now.area_km2(NO_REPORTING) / ground if ground else 0.0,
            "delta": now.area_km2(NO_REPORTING) - before.area_km2(NO_REPORTING),
        }
    )
    return rows


def figures(ctx: Context, date: dt.date) -> list:
    rows = []
    for r in area_table(ctx, date):
        delta = f"{r['delta']:+,.0f}" if round(r["delta"]) else "±0"
        swatch_cls = "swatch " + (
            "hatch-" + r["id"].replace(" ", "-") if r["id"] in ("contested", NO_REPORTING) else ""
        )
        rows.append(
            html.Tr(
                [
                    html.Td(
                        html.Span(className=swatch_cls.strip(), style={"background": r["color"]} if r["color"] else {})
                    ),
                    html.Td(r["label"]),
                    html.Td(f"{r['km2']:,.0f}", className="num"),
                    html.Td(f"{100 * r['share']:.0f}%", className="num"),
                    html.Td(delta, className="num delta"),
                ],
                **{"data-holder": r["id"]},
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(""),
                html.Th("Holder"),
                html.Th("km²", className="num"),
                html.Th("share", className="num"),
                html.Th("Δ since last event", className="num"),
            ]
        )
    )
    front = ctx.territory.frontline_km(ctx.territory.control_at(date))
    return [
        html.Table([head, html.Tbody(rows)], className="areas"),
        html.P(f"Frontline length: {front:,.0f} km", className="frontline-km"),
    ]


def _date_text(date: dt.date) -> str:
    return date.strftime("%-d %B %Y")


def _short_date(date: dt.date) -> str:
    return date.strftime("%-d %b %Y")
