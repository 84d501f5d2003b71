"""``python -m layers``: validate prints a summary or every problem with its file and row, and sets the exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, ledger_row, make_theatre


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layers", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
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
