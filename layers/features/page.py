"""The page shell: the header with the chosen date, the map, the sidebar (figures and the tabs of the page
features), the date control and the keyboard help; and opening another theatre.

Each feature module in ``layers/features/`` holds its own layout, callbacks and ids; this module puts them
together. Everything that changes with the date is done in the browser by the date engine (``assets/``) from
the tables in the ``timeline`` Store (``layers/core/timeline.py``): moving the date sends no request.
"""

from __future__ import annotations

import copy

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from layers.core import DatasetError
from layers.core.territory import NO_REPORTING
from layers.features import (
    access,
    admin,
    briefings,
    city,
    compare,
    data_health,
    export,
    feed,
    map_view,
    place,
    tables,
    timeline,
    trend,
    upload,
)
from layers.features.common import (
    DATE_ID,
    ENGINE_ID,
    FIGURES_ID,
    FRONT_ID,
    PAGE_ID,
    PLACE_ID,
    SETTLED_ID,
    TABLES_ID,
    TABS_ID,
    THEATRE_ID,
    URL_ID,
    date_text,
    query,
)
from layers.features.theatre_failed import failed_page, preparing_page
from layers.server.context import (
    Context,
    context,
    record_failure,
    theatre_context,
    theatre_failure,
    theatre_preparing,
)
from layers.server.serving import components

WANTED_ID = "theatre-wanted"  # the query string, set in the browser when its ?theatre= is not the one shown


def layout() -> html.Div:
    """The shell: the bundled theatre's page; ``?theatre=<slug>`` swaps in an imported one."""
    ctx = context()
    return html.Div(
        [
            dcc.Location(id=URL_ID, refresh=False),
            dcc.Store(id=THEATRE_ID, data=""),
            dcc.Store(id=WANTED_ID),
            html.Div(page(ctx), id=PAGE_ID),
        ]
    )


def validation_layout() -> html.Div:
    """Every component of the page that has an id, with its type and id only: what Dash checks the callbacks
    against. Dash writes it into every page it serves (``app.validation_layout``); the whole page there would
    add ~650 kB (the tables, the feed) to each ``/``, on top of the same in ``/_dash-layout``."""
    found = []
    for c in components(layout()):
        if getattr(c, "id", None) is not None:
            bare = copy.copy(c)
            for p in list(bare.__dict__):  # its props, data-* and aria-* ones too
                if p != "id" and (p in c._prop_names or p.startswith(tuple(c._valid_wildcard_attributes))):
                    delattr(bare, p)
            found.append(bare)
    return html.Div(found[::-1])


def page(ctx: Context, slug: str = "") -> dmc.MantineProvider:
    ds = ctx.dataset
    return dmc.MantineProvider(
        html.Div(
            [
                dcc.Store(id=TABLES_ID, data=tables.client_tables(ctx, slug)),
                dcc.Store(id=ENGINE_ID),
                dcc.Store(id=PLACE_ID),
                dcc.Store(id=SETTLED_ID),
                dcc.Store(id=briefings.STEPS_ID),
                access.skip_link(),
                html.Header(
                    [
                        html.Div([html.H1(ds.theatre["name"]), html.P(_subtitle(ctx), className="subtitle")]),
                        html.Div(
                            [
                                html.Div(date_text(ds.start), id=DATE_ID, className="date-display"),
                                access.date_entry(ctx),
                            ],
                            className="date-box",
                        ),
                        html.Div(
                            [
                                html.Button("Briefing mode", className="tool", **{"data-action": "briefing"}),
                                html.Button("Keys", className="tool", **{"data-action": "keys"}),
                                *admin.header_controls(),
                            ],
                            className="tools",
                        ),
                    ],
                    className="topbar",
                ),
                html.Main([map_view.panel(ctx), _sidebar(ctx)], className="main"),
                timeline.footer(ctx),
                _keys_help(),
                access.live_region(),
            ],
            className="shell",
        ),
        forceColorScheme="light",
    )


def _subtitle(ctx: Context) -> str:
    n = len(ctx.dataset.ledger)
    return f"Ground held by each faction, day by day, derived from {n} dated and sourced control reports."


def _sidebar(ctx: Context) -> html.Aside:
    return html.Aside(
        [
            access.sheet_toggle(),
            html.H2("Ground held"),
            html.Div(figures_table(ctx), id=FIGURES_ID),
            html.P("Frontline length: –", id=FRONT_ID, className="frontline-km"),
            city.figures_block(ctx),
            compare.changed_line(),
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
                    dmc.TabsPanel(feed.panel(ctx), value="events", className="tab-panel feed-panel"),
                    dmc.TabsPanel(trend.panel(ctx), value="trend", className="tab-panel"),
                    dmc.TabsPanel(place.panel(), value="place", className="tab-panel"),
                    dmc.TabsPanel(compare.panel(ctx), value="compare", className="tab-panel"),
                    dmc.TabsPanel(briefings.panel(ctx), value="briefings", className="tab-panel"),
                    dmc.TabsPanel(_data_panel(ctx), value="data", className="tab-panel"),
                ],
                id=TABS_ID,
                value="events",
                keepMounted=True,  # hidden panels stay in the page, so callbacks can fill them at any time
                className="side-tabs",
            ),
        ],
        className="sidebar",
        id="sidebar",
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
                html.Th(html.Span("Colour", className="visually-hidden")),
                html.Th("Holder"),
                html.Th("km²", className="num"),
                html.Th("share", className="num"),
                html.Th("Δ since last event", className="num delta-head"),
            ]
        )
    )
    return html.Table([head, html.Tbody(rows)], className="areas")


def _data_panel(ctx: Context) -> list:
    return [
        data_health.component(ctx),
        export.component(ctx),
        html.H3("Import a theatre"),
        html.P(
            "Your own control snapshots (GeoJSON folder, GeoPackage, KML/KMZ) and events (ACLED, UCDP), with a "
            "config file naming the factions: checked, then opened beside this one. Nothing already loaded changes.",
            className="muted small",
        ),
        *upload.component(ctx),
        *admin.panel(ctx),
    ]


def _keys_help() -> html.Div:
    keys_ = [
        ("← →", "one day back / forward (Shift: a week); on the map, the arrows pan"),
        ("PageUp PageDown", "previous / next event"),
        ("Space", "play / pause (briefing: autoplay)"),
        ("Home End", "campaign start / end"),
        ("B", "briefing mode; Esc leaves it"),
        ("F", "full screen"),
        ("Tab", "the date keys act when the page or the map has focus; Esc returns focus to the page"),
    ]
    return html.Div(
        [html.H2("Keyboard"), html.Dl([x for k, t in keys_ for x in (html.Dt(k), html.Dd(t))])],
        className="keys-help",
        role="dialog",
        **{"aria-label": "Keyboard shortcuts"},
    )


clientside_callback(  # the query string, when its ?theatre= is not the theatre shown
    ClientsideFunction(namespace="page", function_name="theatreWanted"),
    Output(WANTED_ID, "data"),
    Input(URL_ID, "search"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(PAGE_ID, "children"),
    Output(THEATRE_ID, "data"),
    Input(WANTED_ID, "data"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def switch_theatre(search, current):
    """Open the theatre named by ``?theatre=<slug>`` (an imported one); no change if it is already open; a page
    naming its problems if it cannot be derived."""
    slug = query(search).get("theatre", "")
    if slug == (current or ""):
        return no_update, no_update
    ctx = theatre_context(slug)
    if ctx is None:
        problems = theatre_failure(slug)
        if not problems and (stage := theatre_preparing(slug)) is not None:
            return preparing_page(slug, stage), current or ""
        return (failed_page(slug, problems), slug) if problems else (no_update, no_update)
    try:
        return page(ctx, slug), slug
    except DatasetError as exc:  # DerivationError: the map of an otherwise valid theatre cannot be derived
        record_failure(slug, exc.problems)
        return failed_page(slug, exc.problems), slug


clientside_callback(
    ClientsideFunction(namespace="engine", function_name="init"),
    Output(ENGINE_ID, "data"),
    Input(TABLES_ID, "data"),
)
