"""Validation of an export request, the only way in for untrusted input (layers/core/export_request.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from layers.core import export
from layers.core.export_request import ExportError, Request, parse_request

D = dt.date
SMALL = (480, 270)


def req(territory, **kw) -> Request:
    data = {"kind": "png", **kw}
    return parse_request(territory, data)


# ---------------------------------------------------------------------------------------------------------
# validation of requests (open HTTP endpoint)


def test_defaults_are_the_campaign_start_and_the_area_of_interest(ctx):
    r = parse_request(ctx.territory, {"kind": "png"})
    assert r.date == ctx.dataset.start and r.bounds == tuple(ctx.dataset.aoi.bounds)
    assert r.caption is None and r.layers == frozenset(export.MAP_LAYERS)


def test_a_full_view_from_the_engine_is_accepted(ctx):
    view = {
        "kind": "png",
        "nonce": 1764000000000,
        "date": "2017-06-06",
        "compare": "2017-05-01",
        "bounds": [38.8, 35.8, 39.3, 36.1],
        "layers": ["control", "frontline", "basemap"],
        "caption": "  Raqqa\x00 in June ",
        "theatre": None,
        "center": [36.0, 39.0],
        "zoom": 9,
    }
    r = parse_request(ctx.territory, view)
    assert r.date == D(2017, 6, 6) and r.bounds == (38.8, 35.8, 39.3, 36.1)
    assert r.layers == {"control", "frontline"} and r.caption == "Raqqa  in June"


HOSTILE = [
    ("not a dict", "not understood"),
    (None, "not understood"),
    ({"kind": "exe"}, "Unknown export kind"),
    ({"kind": ["png"]}, "Unknown export kind"),
    ({}, "Unknown export kind"),
    ({"kind": "png", "date": "2017-02-30"}, "does not exist"),
    ({"kind": "png", "date": "2015-01-01"}, "outside the campaign"),
    ({"kind": "png", "date": "2018-01-01"}, "outside the campaign"),
    ({"kind": "png", "date": "yesterday"}, "YYYY-MM-DD"),
    ({"kind": "png", "date": 20170606}, "YYYY-MM-DD"),
    ({"kind": "png", "date": "2017-06-06T00:00"}, "YYYY-MM-DD"),
    ({"kind": "png", "compare": "1999-01-01"}, "outside the campaign"),
    ({"kind": "png", "bounds": [math.nan, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [38, 35.5, math.inf, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [40, 35.5, 38, 36.7]}, "west < east"),
    ({"kind": "png", "bounds": [38, 36.7, 40, 35.5]}, "south < north"),
    ({"kind": "png", "bounds": [38, 35.5, 40]}, "four finite numbers"),
    ({"kind": "png", "bounds": ["38", 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [True, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": [-500, 35.5, 40, 36.7]}, "four finite numbers"),
    ({"kind": "png", "bounds": "38,35,40,36"}, "four finite numbers"),
    ({"kind": "png", "caption": "x" * 301}, "at most 300"),
    ({"kind": "png", "caption": "x" * 1_000_000}, "at most 300"),
    ({"kind": "png", "caption": {"html": "<b>x</b>"}}, "must be text"),
    ({"kind": "png", "layers": "control"}, "map layers"),
    ({"kind": "png", "theatre": "../../etc/passwd"}, "theatre"),
    ({"kind": "png", "theatre": 7}, "theatre"),
    ({"kind": "png", "theatre": "Raqqa City"}, "theatre"),
    ({"kind": "gif", "every": 0}, "whole number of days"),
    ({"kind": "gif", "every": 10**9}, "whole number of days"),
    ({"kind": "png", "size": [100000, 100000]}, "image size"),
]


@pytest.mark.parametrize("data, message", HOSTILE)
def test_hostile_requests_are_rejected_with_a_message(ctx, data, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(")):
        parse_request(ctx.territory, data)


def test_an_animation_of_the_opening_view_is_the_whole_area_and_a_zoomed_one_is_kept(ctx):
    w, s, e, n = ctx.dataset.aoi.bounds
    aoi = (w, s, e, n)
    dx = (e - w) * 0.05
    opening = [w + dx, s, e - dx, n]  # the page's first view: the full height, 90 % of the width
    zoomed = [w + (e - w) * 0.3, s + (n - s) * 0.3, w + (e - w) * 0.6, s + (n - s) * 0.6]
    beyond = [w - 0.5, s, e - dx, n]  # not inside the area
    for kind in ("gif", "mp4"):
        assert parse_request(ctx.territory, {"kind": kind, "bounds": opening}).bounds == aoi
        assert parse_request(ctx.territory, {"kind": kind, "bounds": zoomed}).bounds == tuple(zoomed)
        assert parse_request(ctx.territory, {"kind": kind, "bounds": beyond}).bounds == tuple(beyond)
    assert parse_request(ctx.territory, {"kind": "png", "bounds": opening}).bounds == tuple(opening)  # one image
