"""Announced areas (layers.core.announced) against the derived ones: the derived gain is the holder's area on
the figure's date less its area the day before the span starts; bad rows are named."""

from __future__ import annotations

import pytest

from layers.core import DatasetError, Territory, load_dataset
from layers.core.announced import COLUMNS, compare, load_announced
from tests.conftest import SRC, make_theatre, write_csv


def row(id_, gains_from, date, km2, holder="SDF", source_url=SRC):
    values = (id_, holder, "test phase", gains_from, date, km2, "", "Test", source_url, "")
    return dict(zip(COLUMNS, values, strict=True))


def test_derived_gain_is_the_area_won_over_the_span(tmp_path):
    folder = make_theatre(tmp_path / "t")  # n1 SDF from 2017-01-10 (50 km²), n2 from 2017-03-01 (50 km²)
    (folder / "sources").mkdir()
    rows = [row("A", "2017-01-01", "2017-02-01", "40"), row("B", "2017-02-01", "2017-03-05", "80")]
    write_csv(folder / "sources" / "announced_areas.csv", COLUMNS, rows)
    ds = load_dataset(folder)
    out = compare(Territory(ds), load_announced(folder, ds.faction_ids))
    assert [(r["announced"].id, round(r["derived_km2"]), round(r["difference_km2"])) for r in out] == [
        ("A", 50, 10),
        ("B", 50, -30),
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row("A", "2017-02-01", "2017-01-01", "40"),
         "announced_areas.csv: line 2 (A): gains_from 2017-02-01 is after date 2017-01-01"),
        (row("A", "2017-01-01", "2017-02-30", "40"),
         "announced_areas.csv: line 2 (A): gains_from and date must be ISO dates (YYYY-MM-DD)"),
        (row("A", "2017-01-01", "2017-02-01", "lots"),
         "announced_areas.csv: line 2 (A): km2 'lots' is not a positive number"),
        (row("A", "2017-01-01", "2017-02-01", "40", holder="YPG"),
         "announced_areas.csv: line 2 (A): holder 'YPG' is not one of the factions SDF, ISIS, Syrian government, "
         "contested"),
        (row("A", "2017-01-01", "2017-02-01", "40", source_url="javascript:alert(1)"),
         "announced_areas.csv: line 2 (A): source_url 'javascript:alert(1)' is not an http(s) URL"),
    ],
)  # fmt: skip
def test_bad_announced_rows_are_named(tmp_path, bad, message):
    folder = make_theatre(tmp_path / "t")
    (folder / "sources").mkdir()
    write_csv(folder / "sources" / "announced_areas.csv", COLUMNS, [bad])
    with pytest.raises(DatasetError) as err:
        load_announced(folder, load_dataset(folder).faction_ids)
    assert [str(p) for p in err.value.problems] == [message]


def test_bundled_figures_cite_http_sources_and_load(bundled):
    figures = load_announced(bundled.folder, bundled.faction_ids)
    assert {a.id for a in figures} >= {"P1-11nov", "P2", "C2", "C3"}
