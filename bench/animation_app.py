"""The plotly animation pattern: one plotly express choropleth map with ``animation_frame``, every day a frame.

    python -m bench.serve animation  # HOST, PORT (default 8050) and RAQQA_GEODATA from the environment

The whole history goes to the browser in one figure: the polygons of every distinct ledger state in one
GeoJSON, and one frame per day naming the features of that day's state. Frames are stepped in the browser
(``assets/animation_keys.js``: ArrowRight/ArrowLeft call ``Plotly.animate`` on the next/previous frame), so a
date change needs no server. ``assets/rendered_day.js`` sets ``document.body.dataset.renderedDay`` when a
frame has been drawn.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
from dash import Dash, dcc, html

from bench.plotly_peers import ASSETS, CONFIG, STYLE_OFFLINE, colors, span, view
from layers.core.geojson import collection, control_geojson
from layers.server.context import Context, context


def history(ctx: Context) -> tuple[dict, pd.DataFrame]:
    """All distinct states' polygons in one GeoJSON (feature id ``state:holder``) and one row per day and holder."""
    terr = ctx.territory
    states: dict[tuple, int] = {}
    features, rows = [], []
    for day in range(span(ctx) + 1):
        date = ctx.dataset.start + dt.timedelta(days=day)
        key = terr.state_key(date)
        if key not in states:
            states[key] = len(states)
            for f in control_geojson(terr, date)["features"]:
                fid = f"{states[key]}:{f['properties']['holder']}"
                features.append({**f, "id": fid, "properties": {**f["properties"], "fid": fid}})
        for f in control_geojson(terr, date)["features"]:
            holder = f["properties"]["holder"]
            rows.append({"day": day, "fid": f"{states[key]}:{holder}", "holder": holder})
    return collection(features), pd.DataFrame(rows)


def figure(ctx: Context):
    geojson, df = history(ctx)
    palette = colors(ctx)
    holders = list(palette)
    df["code"] = df["holder"].map(holders.index)
    # one trace coloured by a numeric code on a stepped scale: holders absent on the first day keep their colour
    n = len(holders)
    scale = [[edge, palette[h]] for i, h in enumerate(holders) for edge in (i / n, (i + 1) / n)]
    v = view(ctx)
    # px copies its geojson into every frame; give it an empty one and set the real one once on the base trace
    fig = px.choropleth_map(
        df,
        geojson=collection([]),
        locations="fid",
        featureidkey="properties.fid",
        color="code",
        range_color=(-0.5, n - 0.5),
        color_continuous_scale=scale,
        animation_frame="day",
        hover_name="holder",
        center=v["center"],
        zoom=v["zoom"],
        opacity=0.6,
    )
    fig.update_layout(
        map_style=STYLE_OFFLINE,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        coloraxis_showscale=False,
        uirevision="keep",
        meta={"day": 0},
    )
    fig.data[0].geojson = geojson
    for frame in fig.frames:
        for trace in frame.data:
            trace.geojson = None  # frames only name their features; the base trace's GeoJSON stays
        frame.layout = {"meta": {"day": int(frame.name)}}
    return fig


def build_app() -> Dash:
    app = Dash(__name__, assets_folder=str(ASSETS), compress=True, title="Animation: plotly frames")
    app.layout = html.Div([dcc.Graph(id="map", figure=figure(context()), config=CONFIG, style={"height": "95vh"})])
    return app
