"""The naive Dash pattern, as most tutorials teach it: a slider over the days and a server callback that
rebuilds the whole plotly choropleth map of the day's control polygons and sends it to the browser.

    python -m bench.serve naive    # HOST, PORT (default 8050) and RAQQA_GEODATA from the environment

It is the baseline the benchmark (``bench/run.py``) compares the app against; ``assets/rendered_day.js`` sets
``document.body.dataset.renderedDay`` when the figure of a day has been drawn.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

from bench.plotly_peers import ASSETS, CONFIG, STYLE_OFFLINE, colors, span, view
from layers.core.geojson import control_geojson
from layers.server.context import context


def figure(day: int):
    """The whole figure for one day: control polygons as a choropleth map, coloured by holder."""
    ctx = context()
    date = ctx.date_of(day)
    geojson = control_geojson(ctx.territory, date)
    df = pd.DataFrame(
        [{"holder": f["properties"]["holder"], "area_km2": f["properties"]["area_km2"]} for f in geojson["features"]]
    )
    v = view(ctx)
    fig = px.choropleth_map(
        df,
        geojson=geojson,
        locations="holder",
        featureidkey="properties.holder",
        color="holder",
        color_discrete_map=colors(ctx),
        hover_data=["area_km2"],
        center=v["center"],
        zoom=v["zoom"],
        opacity=0.6,
    )
    fig.update_layout(
        map_style=STYLE_OFFLINE,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        title=date.strftime("%-d %B %Y"),
        uirevision="keep",
        meta={"day": day},
        datarevision=day,
    )
    return fig


def build_app() -> Dash:
    ctx = context()
    app = Dash(__name__, assets_folder=str(ASSETS), compress=True, title="Naive: slider and server figure")
    app.layout = html.Div(
        [
            dcc.Graph(id="map", config=CONFIG, style={"height": "80vh"}),
            dcc.Slider(id="day", min=0, max=span(ctx), step=1, value=0, marks=None),
        ]
    )

    @app.callback(Output("map", "figure"), Input("day", "value"))
    def update(day):
        return figure(day)

    return app
