"""The page: header with the chosen date, map, sidebar (areas, events, trend, place history, compare…), timeline.

Everything that changes with the date is done in the browser by the date engine (``assets/20_engine.js``) from
the tables in the ``timeline`` Store (``layers/core/timeline.py``): moving the date sends no request and
rebuilds no figure. The server callbacks left here answer what the browser cannot know: the feed search,
a place's control history, the table of what changed hands between two dates, and opening another theatre.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import parse_qs

import dash_leaflet as dl
import dash_mantine_components as dmc
import xyzservices.providers as xyz
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from layers import LAYERS, briefings, export, guard, upload
from layers._context import Context, context, theatre_context
from layers.core.dataset import is_http_url
from layers.core.search import keys, matches
from layers.core.territory import NO_REPORTING

URL_ID = "url"
PAGE_ID = "page"
THEATRE_ID = "theatre"
TABLES_ID = "timeline"
ENGINE_ID = "engine-ready"
MAP_ID = "map"
SLIDER_ID = "date-slider"
DATE_ID = "date-display"
FIGURES_ID = "figures"
FRONT_ID = "frontline-km"
FEED_ID = "event-feed"
EVENT_ITEM = "event-item"
SEARCH_ID = "feed-search"
SEARCH_COUNT_ID = "feed-count"
TABS_ID = "side-tabs"
CHART_ID = "area-chart"
PLACE_ID = "selected-place"
HISTORY_ID = "place-history"
COMPARE_ID = "compare-date"
CHANGES_ID = "changed-hands"
SETTLED_ID = "settled"
CAPTION_ID = "briefing-caption"
STEPS_ID = "briefing-steps"
LAYER_Z = {"control": 400, "change": 410, "frontline": 420, "places": 600, "events": 610}
SPEEDS = (("7", "1 week/s"), ("14", "2 weeks/s"), ("30", "1 month/s"), ("3", "3 days/s"))
# Online basemaps offered as options (never required); RAQQA_TILE_URL replaces their address (tests, mirrors).
ONLINE_BASEMAPS = (
    ("OpenStreetMap (online)", xyz.OpenStreetMap.Mapnik),
    ("Satellite, Esri (online)", xyz.Esri.WorldImagery),
)
OFFLINE_BASEMAP = "Offline basemap (bundled)"


# ---------------------------------------------------------------------------------------------------------
# layout


def layout() -> html.Div:
    """The shell: the bundled theatre's page; ``?theatre=<slug>`` swaps in an imported one."""
    ctx = context()
    return html.Div(
        [dcc.Location(id=URL_ID, refresh=False), dcc.Store(id=THEATRE_ID, data=""), html.Div(page(ctx), id=PAGE_ID)]
    )


def page(ctx: Context, slug: str = "") -> dmc.MantineProvider:
    ds = ctx.dataset
    return dmc.MantineProvider(
        html.Div(
            [
                dcc.Store(id=TABLES_ID, data=_client_tables(ctx, slug)),
                dcc.Store(id=ENGINE_ID),
                dcc.Store(id=PLACE_ID),
                dcc.Store(id=SETTLED_ID),
                dcc.Store(id=STEPS_ID),
                html.Header(
                    [
                        html.Div([html.H1(ds.theatre["name"]), html.P(_subtitle(ctx), className="subtitle")]),
                        html.Div(_date_text(ds.start), id=DATE_ID, className="date-display", **{"aria-live": "polite"}),
                        html.Div(
                            [
                                html.Button("Briefing mode", className="tool", **{"data-action": "briefing"}),
                                html.Button("Keys", className="tool", **{"data-action": "keys"}),
                            ],
                            className="tools",
                        ),
                    ],
                    className="topbar",
                ),
                html.Main([_map(ctx, slug), _sidebar(ctx)], className="main"),
                _timeline(ctx),
                _keys_help(),
            ],
            className="shell",
        ),
        forceColorScheme="light",
    )


def _client_tables(ctx: Context, slug: str) -> dict:
    """The timeline tables less the geometry (that goes to the map layers), plus what the engine shows."""
    t = ctx.tables
    out = {k: v for k, v in t.items() if k not in ("cells", "edges", "overrides")}
    out["n_overrides"] = len(t["overrides"]["features"])
    out["theatre"] = slug
    out["title"] = ctx.dataset.theatre.get("short_name") or ctx.dataset.theatre["name"]
    out["events"] = [_event_record(ctx, e) for e in ctx.dataset.events]
    out["layers"] = {m.TITLE: m.NAME for m in LAYERS if m.NAME != "basemap"}
    out["default_layers"] = [m.NAME for m in LAYERS if m.NAME != "basemap" and m.DEFAULT_ON]
    w, s, e, n = ctx.dataset.aoi.bounds
    out["bounds"] = [w, s, e, n]
    return out


def _event_record(ctx: Context, e) -> dict:
    place = ctx.dataset.places.get(e.place_id)
    return {
        "id": e.event_id,
        "day": ctx.day_of(e.date),
        "date": e.date.isoformat(),
        "title": e.title,
        "kind": e.kind,
        "place": place.name if place else "",
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "confidence": e.confidence,
        "differs": e.agreement in ("disagree", "partial"),
        "claim": e.article_claim,
        "corroborated": e.corroborated,
        "sources": [_host(u) for u in e.source_urls if is_http_url(u)],
    }


def _subtitle(ctx: Context) -> str:
    n = len(ctx.dataset.ledger)
    return f"Ground held by each faction, day by day, derived from {n} dated and sourced control reports."


def _map(ctx: Context, slug: str) -> html.Div:
    tables = ctx.tables
    w, s, e, n = ctx.dataset.aoi.bounds
    overlays = [
        dl.Overlay(
            dl.Pane(m.component(ctx, tables), name=f"pane-{m.NAME}", style={"zIndex": LAYER_Z[m.NAME]}),
            name=m.TITLE,
            checked=m.DEFAULT_ON,
            id=f"overlay-{m.NAME}",
        )
        for m in LAYERS
        if m.DYNAMIC
    ]
    static = [c for m in LAYERS if not m.DYNAMIC for c in m.component(ctx, tables)]
    bases = [dl.BaseLayer(dl.LayerGroup(), name=OFFLINE_BASEMAP, checked=True)] + [
        dl.BaseLayer(
            dl.TileLayer(url=url, attribution=p.get("attribution", ""), maxZoom=18),
            name=name,
            checked=False,
        )
        for (name, p), url in zip(ONLINE_BASEMAPS, tile_urls(), strict=True)
    ]
    return html.Div(
        [
            dl.Map(
                [
                    *static,
                    dl.LayersControl(
                        [*bases, *overlays],
                        position="topright",
                        collapsed=True,
                        baseLayer=OFFLINE_BASEMAP,
                        overlays=[m.TITLE for m in LAYERS if m.DYNAMIC and m.DEFAULT_ON],
                    ),
                    dl.ScaleControl(position="bottomright", imperial=False),
                ],
                id=MAP_ID,
                center=[(s + n) / 2, (w + e) / 2],
                zoom=9,
                minZoom=6,
                zoomSnap=0.25,
                maxZoom=15,
                fadeAnimation=False,
                attributionControl=True,
                style={"height": "100%", "width": "100%"},
            ),
            _legend(ctx),
            html.Div(id=CAPTION_ID, className="briefing-caption", **{"aria-live": "polite"}),
            html.Div(
                [
                    html.Button("◀ Previous", className="hud-btn", **{"data-action": "prev-event"}),
                    html.Span(className="hud-step"),
                    html.Button("Next ▶", className="hud-btn", **{"data-action": "next-event"}),
                    html.Button("Autoplay", className="hud-btn", **{"data-action": "play"}),
                    html.Button("Full screen", className="hud-btn", **{"data-action": "fullscreen"}),
                    html.Button("Exit briefing", className="hud-btn", **{"data-action": "briefing"}),
                ],
                className="briefing-hud",
            ),
            html.Div(className="tile-notice", role="status"),
        ],
        className="map-panel",
    )


def _legend(ctx: Context) -> html.Div:
    """The key the room needs to read the map: one swatch per holder, plus low-confidence hatching."""
    items = []
    for f in ctx.dataset.theatre["factions"]:
        hatch = " hatch-contested" if f["id"] == "contested" else ""
        items.append(html.Li([html.Span(className=f"swatch{hatch}", style={"--c": f["color"]}), f["label"]]))
    items.append(html.Li([html.Span(className="swatch hatch-no-reporting"), "No reporting"]))
    items.append(html.Li([html.Span(className="swatch hatch-low"), "Low-confidence report (hatched)"]))
    items.append(html.Li([html.Span(className="key key-front"), "Frontline"]))
    return html.Ul(items, className="map-legend", **{"aria-label": "Map legend"})


def _sidebar(ctx: Context) -> html.Aside:
    return html.Aside(
        [
            html.H2("Ground held"),
            html.Div(figures_table(ctx), id=FIGURES_ID),
            html.P("Frontline length: –", id=FRONT_ID, className="frontline-km"),
            dmc.Tabs(
                [
                    dmc.TabsList(
                        [
                            dmc.TabsTab("Events", value="events"),
                            dmc.TabsTab("Trend", value="trend"),
                            dmc.TabsTab("Place", value="place"),
                            dmc.TabsTab("Compare", value="compare"),
                            dmc.TabsTab("Saved", value="briefings"),
                            dmc.TabsTab("Data", value="data"),
                        ],
                    ),
                    dmc.TabsPanel(_events_panel(ctx), value="events", className="tab-panel feed-panel"),
                    dmc.TabsPanel(_trend_panel(ctx), value="trend", className="tab-panel"),
                    dmc.TabsPanel(_place_panel(), value="place", className="tab-panel"),
                    dmc.TabsPanel(_compare_panel(ctx), value="compare", className="tab-panel"),
                    dmc.TabsPanel(_briefings_panel(ctx), value="briefings", className="tab-panel"),
                    dmc.TabsPanel(_data_panel(ctx), value="data", className="tab-panel"),
                ],
                id=TABS_ID,
                value="events",
                keepMounted=True,  # hidden panels stay in the page, so callbacks can fill them at any time
                className="side-tabs",
            ),
        ],
        className="sidebar",
    )


def figures_table(ctx: Context) -> html.Table:
    """The area table; the engine fills in km², share and change for the chosen date."""
    rows = []
    for f in [*ctx.dataset.theatre["factions"], {"id": NO_REPORTING, "label": "No reporting", "color": ""}]:
        cls = {"contested": "swatch hatch-contested", NO_REPORTING: "swatch hatch-no-reporting"}.get(f["id"], "swatch")
        rows.append(
            html.Tr(
                [
                    html.Td(html.Span(className=cls, style={"--c": f["color"]} if f["color"] else {})),
                    html.Td(f["label"]),
                    html.Td("–", className="num km2"),
                    html.Td("–", className="num share"),
                    html.Td("–", className="num delta"),
                ],
                **{"data-holder": f["id"]},
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
    return html.Table([head, html.Tbody(rows)], className="areas")


def _events_panel(ctx: Context) -> list:
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
        html.Div([html.Time(_short_date(e.date), dateTime=e.date.isoformat()), *badges], className="feed-meta"),
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
            html.Div(_links(e.source_urls), className="feed-sources"),
        ],
        id={"type": EVENT_ITEM, "index": e.event_id},
        className="feed-entry",
    )


def _links(urls) -> list:
    """Source links: http(s) only, shown as their host name; anything else is shown as plain text."""
    out = []
    for u in urls:
        if is_http_url(u):
            out.append(html.A(_host(u), href=u, target="_blank", rel="noopener noreferrer"))
        else:
            out.append(html.Span(u))
    return out


def _host(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


TREND_ID = "trend-chart-holder"


def _trend_panel(ctx: Context) -> list:
    return [
        html.P("Area held per faction (km²); the line marks the chosen date.", className="muted"),
        html.Div(id=TREND_ID),  # the chart is made when the tab first opens: its scripts load only then
    ]


def trend_chart(ctx: Context) -> dmc.AreaChart:
    series = [
        {"name": f["id"], "label": f["label"], "color": f["color"]}
        for f in ctx.dataset.theatre["factions"]
        if any(r.holder == f["id"] for r in ctx.dataset.ledger)
    ]
    return dmc.AreaChart(
        id=CHART_ID,
        h=260,
        dataKey="date",
        data=area_series(ctx),
        series=series,
        curveType="stepAfter",
        withDots=False,
        fillOpacity=0.25,
        strokeWidth=2,
        withLegend=True,
        referenceLines=[],
        tickLine="x",
        xAxisProps={"minTickGap": 40},
    )


def area_series(ctx: Context) -> list[dict]:
    """Daily km² per faction (one row a day, so the x axis is proportional to time)."""
    from layers.core.timeline import area_steps

    t = ctx.tables
    steps = area_steps(t)
    out, k = [], 0
    for day in range(t["span"] + 1):
        while k + 1 < len(steps) and steps[k + 1][0] <= day:
            k += 1
        row = {"date": (ctx.dataset.start + dt.timedelta(days=day)).isoformat()}
        row.update({h: round(a) for h, a in zip(t["holders"], steps[k][1], strict=True) if h != NO_REPORTING})
        out.append(row)
    return out


def _place_panel() -> list:
    return [
        html.Div(
            html.P("Click a place or ground on the map for its control history.", className="muted"), id=HISTORY_ID
        )
    ]


def _compare_panel(ctx: Context) -> list:
    return [
        html.P(
            "Compare the chosen date with another: the map hatches the ground that changed hands.", className="muted"
        ),
        dmc.DateInput(
            id=COMPARE_ID,
            label="Compare with",
            valueFormat="D MMMM YYYY",
            minDate=ctx.dataset.start.isoformat(),
            maxDate=ctx.dataset.end.isoformat(),
            clearable=True,
            placeholder="Pick a date",
        ),
        html.Div(
            [
                html.Button("Previous event", className="tool", **{"data-action": "compare-prev"}),
                html.Button("Clear", className="tool", **{"data-action": "compare-clear"}),
            ],
            className="compare-actions",
        ),
        html.Div(id=CHANGES_ID),
    ]


def _briefings_panel(ctx: Context) -> list:
    return [
        html.P("Step through the events on a shared screen: press Briefing mode (or B).", className="muted"),
        briefings.component(ctx),
    ]


def _data_panel(ctx: Context) -> list:
    return [
        export.component(ctx),
        html.H3("Import a theatre"),
        html.P(
            "Your own control snapshots (GeoJSON folder, GeoPackage, KML/KMZ) and events (ACLED, UCDP), with a "
            "config file naming the factions: checked, then opened beside this one. Nothing already loaded changes.",
            className="muted small",
        ),
        *upload.component(ctx),
    ]


def _timeline(ctx: Context) -> html.Footer:
    ds = ctx.dataset
    span = (ds.end - ds.start).days
    marks = [{"value": ctx.day_of(d)} for d in sorted({e.date for e in ds.events}) if ds.start <= d <= ds.end]
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
            html.Div(
                [
                    html.Button("◀ Event", id="prev-event", className="step", **{"data-action": "prev-event"}),
                    html.Button("▶ Play", id="play", className="step play", **{"data-action": "play"}),
                    html.Button("Event ▶", id="next-event", className="step", **{"data-action": "next-event"}),
                ],
                className="step-group",
            ),
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
            html.Label(
                [
                    "Speed",
                    dcc.Dropdown(
                        id="play-speed",
                        options=[{"value": v, "label": t} for v, t in SPEEDS],
                        value="7",
                        clearable=False,
                        searchable=False,
                        className="speed",
                    ),
                ],
                className="speed-label",
            ),
        ],
        className="timeline",
    )


def _keys_help() -> html.Div:
    keys_ = [
        ("← →", "one day back / forward (Shift: a week)"),
        ("PageUp PageDown", "previous / next event"),
        ("Space", "play / pause (briefing: autoplay)"),
        ("Home End", "campaign start / end"),
        ("B", "briefing mode; Esc leaves it"),
        ("F", "full screen"),
    ]
    return html.Div(
        [html.H2("Keyboard"), html.Dl([x for k, t in keys_ for x in (html.Dt(k), html.Dd(t))])],
        className="keys-help",
        role="dialog",
        **{"aria-label": "Keyboard shortcuts"},
    )


# ---------------------------------------------------------------------------------------------------------
# callbacks (the per-date work is clientside; these answer questions the browser cannot)


@callback(
    Output(PAGE_ID, "children"),
    Output(THEATRE_ID, "data"),
    Input(URL_ID, "search"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def switch_theatre(search, current):
    """Open the theatre named by ``?theatre=<slug>`` (an imported one); no change if it is already open."""
    slug = _query(search).get("theatre", "")
    if slug == (current or ""):
        return no_update, no_update
    ctx = theatre_context(slug)
    if ctx is None:
        return no_update, no_update
    return page(ctx, slug), slug


@callback(
    Output({"type": EVENT_ITEM, "index": ALL}, "style"),
    Output(SEARCH_COUNT_ID, "children"),
    Input(SEARCH_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def filter_feed(query, slug):
    """Hide the events that do not match ``query`` (any transliteration of a place name matches)."""
    ctx = _theatre(slug)
    query = query if isinstance(query, str) else ""
    found = search_events(ctx, query[:200])
    styles = [None if e.event_id in found else {"display": "none"} for e in ctx.dataset.events]
    n = len(found)
    return styles, (f"{n} of {len(ctx.dataset.events)} events" if query.strip() else f"{n} events")


@callback(
    Output(HISTORY_ID, "children"),
    Input(PLACE_ID, "data"),
    Input(TABS_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def show_place_history(place_id, tab, slug):
    """The control history of the selected place (again when its tab opens: hidden tabs are not rendered)."""
    ctx = _theatre(slug)
    if tab != "place" or not isinstance(place_id, str) or place_id not in ctx.dataset.places:
        return no_update
    return place_history(ctx, place_id)


@callback(
    Output(CHANGES_ID, "children"),
    Input(SETTLED_ID, "data"),
    Input(TABS_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def show_changes(settled, tab, slug):
    """The table of places that changed hands between the compare date and the chosen date."""
    ctx = _theatre(slug)
    if tab != "compare":
        return no_update
    if not isinstance(settled, dict) or settled.get("compare") is None:
        return []
    span = ctx.day_of(ctx.dataset.end)
    try:
        day, other = guard.day_index(settled.get("day"), span), guard.day_index(settled["compare"], span)
    except guard.BadInput:
        return no_update
    return changes_table(ctx, ctx.date_of(min(day, other)), ctx.date_of(max(day, other)))


@callback(
    Output(TREND_ID, "children"),
    Input(TABS_ID, "value"),
    State(TREND_ID, "children"),
    State(SETTLED_ID, "data"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def show_trend(tab, current, settled, slug):
    """Make the trend chart the first time its tab opens, marked at the chosen date (the engine moves the mark)."""
    if tab != "trend" or current:
        return no_update
    ctx = _theatre(slug)
    chart = trend_chart(ctx)
    day = settled.get("day") if isinstance(settled, dict) else None
    if isinstance(day, int) and not isinstance(day, bool):
        date = ctx.date_of(day)
        chart.referenceLines = [{"x": date.isoformat(), "label": _short_date(date), "color": "red.7"}]
    return chart


@callback(
    Output(STEPS_ID, "data"),
    Input(URL_ID, "search"),
)
def briefing_steps(search):
    """The views of the saved briefing named by ``?briefing=<id>`` (None: briefing mode steps through the events)."""
    return briefings.steps_for(_query(search).get("briefing")) or None


clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSteps"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(STEPS_ID, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="init"),
    Output(ENGINE_ID, "data"),
    Input(TABLES_ID, "data"),
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSlider"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(SLIDER_ID, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromCompare"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(COMPARE_ID, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSpeed"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input("play-speed", "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="onTab"),
    Output(COMPARE_ID, "value"),
    Input(TABS_ID, "value"),
    prevent_initial_call=True,
)


# ---------------------------------------------------------------------------------------------------------
# pure helpers


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


def place_history(ctx: Context, place_id: str) -> list:
    """Who held a place when, with each report's source and confidence, newest last."""
    place = ctx.dataset.places[place_id]
    rows = ctx.dataset.rows_for(place_id)
    body = []
    for r in rows:
        src = (
            html.A(r.source_title or _host(r.source_url), href=r.source_url, target="_blank", rel="noopener noreferrer")
            if is_http_url(r.source_url)
            else html.Span(r.source_url)
        )
        body.append(
            html.Tr(
                [
                    html.Td(html.Time(_short_date(r.date), dateTime=r.date.isoformat())),
                    html.Td([html.Span(className="swatch", style={"--c": ctx.colors.get(r.holder, "#999")}), r.holder]),
                    html.Td([html.Div(r.description), html.Div(["Source: ", src], className="muted small")]),
                    html.Td(r.confidence, className=f"conf conf-{r.confidence}"),
                ],
                **{"data-row": r.row_id},
            )
        )
    head = html.Thead(html.Tr([html.Th("Since"), html.Th("Held by"), html.Th("Report"), html.Th("Conf.")]))
    names = ", ".join(place.alt_names[:5])
    return [
        html.H3(place.name),
        html.P(f"Also written: {names}" if names else "", className="muted small"),
        html.P(
            f"{place.kind}; location {place.confidence} confidence"
            + (f" ({place.coord_source})" if place.coord_source else ""),
            className="muted small",
        ),
        html.Table([head, html.Tbody(body)], className="history") if body else html.P("No control reports."),
    ]


def changes_table(ctx: Context, d1: dt.date, d2: dt.date) -> list:
    """Places whose holder differs between ``d1`` and ``d2``, with the report that says so."""
    changes = ctx.territory.place_changes(d1, d2)
    if not changes:
        return [html.P(f"Nothing changed hands between {_short_date(d1)} and {_short_date(d2)}.")]
    body = [
        html.Tr(
            [
                html.Td(ctx.dataset.places[pid].name),
                html.Td(r1.holder if r1 else "–"),
                html.Td(r2.holder),
                html.Td(html.Time(_short_date(r2.date), dateTime=r2.date.isoformat())),
                html.Td(
                    html.A(_host(r2.source_url), href=r2.source_url, target="_blank", rel="noopener noreferrer")
                    if is_http_url(r2.source_url)
                    else r2.source_url
                ),
                html.Td(r2.confidence),
            ],
            **{"data-place": pid},
        )
        for pid, r1, r2 in sorted(changes, key=lambda c: (c[2].date, c[0]))
    ]
    head = html.Thead(
        html.Tr([html.Th("Place"), html.Th("From"), html.Th("To"), html.Th("On"), html.Th("Source"), html.Th("Conf.")])
    )
    return [
        html.P(
            f"{len(changes)} places changed hands between {_short_date(d1)} and {_short_date(d2)}.", className="small"
        ),
        html.Table([head, html.Tbody(body)], className="history changes"),
    ]


def step_event(ctx: Context, date: dt.date, forward: bool) -> dt.date:
    """The next (or previous) event date after (before) ``date``; stays at ``date`` at either end."""
    dates = sorted({e.date for e in ctx.dataset.events if ctx.dataset.start <= e.date <= ctx.dataset.end})
    if forward:
        return next((d for d in dates if d > date), date)
    return next((d for d in reversed(dates) if d < date), date)


def tile_urls() -> list[str]:
    """The tile URL templates of the online basemaps (RAQQA_TILE_URL replaces them all), in their order."""
    override = os.environ.get("RAQQA_TILE_URL")
    return [override or p.build_url() for _, p in ONLINE_BASEMAPS]


def _theatre(slug) -> Context:
    """The theatre a callback answers for (the page's ``theatre`` Store); the bundled one if unknown."""
    return theatre_context(slug if isinstance(slug, str) else "") or context()


def _query(search: str | None) -> dict[str, str]:
    if not isinstance(search, str):
        return {}
    return {k: v[0] for k, v in parse_qs(search.lstrip("?")).items() if v}


def _date_text(date: dt.date) -> str:
    return date.strftime("%-d %B %Y")


def _short_date(date: dt.date) -> str:
    return date.strftime("%-d %b %Y")
