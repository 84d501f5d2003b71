"""The Trend tab (layers/features/trend.py): the daily area series."""

from __future__ import annotations

import datetime as dt

from layers.features import trend

D = dt.date


def test_area_series_is_daily_and_adds_up(ctx):
    series = trend.area_series(ctx)
    assert len(series) == (ctx.dataset.end - ctx.dataset.start).days + 1
    row = next(r for r in series if r["date"] == "2017-06-06")
    snap = ctx.territory.control_at(D(2017, 6, 6))
    assert row["SDF"] == round(snap.area_km2("SDF")) and row["ISIS"] == round(snap.area_km2("ISIS"))
