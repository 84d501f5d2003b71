"""The Compare tab (layers/features/compare.py): what changed hands between two dates."""

from __future__ import annotations

import datetime as dt

from dash import no_update

from layers.features import compare
from tests.features.conftest import texts

D = dt.date


def test_changes_table_between_two_dates(ctx):
    d1, d2 = D(2017, 6, 1), D(2017, 6, 30)
    changes = ctx.territory.place_changes(d1, d2)
    out = compare.show_changes({"day": ctx.day_of(d2), "compare": ctx.day_of(d1)}, "compare", "")
    text = texts(out)
    assert f"{len(changes)} places changed hands" in text
    assert all(ctx.dataset.places[pid].name in text for pid, _, _ in changes)
    assert compare.show_changes({"day": 10, "compare": None}, "compare", "") == []
    assert compare.show_changes({"day": "x", "compare": "y"}, "compare", "") is no_update
    assert compare.show_changes("garbage", "compare", "") == []
    assert compare.show_changes({"day": 10, "compare": 1}, "events", "") is no_update
