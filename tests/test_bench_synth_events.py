"""bench/synth_events.py: many synthetic events on a bench/synth.py folder, valid in the project's format."""

from __future__ import annotations

import collections

import pytest

from bench import synth, synth_events
from layers.core.dataset import load_dataset


def test_events_spread_over_the_campaign_tied_to_their_rows(tmp_path):
    folder = synth.write(tmp_path / "t", n_places=12, dates=20, seed=2)
    synth_events.write(folder, 500, seed=2)
    ds = load_dataset(folder)
    assert len(ds.events) == 500 and len({e.event_id for e in ds.events}) == 500
    rows = {r.row_id: r for r in ds.ledger}
    for e in ds.events:  # on the date and at the place of the ledger row it is tied to
        (row,) = (rows[r] for r in e.ledger_rows)
        assert (e.date, e.place_id) == (row.date, row.place_id)
    per_day = collections.Counter(e.date for e in ds.events)
    assert len(per_day) == 19 and max(per_day.values()) - min(per_day.values()) <= 1  # every changing day
    assert {e.agreement for e in ds.events} == {"", "disagree"} and {e.kind for e in ds.events} > {"milestone"}
    assert [e.date for e in ds.events] == sorted(e.date for e in ds.events)


def test_the_same_arguments_give_the_same_file(tmp_path):
    a = synth_events.write(synth.write(tmp_path / "a", n_places=8, dates=6, seed=3), 50, seed=4)
    b = synth_events.write(synth.write(tmp_path / "b", n_places=8, dates=6, seed=3), 50, seed=4)
    assert a.read_text() == b.read_text()


def test_bad_input_is_named(tmp_path, capsys):
    with pytest.raises(ValueError, match="ledger.csv: no ledger"):
        synth_events.write(tmp_path, 10)
    folder = synth.write(tmp_path / "t", n_places=4, dates=3, seed=1)
    with pytest.raises(ValueError, match="--events must be >= 0, not -1"):
        synth_events.write(folder, -1)
    assert synth_events.main([str(tmp_path / "nowhere"), "--events", "5"]) == 2
    assert "no ledger" in capsys.readouterr().err
