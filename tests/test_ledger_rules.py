"""The consistency rules on the ledgers (layers/core/ledger_rules.py): open-state, enclave, announcement and
event-dates, each on a tiny ledger that breaks it, with its exact message; the same ledger mended passes."""

from __future__ import annotations

from tests.conftest import ledger_row
from tests.consistency_inputs import BASE, dataset, found


def test_contested_state_ended_late_by_a_reported_row_is_a_warning(tmp_path):
    ds = dataset(
        tmp_path,
        [*BASE, ledger_row("X1", "2017-02-01", "n1", "contested"), ledger_row("X2", "2017-04-01", "n1", "SDF")],
    )
    assert found(ds, "open-state") == [
        (
            "warning",
            "row X1",
            "N1 (n1): the contested state from 2017-02-01 is not ended by a row within 30 days; "
            "the next row, X2, ends it 2017-02-01 to 2017-04-01 (59 days)",
        )
    ]


def test_state_ended_only_by_an_implied_row_or_never_is_an_error(tmp_path):
    ledger = [
        *BASE,
        ledger_row("X1", "2017-02-01", "n1", "contested"),
        ledger_row("E-n1", "2017-10-17", "n1", "SDF", date_precision="by_date"),
        ledger_row("X3", "2017-02-12", "n2", "ISIS", change="recaptured_by_ISIS"),
    ]
    assert found(dataset(tmp_path, ledger), "open-state") == [
        (
            "error",
            "row X1",
            "N1 (n1): the contested state from 2017-02-01 is not ended by a row within 30 days; "
            "only the implied row E-n1 ends it, 2017-02-01 to 2017-10-17 (258 days)",
        ),
        (
            "error",
            "row X3",
            "N2 (n2): the counter-attack state (recaptured_by_ISIS, ISIS) from 2017-02-12 is not ended by a row "
            "within 30 days; nothing ends it before the campaign's end, 2017-02-12 to 2017-12-31 (322 days)",
        ),
    ]


def test_state_ended_within_the_limit_passes_and_the_limit_is_a_theatre_setting(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "contested"), ledger_row("X2", "2017-03-03", "n1", "SDF")]
    assert found(dataset(tmp_path, ledger), "open-state") == []  # 30 days: not more than the limit
    strict = dataset(tmp_path / "strict", ledger, rules={"open_state_days": 10})
    assert [m for *_, m in found(strict, "open-state")] == [
        "N1 (n1): the contested state from 2017-02-01 is not ended by a row within 10 days; "
        "the next row, X2, ends it 2017-02-01 to 2017-03-03 (30 days)"
    ]


def test_place_held_apart_from_all_its_neighbours_is_an_enclave(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-01-10", "n1", "SDF"), ledger_row("X2", "2017-01-10", "n2", "SDF")]
    assert found(dataset(tmp_path, ledger), "enclave") == [
        (
            "warning",
            "place s1",
            "S1 (s1): ISIS from 2017-01-10 to 2017-12-31 (355 days) while every reporting neighbouring cell was "
            "held by others; no row says it was besieged, encircled or held out (rows B3)",
        )
    ]


def test_enclave_with_a_row_saying_it_held_out_or_short_enough_passes(tmp_path):
    held_out = [
        *BASE,
        ledger_row("X1", "2017-01-10", "n1", "SDF"),
        ledger_row("X2", "2017-01-10", "n2", "SDF"),
        ledger_row("X3", "2017-01-10", "s1", "ISIS", description="ISIS pocket besieged by the SDF"),
    ]
    assert found(dataset(tmp_path, held_out), "enclave") == []
    short = [*BASE, ledger_row("X1", "2017-01-10", "n1", "SDF"), ledger_row("X2", "2017-01-10", "n2", "SDF")]
    short.append(ledger_row("X3", "2017-02-09", "s1", "SDF"))  # 30 days apart, then joined
    assert found(dataset(tmp_path / "short", short), "enclave") == []


def test_announcement_that_changes_the_holder_is_an_error(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", change="operation_phase_start")]
    assert found(dataset(tmp_path, ledger), "announcement") == [
        (
            "error",
            "row X1",
            "N1 (n1), 2017-02-01: the announcement (operation_phase_start) makes the place SDF; it was ISIS before "
            "(row B1). An announcement names a phase, not who holds the place: give the capture its own row",
        )
    ]


def test_announcement_at_a_place_that_keeps_its_holder_passes(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "ISIS", change="operation_phase_start")]
    assert found(dataset(tmp_path, ledger), "announcement") == []


def test_event_linked_to_a_row_of_another_date_is_a_warning(tmp_path):
    from tests.conftest import event_row

    ledger = [*BASE, ledger_row("T1", "2017-01-10", "n1", "SDF")]
    events = [
        event_row("E1", "2017-01-10", "n1", ledger_rows="T1"),
        event_row("E2", "2017-01-12", "n1", ledger_rows="T1"),
    ]
    assert found(dataset(tmp_path, ledger, events), "event-dates") == [
        (
            "warning",
            "event E2",
            "'Event E2' is dated 2017-01-12 but its ledger row T1 is dated 2017-01-10 (2 days earlier); "
            "no reason given",
        )
    ]
