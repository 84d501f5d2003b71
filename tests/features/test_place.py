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
