"""Tiny theatres for the consistency rules' tests: a dataset from ledger rows, events, settings and files, and
the findings of one rule."""

from __future__ import annotations

import json
from pathlib import Path

from layers.core import load_dataset
from layers.core.consistency import check
from tests.conftest import ledger_row, make_theatre


def dataset(tmp_path: Path, ledger, events=(), rules=None, files=None):
    folder = make_theatre(tmp_path / "t", ledger=ledger, events=list(events))
    if rules is not None:
        theatre = json.loads((folder / "theatre.json").read_text())
        theatre["rules"] = rules
        (folder / "theatre.json").write_text(json.dumps(theatre))
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return load_dataset(folder)


def found(ds, rule):
    return [(f.severity, f.item, f.message) for f in check(ds) if f.rule == rule]


BASE = [
    ledger_row("B1", "2017-01-01", "n1", "ISIS", date_precision="baseline"),
    ledger_row("B2", "2017-01-01", "n2", "ISIS", date_precision="baseline"),
    ledger_row("B3", "2017-01-01", "s1", "ISIS", date_precision="baseline"),
]
