"""The city figures: km² per holder inside the city's outline on the chosen date, shown while the map is at
city zoom (the engine's city layer, ``assets/layer_city.js``, fills them in and shows the block)."""

from __future__ import annotations

from dash import html

from layers.core.dataset import is_http_url
from layers.features.common import host, short_date
from layers.server.context import Context

CITY_FIGURES_ID = "city-figures"
PLACE_PREFIX = "city:"  # the Place tab's selection for a city district: "city:<district id>"


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


def district_history(ctx: Context, district_id: str) -> list:
    """The Place tab for a city district: who held it when, each row with its source and confidence, and the
    alternative datings kept as disagreements (which the map does not draw)."""
    city = ctx.dataset.city
    if city is None or district_id not in city.districts:
        return [html.P("No such district.", className="muted")]
    d = city.districts[district_id]
    rows = sorted(
        [r for r in (*city.rows, *city.alternatives) if r.place_id == district_id], key=lambda r: (r.date, r.line)
    )
    alternatives = {r.row_id for r in city.alternatives}
    body = []
    for r in rows:
        links = [
            html.A(r.source_title or host(r.source_url), href=r.source_url, target="_blank", rel="noopener noreferrer")
            if is_http_url(r.source_url)
            else html.Span(r.source_url)
        ]
        if r.supporting_source_url and is_http_url(r.supporting_source_url):
            links += [
                " · also ",
                html.A(
                    host(r.supporting_source_url),
                    href=r.supporting_source_url,
                    target="_blank",
                    rel="noopener noreferrer",
                ),
            ]
        alt = r.row_id in alternatives
        body.append(
            html.Tr(
                [
                    html.Td(
                        html.Time(
                            ("by " if r.date_precision != "day" else "") + short_date(r.date),
                            dateTime=r.date.isoformat(),
                        )
                    ),
                    html.Td([html.Span(className="swatch", style={"--c": ctx.colors.get(r.holder, "#999")}), r.holder]),
                    html.Td(
                        [
                            html.Div("Disagreement, not drawn on the map", className="small") if alt else None,
                            html.Div(r.description),
                            html.Div(["Source: ", *links], className="muted small"),
                        ]
                    ),
                    html.Td(r.confidence, className=f"conf conf-{r.confidence}"),
                ],
                className="alternative" if alt else None,
                **{"data-row": r.row_id},
            )
        )
    head = html.Thead(html.Tr([html.Th("Since"), html.Th("Held by"), html.Th("Report"), html.Th("Conf.")]))
    where = f"location {d.confidence} confidence ({d.coord_source})" if d.lat is not None else "no published location"
    names = ", ".join(d.alt_names[:5])
    return [
        html.H3(d.name),
        html.P(f"Also written: {names}" if names else "", className="muted small"),
        html.P(f"{city.name}, {d.kind}; {where}", className="muted small"),
        html.Table([head, html.Tbody(body)], className="history"),
    ]
