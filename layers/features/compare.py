"""The Compare tab: a second date; the map hatches what changed hands, the tab lists the places."""

from __future__ import annotations

import datetime as dt

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from layers.core import validate
from layers.core.dataset import is_http_url
from layers.features.common import ENGINE_ID, SETTLED_ID, TABS_ID, THEATRE_ID, host, short_date, theatre_of
from layers.server.context import Context

COMPARE_ID = "compare-date"
CHANGED_KM2_ID = "changed-km2"  # the km² that changed hands between the two dates (the engine writes it)
CHANGES_ID = "changed-hands"
SHOWN_ID = "compare-settled"  # the settled view, passed on only while the Compare tab is open


def changed_line() -> html.P:
    """Under the area table: how much ground changed hands since the compare date (empty without one)."""
    return html.P(id=CHANGED_KM2_ID, className="frontline-km changed-km2")


def panel(ctx: Context) -> list:
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
            clearButtonProps={"aria-label": "Clear the compare date"},
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
        dcc.Store(id=SHOWN_ID),
    ]


clientside_callback(  # the settled view, only while the Compare tab is open: no request for the other tabs
    ClientsideFunction(namespace="page", function_name="onCompareTab"),
    Output(SHOWN_ID, "data"),
    Input(SETTLED_ID, "data"),
    Input(TABS_ID, "value"),
    prevent_initial_call=True,
)


@callback(
    Output(CHANGES_ID, "children"),
    Input(SHOWN_ID, "data"),
    State(TABS_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def show_changes(settled, tab, slug):
    """The table of places that changed hands between the compare date and the chosen date."""
    ctx = theatre_of(slug)
    if tab != "compare":
        return no_update
    if not isinstance(settled, dict) or settled.get("compare") is None:
        return []
    span = ctx.day_of(ctx.dataset.end)
    try:
        day, other = validate.day_index(settled.get("day"), span), validate.day_index(settled["compare"], span)
    except validate.BadInput:
        return no_update
    return changes_table(ctx, ctx.date_of(min(day, other)), ctx.date_of(max(day, other)))


def changes_table(ctx: Context, d1: dt.date, d2: dt.date) -> list:
    """Places whose holder differs between ``d1`` and ``d2``, with the report that says so."""
    changes = ctx.territory.place_changes(d1, d2)
    if not changes:
        return [html.P(f"Nothing changed hands between {short_date(d1)} and {short_date(d2)}.")]
    body = [
        html.Tr(
            [
                html.Td(ctx.dataset.places[pid].name),
                html.Td(r1.holder if r1 else "–"),
                html.Td(r2.holder),
                html.Td(html.Time(short_date(r2.date), dateTime=r2.date.isoformat())),
                html.Td(
                    html.A(host(r2.source_url), href=r2.source_url, target="_blank", rel="noopener noreferrer")
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
            f"{len(changes)} places changed hands between {short_date(d1)} and {short_date(d2)}.", className="small"
        ),
        html.Table([head, html.Tbody(body)], className="history changes"),
    ]


clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromCompare"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(COMPARE_ID, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="onTab"),
    Output(COMPARE_ID, "value"),
    Input(TABS_ID, "value"),
    prevent_initial_call=True,
)
