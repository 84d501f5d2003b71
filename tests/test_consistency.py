"""Consistency rules (layers.core.consistency): each rule on a tiny ledger that breaks it, with its exact message;
the same ledger mended passes; the settings, host list and accepted warnings files reject bad values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from layers.core import load_dataset
from layers.core.consistency import RulesError, check
from layers.core.source_rules import url_problem
from tests.conftest import ROOT, ledger_row, make_theatre


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


# ---------------------------------------------------------------------------------------------------------
# open-state


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


# ---------------------------------------------------------------------------------------------------------
# enclave


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


# ---------------------------------------------------------------------------------------------------------
# announcement


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


# ---------------------------------------------------------------------------------------------------------
# event-dates


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


# ---------------------------------------------------------------------------------------------------------
# second-source

HOSTS = "host,kind,reason\nwikisum.wiki,summary,AI summaries of Wikipedia articles\n"


def test_dependent_second_source_is_an_error_on_a_high_row_and_a_warning_otherwise(tmp_path):
    ledger = [
        *BASE,
        ledger_row("X1", "2017-02-01", "n1", "SDF", supporting_source_url="https://wikisum.wiki/wiki/N1"),
        ledger_row(
            "X2",
            "2017-02-01",
            "n2",
            "SDF",
            confidence="medium",
            source_url="https://www.reuters.com/a",
            supporting_source_url="https://in.reuters.com/b",
        ),
        ledger_row("X3", "2017-02-01", "s1", "SDF", source_url="https://www.reuters.com/a",
                   supporting_source_url="https://www.bbc.co.uk/news/c"),
    ]  # fmt: skip
    ds = dataset(tmp_path, ledger, files={"sources/dependent_hosts.csv": HOSTS})
    assert found(ds, "second-source") == [
        (
            "error",
            "row X1",
            "the second source https://wikisum.wiki/wiki/N1 is not independent: wikisum.wiki is a summary "
            "(AI summaries of Wikipedia articles); the high confidence rests on it",
        ),
        (
            "warning",
            "row X2",
            "the second source https://in.reuters.com/b is not independent: it is from the same outlet as the "
            "first source (reuters.com)",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("host,kind,reason\nx.org,copy,why\n",
         "dependent_hosts.csv: line 2 (x.org): kind 'copy' is not one of mirror, summary, relay"),
        ("host,kind,reason\nx.org,mirror,\n",
         "dependent_hosts.csv: line 2 (x.org): has no reason: say why this host is not independent"),
        ("host,kind\nx.org,mirror\n", "dependent_hosts.csv: header: missing column(s): reason"),
        ("host,kind,reason\nhttps://x.org/a,mirror,why\n",
         "dependent_hosts.csv: line 2 (https://x.org/a): host must be a bare host name, e.g. wiki.example.net"),
    ],
)  # fmt: skip
def test_bad_host_list_names_file_line_and_problem(tmp_path, text, message):
    ds = dataset(tmp_path, BASE, files={"sources/dependent_hosts.csv": text})
    with pytest.raises(RulesError) as err:
        check(ds)
    assert [str(p) for p in err.value.problems] == [message]


# ---------------------------------------------------------------------------------------------------------
# url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://suryaa.com/14136-", ("error", "looks truncated: it ends with '-'")),
        ("https://en.wikipedia.org/wiki/Raqqa_(2016", ("error", "looks truncated: its brackets do not balance")),
        ("https://www.reuters.com/article/a%2", ("error", "is malformed: a '%' not followed by two hex digits")),
        ("https://localhostnews/a", ("error", "is malformed: host 'localhostnews' has no domain")),
        ("https://www.example.com/report", ("warning", "is a placeholder: www.example.com is a reserved example host")),
        ("https://news.site.org/TODO", ("warning", "is a placeholder: it contains 'todo'")),
        ("https://en.wikipedia.org/wiki/Raqqa_campaign_(2016%E2%80%932017)", None),
        ("https://www.syriahr.com/en/68381/", None),
    ],
)  # fmt: skip
def test_url_problems(url, expected):
    assert url_problem(url) == expected


def test_truncated_url_in_the_ledger_names_row_and_column(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", source_url="http://suryaa.com/14136-")]
    errors = [f for f in found(dataset(tmp_path, ledger), "url") if f[0] == "error"]
    assert errors == [("error", "row X1", "source_url 'http://suryaa.com/14136-' looks truncated: it ends with '-'")]


# ---------------------------------------------------------------------------------------------------------
# settings and accepted warnings

ENCLAVE = [*BASE, ledger_row("X1", "2017-01-10", "n1", "SDF"), ledger_row("X2", "2017-01-10", "n2", "SDF")]


def test_accepted_warning_carries_its_reason_and_a_stale_acceptance_is_flagged(tmp_path):
    text = "rule,subject,reason\nenclave,s1,reported as held out\nenclave,zz,gone\n"
    ds = dataset(tmp_path, ENCLAVE, files={"accepted_warnings.csv": text})
    out = {(f.rule, f.subject): f for f in check(ds) if f.rule in ("enclave", "accepted")}
    assert out[("enclave", "s1")].accepted == "reported as held out"
    stale = out[("accepted", "zz")]
    assert (stale.severity, stale.item, stale.message) == (
        "warning",
        "line 3",
        "accepts a warning (enclave) about 'zz' that no longer occurs: remove the line",
    )


def test_an_error_cannot_be_accepted(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", change="operation_phase_start")]
    ds = dataset(tmp_path, ledger, files={"accepted_warnings.csv": "rule,subject,reason\nannouncement,X1,fine\n"})
    (f,) = [f for f in check(ds) if f.rule == "announcement"]
    assert f.severity == "error" and not f.accepted
    assert f.message.endswith("(listed in accepted_warnings.csv line 2, but errors cannot be accepted)")


def test_severity_is_a_theatre_setting(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", change="operation_phase_start")]
    ds = dataset(tmp_path, ledger, rules={"severity": {"announcement": "warning"}})
    assert [s for s, *_ in found(ds, "announcement")] == ["warning"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"open_state_days": -1}, "theatre.json: rules.open_state_days: must be a whole number >= 0, not -1"),
        ({"open_state_days": True}, "theatre.json: rules.open_state_days: must be a whole number >= 0, not True"),
        ({"open_state_holders": "contested"}, "theatre.json: rules.open_state_holders: must be a list of strings"),
        ({"dependent_hosts": "../../etc/passwd"},
         "theatre.json: rules.dependent_hosts: must be a file name inside the dataset folder"),
        ({"severity": {"enclave": "fatal"}}, "theatre.json: rules.severity.enclave: 'fatal' is not error or warning"),
        ({"severity": {"nope": "error"}},
         "theatre.json: rules.severity.nope: unknown rule (open-state, enclave, announcement, event-dates, "
         "second-source, url, city-regional)"),
    ],
)  # fmt: skip
def test_bad_rule_settings_are_named(tmp_path, rules, message):
    ds = dataset(tmp_path, BASE, rules=rules)
    with pytest.raises(RulesError) as err:
        check(ds)
    assert [str(p) for p in err.value.problems] == [message]


def test_bad_accepted_warnings_file_is_named(tmp_path):
    text = "rule,subject,reason\nenclave,s1,\nbogus,x,y\n"
    ds = dataset(tmp_path, BASE, files={"accepted_warnings.csv": text})
    with pytest.raises(RulesError) as err:
        check(ds)
    assert [str(p) for p in err.value.problems] == [
        "accepted_warnings.csv: line 2 (enclave s1): has no reason: say why the warning is accepted",
        "accepted_warnings.csv: line 3 (bogus x): unknown rule 'bogus' (open-state, enclave, announcement, "
        "event-dates, second-source, url, city-regional)",
    ]


# ---------------------------------------------------------------------------------------------------------
# the command line


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layers", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_validate_prints_consistency_errors_and_fails(tmp_path):
    ledger = [*BASE, ledger_row("X1", "2017-02-01", "n1", "SDF", change="operation_phase_start")]
    folder = dataset(tmp_path, ledger).folder
    out = run("validate", str(folder))
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"ERROR {folder}/ledger.csv: row X1: N1 (n1), 2017-02-01: the announcement (operation_phase_start) makes the "
        "place SDF; it was ISIS before (row B1). An announcement names a phase, not who holds the place: give the "
        "capture its own row [announcement]",
        "1 consistency error(s); dataset not valid.",
    ]
    assert "  ledger rows by confidence: 4 high, 0 medium, 0 low" in out.stdout.splitlines()


def test_validate_prints_warnings_and_health_and_passes(tmp_path):
    folder = dataset(
        tmp_path, ENCLAVE, files={"accepted_warnings.csv": "rule,subject,reason\nenclave,s1,held out\n"}
    ).folder
    out = run("validate", str(folder))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # the 8 warnings: the placeholder example.org URL of 5 rows and 3 places
    assert "  consistency: 0 error(s), 8 warning(s), 1 accepted warning(s)" in lines
    assert any(
        line.startswith(f"ACCEPTED {folder}/ledger.csv: place s1: S1 (s1): ISIS from") and line.endswith("-- held out")
        for line in lines
    )
    assert (
        f"WARNING {folder}/ledger.csv: row B1: source_url 'https://example.org/report' is a placeholder: "
        "example.org is a reserved example host [url]" in lines
    )


def test_validate_on_bundled_data_reports_no_errors():
    out = run("validate", "geodata/")
    assert out.returncode == 0, out.stderr
    assert "ERROR" not in out.stderr and "consistency: 0 error(s)" in out.stdout
