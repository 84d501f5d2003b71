"""The benchmark's parts work (nothing here is timed): synthetic data, the two plotly peers, the harness."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import derive, run, synth
from layers.core import Territory, load_dataset
from layers.core.territory import NO_REPORTING
from layers.server.context import context
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return synth.write(tmp_path_factory.mktemp("synth"), n_places=24, dates=40, seed=3)


def test_synthetic_dataset_validates_and_changes_every_day(synthetic):
    ds = load_dataset(synthetic)
    assert len(ds.places) == 24
    assert (ds.end - ds.start).days + 1 == 40
    assert len(ds.ledger) == 24 + 39  # a baseline row per place, then one change a day
    assert ds.events and all(e.ledger_rows for e in ds.events)
    terr = Territory(ds)
    assert set(terr.banks) == {"north", "south"} and not terr.banks["south"].is_empty
    dates = terr.change_dates()
    assert dates[0] == ds.start
    keys = [terr.state_key(d) for d in dates]
    assert len(keys) == 40 and all(a != b for a, b in zip(keys, keys[1:], strict=False))


def test_synthetic_dataset_is_reproducible(tmp_path):
    a = synth.write(tmp_path / "a", n_places=10, dates=5, seed=7)
    b = synth.write(tmp_path / "b", n_places=10, dates=5, seed=7)
    for name in ("ledger.csv", "places.geojson", "events.csv", "theatre.json"):
        assert (a / name).read_text() == (b / name).read_text(), name


def test_synth_command_line_output_passes_validate(tmp_path):
    folder = tmp_path / "cli"
    subprocess.run(
        [sys.executable, "bench/synth.py", str(folder), "--places", "12", "--dates", "6"], cwd=ROOT, check=True
    )
    out = subprocess.run(
        [sys.executable, "-m", "layers", "validate", str(folder)], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "12 places" in out.stdout


def test_derivation_covers_every_state(synthetic):
    out = derive.derive(synthetic, trace=True)
    assert out["days"] == 40 and out["ledger_rows"] == 63 and out["states"] == 40
    assert out["method"].startswith("build_timeline") == ("every_day_s" in out)
    assert out["tracemalloc_peak_mb"] > 0


def test_naive_app_has_a_day_slider_and_an_offline_figure():
    from bench import naive_app

    app = naive_app.build_app()
    graph, slider = app.layout.children
    assert graph.config["showSendToCloud"] is False
    assert (slider.min, slider.max, slider.step) == (0, 349, 1)
    fig = naive_app.figure(200)
    assert fig.layout.meta == {"day": 200}
    style = fig.layout.map.style
    assert isinstance(style, dict) and style["sources"] and "glyphs" not in style
    holders = {loc for trace in fig.data for loc in trace.locations}
    assert {"SDF", "ISIS"} <= holders
    assert all(trace.featureidkey == "properties.holder" for trace in fig.data)


def test_animation_figure_has_a_frame_per_day_naming_features_of_one_geojson():
    from bench import animation_app

    fig = animation_app.figure(context())
    assert len(fig.frames) == 350
    ids = [f["properties"]["fid"] for f in fig.data[0].geojson["features"]]
    assert len(ids) == len(set(ids))
    for frame in fig.frames:
        assert frame.layout.meta == {"day": int(frame.name)}
        (trace,) = frame.data
        assert trace.geojson is None  # the GeoJSON is sent once, on the base trace
        assert set(trace.locations) <= set(ids)
    last = {loc.split(":", 1)[1] for loc in fig.frames[-1].data[0].locations}
    assert "ISIS" not in last and "SDF" in last and NO_REPORTING in last


def test_run_help_names_the_systems_and_the_scale_run():
    out = subprocess.run([sys.executable, "bench/run.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "--scale" in out.stdout and "--quick" in out.stdout
    for name in ("app", "naive", "animation"):
        assert name in out.stdout


def test_nearest_rank_percentile():
    assert run.pct(list(range(1, 101)), 0.95) == 95
    assert run.pct([3.0], 0.95) == 3.0
    assert run.pct([None, 2, 1], 0.5) == 1
    assert run.pct([], 0.5) is None


def test_table_puts_systems_side_by_side_and_shows_skipped_ones():
    rounds = [
        {
            "load": {"rendered_ms": 900.0, "bytes": 500_000, "requests": 12},
            "steps": [{"ms": 10.0, "bytes": 0}, {"ms": 30.0, "bytes": 0}, {"ms": None, "bytes": 0}],
            "server_cpu_ms_per_step": 0.0,
            "server_rss_mb": 100.0,
            "js_heap_mb": 20.0,
            "bursts": [{"ms": 20.0, "ms_from_schedule": 25.0, "press_gap_ms": 40.0, "drawn": 12, "bytes": 0}],
            "hosts": ["127.0.0.1"],
        }
    ]
    summary = run.summarise(rounds)
    assert summary["step_median_ms"] == 20.0 and summary["failed_steps"] == 1
    md = run.table({"a": {"label": "A", "summary": summary}, "b": {"label": "B", "skipped": "did not start"}})
    lines = md.splitlines()
    assert lines[0] == "| metric | A | B |"
    assert "| step: steps measured (failed) | 2 (1) | did not start |" in lines
    assert "| requests leaving 127.0.0.1 | none | did not start |" in lines


@pytest.mark.browser
def test_quick_run_measures_the_naive_peer(tmp_path):
    """A tiny real run (no timing asserted): every step reaches its day, nothing leaves 127.0.0.1."""
    cmd = [sys.executable, "bench/run.py", "--quick", "--systems", "naive", "--no-derive", "--out", str(tmp_path)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads((tmp_path / "results.json").read_text())["systems"]["naive"]
    summary = result["summary"]
    assert summary["steps"] == 3 and summary["failed_steps"] == 0
    assert summary["bursts"] == 1 and summary["failed_bursts"] == 0
    assert summary["step_bytes_median"] > 0  # the naive pattern sends the figure on every step
    assert summary["external_hosts"] == []
    assert "| metric | naive: dcc.Slider + server figure |" in (tmp_path / "results.md").read_text()
