"""The page shell and the tables it hands the engine (layers/features/page.py, tables.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from dash import no_update

from layers.features import page, tables
from layers.server.context import theatre_context

D = dt.date


def test_page_tables_carry_no_geometry_and_every_event(ctx):
    t = tables.client_tables(ctx, "")
    assert not {"cells", "edges", "overrides", "city_cells", "city_points", "city_outline"} & set(t)
    assert [e["id"] for e in tables.event_records(t)] == [e.event_id for e in ctx.dataset.events]
    a16 = next(e for e in tables.event_records(t) if e["id"] == "A16")
    assert a16["day"] == ctx.day_of(D(2017, 10, 17)) and a16["lat"] is not None
    assert set(t["default_layers"]) == {"control", "change", "frontline", "places", "city", "events"}
    # the city view's zoom threshold is in the tables, for the engine and briefing mode
    assert t["city"]["min_zoom"] == ctx.dataset.city.min_zoom == 13


def test_the_tables_match_their_declared_schema(ctx):
    t = tables.client_tables(ctx, "")
    assert set(t) == set(tables.SCHEMA) and t["schema"] == {k: kind for k, (kind, _) in tables.SCHEMA.items()}
    tables.check(t)
    bad = {k: v for k, v in t.items() if k != "title"} | {"span": "350", "extra": 1}
    with pytest.raises(ValueError, match="title: missing; extra: not in the schema; span: str, not number"):
        tables.check(bad)


def test_unknown_or_malformed_theatres_change_nothing():
    assert page.switch_theatre("?theatre=nope", "") == (no_update, no_update)
    assert page.switch_theatre("?theatre=../../etc", "") == (no_update, no_update)
    assert page.switch_theatre("?date=2017-01-01", "") == (no_update, no_update)
    assert theatre_context("Bad Slug!") is None


def test_date_of_clamps_to_the_campaign(ctx):
    assert ctx.date_of(-50) == ctx.dataset.start
    assert ctx.date_of(10**6) == ctx.dataset.end
    assert ctx.date_of(None) == ctx.dataset.start


def test_the_data_tab_holds_the_data_health_section(ctx):
    from layers.features import data_health

    def ids(c):
        yield getattr(c, "id", None)
        kids = getattr(c, "children", None)
        for k in kids if isinstance(kids, list | tuple) else [kids] if kids is not None else []:
            yield from ids(k)

    assert data_health.SECTION_ID in [i for i in ids(page.page(ctx)) if isinstance(i, str)]
