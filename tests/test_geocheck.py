"""The findings and budgets of one import and its strict text (layers/core/geocheck.py): every problem reported,
lists capped with a count, budgets for the whole import counted while parsing, a byte-order mark accepted."""

from __future__ import annotations

import pytest

from layers.core import DatasetError, Problem, imports
from layers.core import geocheck as gc
from layers.core.import_config import InputFile
from tests.import_inputs import (
    ACLED_HEADER,
    CONFIG,
    EAST,
    F0,
    GOOD_SNAPSHOT,
    L2,
    SNAP,
    WEST,
    acled,
    acled_row,
    config_file,
    feat,
    gj,
    poly,
    raw,
)


def test_a_byte_order_mark_is_accepted(tmp_path):
    bom = b"\xef\xbb\xbf"
    inputs = [InputFile(SNAP, bom + GOOD_SNAPSHOT.data), InputFile("acled.csv", bom + acled(acled_row()).data)]
    imported = imports.prepare(InputFile("theatre.toml", bom + CONFIG.encode()), inputs)
    assert imported.counts["events"] == 1 and imported.counts["snapshot polygons"] == 2


def test_every_problem_is_reported_not_just_the_first():
    inputs = [gj(SNAP, feat(WEST, "Martians"), feat(None)), acled(acled_row(lat="x"), acled_row("SYR2", date="no"))]
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), inputs)
    found = {(p.file, p.item) for p in err.value.problems}
    assert found == {(SNAP, F0), (SNAP, "feature 1"), ("acled.csv", L2), ("acled.csv", "line 3 (SYR2)")}


def test_a_million_empty_csv_rows_give_a_capped_list():
    """300,001 errors (48 MB of answer) before: now the first 50, a count, and a stop after the error budget."""
    table = raw("acled.csv", ACLED_HEADER + "\n" + ("," * ACLED_HEADER.count(",") + "\n") * 1_000_000)
    assert len(table.data) < 20 * 2**20  # under the file limit
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [table])
    problems = err.value.problems
    assert problems[:3] == [
        Problem("acled.csv", "line 2 (no event_id_cnty)", "has no event_id_cnty"),
        Problem("acled.csv", "line 2 (no event_id_cnty)", "event_date '' is not a date (YYYY-MM-DD)"),
        Problem("acled.csv", "line 2 (no event_id_cnty)", "unknown place ', ': the row has no latitude/longitude"),
    ]
    assert len(problems) == gc.MAX_LISTED + 2
    assert problems[-2:] == [
        Problem("acled.csv", "more", f"... and {gc.MAX_ERRORS - gc.MAX_LISTED:,} more problems (not listed)"),
        Problem("inputs", "check", f"stopped after {gc.MAX_ERRORS:,} errors: the rest was not checked"),
    ]


def test_warnings_are_capped_per_file_with_a_count():
    rows = [acled_row(f"SYR{i}", notes=f"=cmd{i}") for i in range(120)]
    imported = imports.prepare(config_file(), [acled(*rows)])
    assert len(imported.warnings) == gc.MAX_LISTED + 1
    assert imported.warnings[-1] == Problem("acled.csv", "more", "... and 70 more warnings (not listed)")
    assert imported.counts["events"] == 120  # capped lists, nothing dropped from the theatre


def test_the_feature_budget_is_for_the_whole_import(monkeypatch):
    monkeypatch.setattr(gc, "MAX_FEATURES", 3)
    two = [gj(SNAP, feat(WEST), feat(EAST, "ISIS")), gj("2017-03-01.geojson", feat(WEST), feat(EAST, "ISIS"))]
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), two)
    assert err.value.problems == [
        Problem(
            "2017-03-01.geojson", "file", "more than 3 features in all the inputs together: the limit of one import"
        )
    ]


def test_features_are_counted_while_parsing(monkeypatch):
    """The parser stops at the first feature past the budget: the rest of the file is never turned into objects."""
    monkeypatch.setattr(gc, "MAX_FEATURES", 2)
    made = []
    real = gc._unique_keys
    monkeypatch.setattr(gc, "_unique_keys", lambda pairs: made.append(1) or real(pairs))
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [gj(SNAP, *[feat(WEST)] * 1_000)])
    assert [p.message for p in err.value.problems] == [
        "more than 2 features in all the inputs together: the limit of one import"
    ]
    assert len(made) < 20  # 3 features and their geometry and properties objects, not 1,000 features


def test_numbers_are_counted_while_parsing(monkeypatch):
    monkeypatch.setattr(gc, "MAX_VERTICES", 10)
    big = poly([[[38.9 + i * 1e-4, 35.9] for i in range(100)] + [[38.9, 35.95], [38.9, 35.9]]])
    with pytest.raises(DatasetError) as err:
        imports.prepare(config_file(), [gj(SNAP, feat(big))])
    assert [p.message for p in err.value.problems] == [
        "more than 10 positions in all the inputs together: the limit of one import; simplify the polygons"
    ]
