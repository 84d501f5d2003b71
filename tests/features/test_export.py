"""The export panel and its background callback (layers/features/export.py)."""

from __future__ import annotations

import base64
import json

import pytest

from layers.core import animation, export, render
from tests.export_inputs import SMALL, D
from tests.test_export_request import HOSTILE

pytestmark = pytest.mark.usefixtures("fresh_frame_cache")

# ---------------------------------------------------------------------------------------------------------
# the Dash panel (layers/features/export.py)


@pytest.mark.parametrize("data, message", HOSTILE[:6] + HOSTILE[12:13] + HOSTILE[21:22])
def test_callback_answers_hostile_input_with_a_status_message(ctx, data, message):
    from dash import no_update

    from layers.features import export as dash_export

    download, status = dash_export.build_download(ctx, data)
    assert download is no_update
    assert status.startswith("Export not made:") and message.split("(")[0] in status


def test_callback_reports_a_failed_build_without_raising(ctx, monkeypatch):
    from dash import no_update

    from layers.features import export as dash_export

    def broken(*_a):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "build", broken)
    assert dash_export.build_download(ctx, {"kind": "png"}) == (
        no_update,
        "Export failed on the server; the error is in its log.",
    )


def test_callback_refuses_a_theatre_not_open_here():
    from dash import no_update

    from layers.features import export as dash_export

    for theatre in ("no-such-theatre", 42, ["x"]):
        assert dash_export.export_file(print, {"kind": "png", "theatre": theatre}) == (
            no_update,
            "Export not made: that theatre is not open on this server.",
        )


def test_callback_returns_a_named_download(ctx):
    from layers.features import export as dash_export

    download, status = dash_export.export_file(print, {"kind": "csv", "date": "2017-06-06", "nonce": 1})
    assert download["filename"] == "raqqa-2017-06-06-places.csv" and download["type"] == "text/csv"
    assert base64.b64decode(download["content"]).decode("utf-8-sig").startswith("place_id,name,")
    assert status.startswith("Saved places table raqqa-2017-06-06-places.csv")


def test_callback_reports_progress_frame_by_frame_and_keeps_frames_on_disk(ctx, monkeypatch):
    from layers.features import export as dash_export

    monkeypatch.setattr(animation, "frame_dates", lambda territory, every=None: [D(2017, 6, 1), D(2017, 6, 6)])
    seen = []
    download, status = dash_export.export_file(seen.append, {"kind": "gif", "size": list(SMALL)})
    assert download["filename"].endswith(".gif") and status.startswith("Saved animation")
    assert seen == [["1", "2", "Drawing frame 1 of 2…"], ["2", "2", "Encoding 2 frames…"]]

    def no_rendering(*_a, **_k):
        raise AssertionError("frame rendered again")

    monkeypatch.setattr(render, "render_rgb", no_rendering)  # the second export reads the frames from disk
    animation._FRAMES.clear()
    again, _ = dash_export.export_file(seen.append, {"kind": "gif", "size": list(SMALL)})
    assert again["content"] == download["content"]


def test_callback_refuses_an_oversized_animation_and_a_busy_server_with_a_message(ctx, monkeypatch):
    from dash import no_update

    from layers.features import export as dash_export
    from layers.server import jobs

    download, status = dash_export.export_file(print, {"kind": "gif", "every": 1, "size": [3840, 2160]})
    assert download is no_update and "million an animation may hold" in status
    monkeypatch.setenv("RAQQA_MAX_JOBS", "2")
    with jobs.heavy_slot(), jobs.heavy_slot():  # two jobs running elsewhere on the server
        assert dash_export.export_file(print, {"kind": "png"}) == (no_update, f"Export not made: {jobs.BUSY}")
    download, status = dash_export.export_file(print, {"kind": "geojson"})
    assert status.startswith("Saved")


def test_component_has_a_button_per_kind_a_store_a_download_and_a_status(ctx):
    from layers.features import export as dash_export

    panel = dash_export.component(ctx)
    found = {}

    def walk(node):
        if hasattr(node, "to_plotly_json"):
            found[json.dumps(getattr(node, "id", None), sort_keys=True)] = node
            kids = getattr(node, "children", None)
            for k in kids if isinstance(kids, list) else [kids]:
                walk(k)

    walk(panel)
    for kind in export.KINDS:
        button = found[json.dumps({"kind": kind, "type": "export-button"}, sort_keys=True)]
        assert button.children and kind.upper() in button.children.upper()
    for id_ in ("export-request", "export-download", "export-status"):
        assert json.dumps(id_) in found
