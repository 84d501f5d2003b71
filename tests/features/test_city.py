"""The city's Place tab and figures block (layers/features/city.py)."""

from __future__ import annotations

from dash import no_update

from layers.features import city, place
from tests.features.conftest import texts


def _rows(component) -> list:
    """The table rows (html.Tr) of a history, with their props."""
    out, todo = [], [component]
    while todo:
        c = todo.pop()
        if isinstance(c, (list, tuple)):
            todo.extend(c)
        elif getattr(c, "_type", "") == "Tr" and getattr(c, "data-row", None):
            out.append(c)
        elif hasattr(c, "children"):
            todo.append(c.children)
    return out


def test_a_district_history_lists_every_row_with_sources_and_marks_disagreements(ctx):
    history = place.show_place_history("city:mashlab", "place", "")
    text = texts(history)
    c = ctx.dataset.city
    rows = [r for r in (*c.rows, *c.alternatives) if r.place_id == "mashlab"]
    assert "al-Mishlab" in text and all(r.description in text for r in rows)
    trs = {getattr(tr, "data-row"): tr for tr in _rows(history)}
    assert set(trs) == {r.row_id for r in rows}
    alternative = {r.row_id for r in c.alternatives if r.place_id == "mashlab"}
    assert alternative == {"C067"}
    assert {k for k, tr in trs.items() if tr.className == "alternative"} == alternative
    assert "Disagreement, not drawn on the map" in texts(trs["C067"])


def test_unknown_districts_and_hidden_tabs_change_nothing_or_say_so(ctx):
    assert texts(place.show_place_history("city:nowhere", "place", "")) == "No such district."
    assert texts(place.show_place_history("city:<b>x</b>", "place", "")) == "No such district."
    assert place.show_place_history("city:mashlab", "events", "") is no_update  # its tab is not shown


def test_the_city_figures_block_has_a_row_per_faction(ctx):
    block = city.figures_block(ctx)
    assert block.hidden is True and "estimated extent" in texts(block)
    holders = [getattr(tr, "data-holder") for tr in _rows_by_holder(block)]
    assert holders == [f["id"] for f in ctx.dataset.theatre["factions"]]


def _rows_by_holder(component) -> list:
    out, todo = [], [component]
    while todo:
        c = todo.pop(0)
        if isinstance(c, (list, tuple)):
            todo.extend(c)
        elif getattr(c, "data-holder", None):
            out.append(c)
        elif hasattr(c, "children"):
            todo.append(c.children)
    return out
