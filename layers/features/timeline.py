"""The date control under the map: step to the previous or next event, play, the slider, the speed.

Moving the date is clientside (the engine in ``assets/``): these callbacks only hand the slider and the
speed to it.
"""

from __future__ import annotations

import datetime as dt

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, clientside_callback, html

from layers.features.common import ENGINE_ID
from layers.server.context import Context

SLIDER_ID = "date-slider"
SPEED_ID = "play-speed"
MAX_MARKS = 400  # event dates marked on the slider at most; beyond, none (the Events tab lists them)
SPEEDS = (("7", "1 week/s"), ("14", "2 weeks/s"), ("30", "1 month/s"), ("3", "3 days/s"))


def footer(ctx: Context) -> html.Section:
    ds = ctx.dataset
    span = (ds.end - ds.start).days
    marks = [{"value": ctx.day_of(d)} for d in sorted({e.date for e in ds.events}) if ds.start <= d <= ds.end]
    marks = marks if len(marks) <= MAX_MARKS else []  # too many to tell apart, and each step re-renders them all
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
    return html.Section(
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
                        thumbLabel="Date",
                    ),
                    html.Div(months, className="month-axis"),
                ],
                className="slider-wrap",
            ),
            html.Label(
                [
                    "Speed",
                    dmc.Select(
                        id=SPEED_ID,
                        data=[{"value": v, "label": t} for v, t in SPEEDS],
                        value="7",
                        allowDeselect=False,
                        searchable=False,
                        className="speed",
                        size="sm",
                        **{"aria-label": "Play speed"},
                    ),
                ],
                className="speed-label",
            ),
        ],
        className="timeline",
        **{"aria-label": "Date controls"},
    )


clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSlider"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(SLIDER_ID, "value"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSpeed"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(SPEED_ID, "value"),
    prevent_initial_call=True,
)
