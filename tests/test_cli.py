"""``python -m layers``: validate prints a summary or every problem with its file and row, and sets the exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, ledger_row, make_theatre
from tests.import_inputs import (
    AOI,
    F0,
    GOOD_SNAPSHOT,
    SNAP,
    WEST,
    _write,
    acled,
    acled_row,
    config_file,
    feat,
    gj,
    raw,
    sq,
    tree,
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layers", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_validate_accepts_the_bundled_dataset():
    out = run("validate", "geodata/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK geodata") and "ledger rows" in out.stdout


def test_validate_names_file_row_and_problem(tmp_path: Path):
    folder = make_theatre(
        tmp_path / "t",
        ledger=[ledger_row("X1", "2017-02-01", "nowhere", "SDF"), ledger_row("X2", "2017-02-30", "n1", "SDF")],
    )
    out = run("validate", str(folder))
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert f"ERROR {folder}/ledger.csv: line 2 (X1): unknown place_id 'nowhere' (not in places.geojson)" in lines
    assert f"ERROR {folder}/ledger.csv: line 3 (X2): date '2017-02-30' is not an ISO date (YYYY-MM-DD)" in lines
    assert lines[-1] == "2 problem(s); dataset not valid."


def test_summary_prints_areas_per_date(tiny_dir):
    out = run("summary", str(tiny_dir), "2017-01-10")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("2017-01-10: SDF 50 km², ISIS 150 km²;") and "frontline" in out.stdout


# ---------------------------------------------------------------------------------------------------------
# command line


def test_cli_import_then_validate(tmp_path):
    (cfg,) = _write(tmp_path, config_file())
    _write(tmp_path / "snaps", GOOD_SNAPSHOT, gj("2017-03-01.geojson", feat(sq(*AOI), "SDF")))
    (table,) = _write(tmp_path, acled(acled_row()))
    out = run("import", "--config", str(cfg), "--out", str(tmp_path / "t"), str(tmp_path / "snaps"), str(table))
    assert out.returncode == 0, out.stderr
    assert out.stdout == (
        f"Imported 'Test theatre' into {tmp_path / 't'}: 3 snapshot polygons, 2 snapshot dates, 1 events, "
        "4 places; 0 warning(s)\n"
    )
    check = run("validate", str(tmp_path / "t"))
    assert check.returncode == 0 and check.stdout.startswith(f"OK {tmp_path / 't'}: 4 places"), check.stderr


def test_cli_validate_inputs_lists_errors_and_warnings(tmp_path):
    (cfg,) = _write(tmp_path, config_file())
    bad = gj(SNAP, feat({"type": "Polygon", "coordinates": [WEST["coordinates"][0][:-1]]}), feat(WEST, "Martians"))
    paths = _write(tmp_path / "snaps", bad)
    out = run("validate", "--config", str(cfg), *map(str, paths))
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"WARNING {SNAP}: {F0}: ring was not closed (first position != last): closed it",
        f"ERROR {SNAP}: feature 1: unknown faction 'Martians': not a faction id (SDF, ISIS) or in faction_map",
        "1 problem(s); nothing imported.",
    ]


def test_cli_validate_inputs_without_config(tmp_path):
    paths = _write(tmp_path, GOOD_SNAPSHOT, acled(acled_row()))
    out = run("validate", *map(str, paths))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK 2 input file(s) (without a config")


def test_cli_failed_import_leaves_the_existing_folder(tmp_path, existing):
    folder, before = existing
    (cfg,) = _write(tmp_path, config_file())
    (bad,) = _write(tmp_path / "in", raw(SNAP, "{NaN"))
    out = run("import", "--config", str(cfg), "--out", str(folder), "--replace", str(bad))
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1] == "1 problem(s); nothing imported."
    assert tree(folder) == before


def test_cli_reports_a_huge_file_before_reading_it(tmp_path):
    (cfg,) = _write(tmp_path, config_file())
    huge = tmp_path / "2017-02-01.geojson"
    with huge.open("wb") as fh:
        fh.truncate(21 * 2**20)  # sparse: nothing is written or read
    out = run("import", "--config", str(cfg), "--out", str(tmp_path / "t"), str(huge))
    assert out.returncode == 1
    assert f"ERROR {SNAP}: file: larger than 20 MiB" in out.stderr.splitlines()
    assert not (tmp_path / "t").exists()


def test_cli_skips_the_config_inside_an_input_folder(tmp_path):
    (cfg,) = _write(tmp_path / "all", config_file())
    _write(tmp_path / "all", GOOD_SNAPSHOT)
    out = run("import", "--config", str(cfg), "--out", str(tmp_path / "t"), str(tmp_path / "all"))
    assert out.returncode == 0, out.stderr


def test_cli_usage_errors_exit_2(tmp_path):
    out = run("import", "--out", str(tmp_path / "t"), "x.geojson")
    assert out.returncode == 2 and "--config" in out.stderr


def test_cli_refuses_a_link_to_a_device(tmp_path):
    """Before: a folder holding a link to /dev/zero validated as "OK 0 input file(s)"."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.geojson").symlink_to("/dev/zero")
    out = run("validate", str(folder))
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "ERROR a.geojson: file: is a symbolic link: not followed (copy the file itself)",
        "1 problem(s); nothing imported.",
    ]


def test_cli_escapes_control_characters_in_what_it_prints(tmp_path):
    """A feature id with ANSI escapes and a carriage return cannot fake an "OK" line on the terminal."""
    fake = "\x1b[2K\rOK 1 input file(s)\x1b[8m"
    (path,) = _write(tmp_path, gj(SNAP, feat(WEST, "Martians", id=fake)))
    out = run("validate", "--config", str(_write(tmp_path, config_file())[0]), str(path))
    assert out.returncode == 1
    assert "\x1b" not in out.stderr and "\r" not in out.stderr
    assert out.stderr.splitlines()[0] == (
        f"ERROR {SNAP}: feature 0 (\\x1b[2K\\rOK 1 input file(s)\\x1b[8m): unknown faction 'Martians': not a "
        "faction id (SDF, ISIS) or in faction_map"
    )
