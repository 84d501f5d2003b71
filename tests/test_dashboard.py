"""Dashboard callbacks and helpers called as plain functions against the bundled dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from layers import DYNAMIC_LAYERS, dashboard
from layers._context import context

D = dt.date


@pytest.fixture(scope="module")
def ctx():
    return context()


def test_step_event_walks_event_dates(ctx):
    dates = sorted({e.date for e in ctx.dataset.events})
    assert dashboard.step_event(ctx, ctx.dataset.start, forward=True) == dates[0]
    assert dashboard.step_event(ctx, dates[0], forward=True) == dates[1]
    assert dashboard.step_event(ctx, dates[1], forward=False) == dates[0]
    assert dashboard.step_event(ctx, dates[0], forward=False) == dates[0]  # stays at the first
    last = max(d for d in dates if d <= ctx.dataset.end)
    assert dashboard.step_event(ctx, last, forward=True) == last


def test_area_table_adds_up_to_the_ground(ctx):
    table = dashboard.area_table(ctx, D(2017, 6, 6))
    total = sum(r["km2"] for r in table)
    assert total == pytest.approx(ctx.territory.ground.area / 1e6, rel=1e-3)
    assert sum(r["share"] for r in table) == pytest.approx(1.0, rel=1e-3)
    by_id = {r["id"]: r for r in table}
    assert by_id["SDF"]["km2"] > by_id["ISIS"]["km2"]  # by June 2017 the SDF held most of the ground


def test_show_date_returns_every_layer_and_marks_current_events(ctx):
    day = ctx.day_of(D(2017, 10, 17))
    out = dashboard.show_date(day)
    n = len(DYNAMIC_LAYERS)
    assert all(o["type"] == "FeatureCollection" for o in out[:n])
    assert out[n + 1] == "17 October 2017"
    current = [e.event_id for e, cls in zip(ctx.dataset.events, out[n + 2], strict=True) if "current" in cls]
    assert "A16" in current and all(e.date == D(2017, 10, 17) for e in ctx.dataset.events if e.event_id in current)


def test_date_of_clamps_to_the_campaign(ctx):
    assert ctx.date_of(-50) == ctx.dataset.start
    assert ctx.date_of(10**6) == ctx.dataset.end
    assert ctx.date_of(None) == ctx.dataset.start
