"""The city figures: km² per holder inside the city's outline on the chosen date, shown while the map is at
city zoom (the engine's city layer, ``assets/layer_city.js``, fills them in and shows the block)."""

from __future__ import annotations

from dash import html

from layers.server.context import Context

CITY_FIGURES_ID = "city-figures"


def figures_block(ctx: Context) -> html.Div:
    city = ctx.dataset.city
    if city is None:
        return html.Div(id=CITY_FIGURES_ID, className="city-figures", hidden=True)
    rows = [
        html.Tr(
            [
                html.Td(
                    html.Span(
                        className="swatch hatch-contested" if f["id"] == "contested" else "swatch",
                        style={"--c": f["color"]},
                    )
                ),
                html.Td(f["label"]),
                html.Td("–", className="num km2"),
                html.Td("–", className="num share"),
            ],
            **{"data-holder": f["id"]},
        )
        for f in ctx.dataset.theatre["factions"]
    ]
    extent = "estimated extent" if city.estimated else "outline"
    return html.Div(
        [
            html.H3(f"City: {city.name}", className="city-figures-title"),
            html.P(f"km² within the city's {extent}", className="muted city-figures-note"),
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(""), html.Th("Holder"), html.Th("km²"), html.Th("Share")])),
                    html.Tbody(rows),
                ],
                className="figures city-table",
            ),
        ],
        id=CITY_FIGURES_ID,
        className="city-figures",
        hidden=True,
    )
