"""The analyst-scale theatre's parts (nothing here is timed; speed is in bench/scale_import.py): the synthetic
theatre with N events in both layouts, the same events through the normal import, and the import's budgets
for tables."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth
from layers.core import DatasetError, Problem, import_inputs, imports, load_dataset
from layers.core.dataset import MAX_FILE_BYTES, MAX_TABLE_BYTES, max_bytes
from layers.core.import_config import InputFile
from layers.core.readers import read_csv

ROOT = Path(__file__).resolve().parents[1]


def test_events_option_spreads_n_events_over_days_and_places(tmp_path):
    ds = load_dataset(synth.write(tmp_path / "ds", n_places=30, dates=50, seed=2, n_events=400))
    assert len(ds.events) == 400
    assert len({e.place_id for e in ds.events}) > 20 and len({e.date for e in ds.events}) > 30
    assert all(ds.start <= e.date <= ds.end for e in ds.events)
    assert [e.date for e in ds.events] == sorted(e.date for e in ds.events)
    # something for the feed and its search to tell apart
    assert {e.kind for e in ds.events} == {"article", "milestone"} and {e.confidence for e in ds.events} == {
        "high",
        "medium",
        "low",
    }
    assert {e.agreement for e in ds.events} == {"", "disagree"} and any(len(e.source_urls) == 2 for e in ds.events)


def test_default_events_are_unchanged_milestones(tmp_path):
    ds = load_dataset(synth.write(tmp_path / "ds", n_places=10, dates=65, seed=1))
    assert [e.event_id for e in ds.events] == ["E000030", "E000060"]
    assert all(e.ledger_rows for e in ds.events)


def test_the_import_inputs_hold_the_same_events_and_import_cleanly(tmp_path):
    n = 300
    inputs = synth.write_import(tmp_path / "in", n_places=40, dates=200, seed=5, n_events=n, every=50)
    ds = load_dataset(synth.write(tmp_path / "ds", n_places=40, dates=200, seed=5, n_events=n))
    config = import_inputs.read_paths([inputs / "theatre.toml"])[0]
    imported = imports.prepare(config, import_inputs.read_paths([inputs / "acled.csv", inputs / "snapshots"]))
    assert imported.warnings == []
    assert imported.counts["events"] == n and imported.counts["snapshot dates"] == 4  # days 0, 50, 100, 150
    out = tmp_path / "out"
    imports.save(imported, out)
    got = load_dataset(out)
    # the same events: same days, same coordinates, in the same order
    assert [e.date for e in got.events] == [e.date for e in ds.events]
    where = [(got.places[e.place_id].lon, got.places[e.place_id].lat) for e in got.events]
    assert where == [(ds.places[e.place_id].lon, ds.places[e.place_id].lat) for e in ds.events]
    assert {o.holder for o in got.overrides} == {"Blue", "Red"}


def test_synth_command_line_writes_import_inputs(tmp_path):
    folder = tmp_path / "in"
    subprocess.run(
        [sys.executable, "bench/synth.py", str(folder), "--places", "12", "--dates", "20", "--events", "30",
         "--as-import", "--snapshot-days", "10"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with (folder / "acled.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 30
    assert sorted(p.name for p in (folder / "snapshots").iterdir()) == ["2000-01-01.geojson", "2000-01-11.geojson"]


def test_tables_have_their_own_byte_budget():
    assert max_bytes("acled.CSV") == MAX_TABLE_BYTES > MAX_FILE_BYTES == max_bytes("2017-06-06.geojson")


def test_a_table_too_large_in_all_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(import_inputs, "_read_regular", lambda *a: pytest.fail("a file was read"))
    monkeypatch.setattr(import_inputs, "MAX_TABLE_INPUT_BYTES", 2 * 2**20)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        with (folder / name).open("wb") as fh:
            fh.truncate(3 * 2**19)
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths([folder])
    why = "3.0 MiB of tables in all: more than the limit of 2.0 MiB"
    assert err.value.problems == [Problem("inputs", "files", why)]


def test_a_table_in_memory_too_large_in_all_is_an_error(monkeypatch):
    monkeypatch.setattr(import_inputs, "MAX_TABLE_INPUT_BYTES", 10)
    found = imports.check([InputFile("acled.csv", b"event_id_cnty,event_date\n1,2\n")])
    assert [p.message for p in found.errors] == ["0.0 MiB of tables in all: more than the limit of 0.0 MiB"]


def test_a_table_larger_than_its_file_limit_is_refused(tmp_path):
    big = tmp_path / "acled.csv"
    with big.open("wb") as fh:
        fh.truncate(MAX_TABLE_BYTES + 1)
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths([big])
    assert err.value.problems == [Problem("acled.csv", "file", "larger than 128 MiB")]


def test_dataset_csv_rows_keep_their_line_numbers_and_short_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,2\n\n"x\ny",3\n4\n5,6,7\n', encoding="utf-8")
    problems: list[Problem] = []
    rows = read_csv(path, ("a", "b"), problems)
    assert rows == [(2, {"a": "1", "b": "2"}), (3, {"a": "xy", "b": "3"}), (4, {"a": "4", "b": ""})]
    assert problems == [Problem("t.csv", "line 5", "more fields than the header has")]
