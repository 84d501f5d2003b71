"""The Place tab (layers/features/place.py): a place's control history."""

from __future__ import annotations

import datetime as dt

from dash import no_update

from layers.features import place
from tests.features.conftest import texts

D = dt.date


def test_place_history_lists_every_row_with_source_and_confidence(ctx):
    rows = ctx.dataset.rows_for("ayn_issa")
    text = texts(place.show_place_history("ayn_issa", "place", ""))
    assert all(r.holder in text and r.confidence in text for r in rows)
    assert place.show_place_history("ayn_issa", "events", "") is no_update  # its tab is not shown
    assert place.show_place_history("../etc/passwd", "place", "") is no_update
    assert place.show_place_history(42, "place", "") is no_update


def test_the_place_tab_says_where_a_coordinate_comes_from(ctx):
    sourced = ctx.dataset.places["rumaila"]
    out = place.place_history(ctx, "rumaila")
    (para,) = [c for c in out if "coord-source" in (getattr(c, "className", "") or "")]
    (link,) = [c for c in para.children if getattr(c, "href", None)]
    assert link.href == sourced.coord_source_url and link.children == sourced.coord_source
    assert sourced.coord_method in texts(para)
    estimated = texts(place.place_history(ctx, "qaltah"))
    assert "location low confidence (estimated: drawn hollow on the map)" in estimated


def test_a_coordinate_source_that_is_not_http_is_text_not_a_link(ctx):
    from dataclasses import replace

    hostile = replace(ctx.dataset.places["rumaila"], coord_source_url="javascript:alert(1)", coord_source="<b>x</b>")
    para = place._coordinate(hostile)
    assert not any(getattr(c, "href", None) for c in para.children)
    assert "<b>x</b>" in texts(para)  # shown as typed: Dash renders strings as text
