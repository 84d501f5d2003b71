"""An import's input files (layers.core.import_inputs): links, devices, sizes and counts are refused before any
file is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from layers.core import DatasetError, Problem, import_inputs, imports
from tests.import_inputs import GOOD_SNAPSHOT, SNAP, WEST, _write, config_file, feat, gj


def test_symlinks_in_an_import_folder_are_refused(tmp_path):
    outside = tmp_path / "secret.geojson"
    outside.write_bytes(GOOD_SNAPSHOT.data)
    folder = tmp_path / "in"
    _write(folder, gj("2017-03-01.geojson", feat(WEST)))
    (folder / "2017-02-01.geojson").symlink_to(outside)
    (folder / "zero.geojson").symlink_to("/dev/zero")
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths([folder])
    link = "is a symbolic link: not followed (copy the file itself)"
    assert err.value.problems == [Problem(SNAP, "file", link), Problem("zero.geojson", "file", link)]


def test_devices_and_pipes_are_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.csv")
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths([folder, Path("/dev/zero")])
    not_regular = "is not a regular file (a device, pipe or socket): not read"
    assert err.value.problems == [Problem("pipe.csv", "file", not_regular), Problem("zero", "file", not_regular)]


def test_sizes_are_checked_before_anything_is_read(tmp_path, monkeypatch):
    """Three files of 19 MiB (sparse) pass the per-file limit but not the total: nothing is opened."""
    monkeypatch.setattr(import_inputs, "_read_regular", lambda *a: pytest.fail("a file was read"))
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        with (folder / f"2017-02-0{i + 1}.geojson").open("wb") as fh:
            fh.truncate(19 * 2**20)
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths([folder])
    assert err.value.problems == [Problem("inputs", "files", "57.0 MiB in all: more than the limit of 50.0 MiB")]


def test_the_number_of_files_is_checked_before_anything_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(import_inputs, "_read_regular", lambda *a: pytest.fail("a file was read"))
    monkeypatch.setattr(import_inputs, "MAX_INPUT_FILES", 3)
    paths = _write(tmp_path / "in", *[gj(f"2017-02-0{i + 1}.geojson", feat(WEST)) for i in range(5)])
    with pytest.raises(DatasetError) as err:
        import_inputs.read_paths(paths)
    assert err.value.problems == [Problem("inputs", "files", "5 files: more than the limit of 3")]


def test_the_byte_budget_holds_for_inputs_given_in_memory(monkeypatch):
    monkeypatch.setattr(import_inputs, "MAX_INPUT_BYTES", 100)
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [GOOD_SNAPSHOT])
    assert err.value.problems == [Problem("inputs", "files", "0.0 MiB in all: more than the limit of 0.0 MiB")]
