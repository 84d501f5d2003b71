"""The Place tab: who held the place clicked on the map, when, on whose report."""

from __future__ import annotations

from dash import Input, Output, State, callback, html, no_update

from layers.core.dataset import is_http_url
from layers.features import city
from layers.features.common import PLACE_ID, TABS_ID, THEATRE_ID, host, short_date, theatre_of
from layers.server.context import Context

HISTORY_ID = "place-history"


def panel() -> list:
    return [
        html.Div(
            html.P("Click a place or ground on the map for its control history.", className="muted"), id=HISTORY_ID
        )
    ]


@callback(
    Output(HISTORY_ID, "children"),
    Input(PLACE_ID, "data"),
    Input(TABS_ID, "value"),
    State(THEATRE_ID, "data"),
    prevent_initial_call=True,
)
def show_place_history(place_id, tab, slug):
    """The control history of the selected place (again when its tab opens: hidden tabs are not rendered)."""
    ctx = theatre_of(slug)
    if tab == "place" and isinstance(place_id, str) and place_id.startswith(city.PLACE_PREFIX):
        return city.district_history(ctx, place_id.removeprefix(city.PLACE_PREFIX))
    if tab != "place" or not isinstance(place_id, str) or place_id not in ctx.dataset.places:
        return no_update
    return place_history(ctx, place_id)


def place_history(ctx: Context, place_id: str) -> list:
    """Who held a place when, with each report's source and confidence, newest last."""
    place = ctx.dataset.places[place_id]
    rows = ctx.dataset.rows_for(place_id)
    body = []
    for r in rows:
        src = (
            html.A(r.source_title or host(r.source_url), href=r.source_url, target="_blank", rel="noopener noreferrer")
            if is_http_url(r.source_url)
            else html.Span(r.source_url)
        )
        body.append(
            html.Tr(
                [
                    html.Td(html.Time(short_date(r.date), dateTime=r.date.isoformat())),
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
            + ("" if place.confidence == "high" else " (estimated: drawn hollow on the map)"),
            className="muted small",
        ),
        _coordinate(place),
        html.Table([head, html.Tbody(body)], className="history") if body else html.P("No control reports."),
    ]


def _coordinate(place) -> html.P:
    """Where the place's coordinate comes from: its source (a link when it is http(s)) and how it was set."""
    source = place.coord_source or "no source recorded"
    parts: list = ["Coordinate: "]
    if is_http_url(place.coord_source_url):
        parts.append(html.A(source, href=place.coord_source_url, target="_blank", rel="noopener noreferrer"))
    else:
        parts.append(source)
    if place.coord_method and place.coord_method != place.coord_source:
        parts.append(f" · {place.coord_method}")
    return html.P(parts, className="muted small coord-source")
