"""The Trend tab: area held per faction over the campaign, marked at the chosen date."""

from __future__ import annotations

import datetime as dt

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, html, no_update

from layers.core.territory import NO_REPORTING
from layers.core.timeline import area_steps
from layers.features.common import SETTLED_ID, TABS_ID, THEATRE_ID, short_date, theatre_of
from layers.server.context import Context

TREND_ID = "trend-chart-holder"
CHART_ID = "area-chart"


def panel(ctx: Context) -> list:
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
    ctx = theatre_of(slug)
    chart = trend_chart(ctx)
    day = settled.get("day") if isinstance(settled, dict) else None
    if isinstance(day, int) and not isinstance(day, bool):
        date = ctx.date_of(day)
        chart.referenceLines = [{"x": date.isoformat(), "label": short_date(date), "color": "red.7"}]
    return chart
