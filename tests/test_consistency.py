"""Consistency rules (layers.core.consistency): the settings, host list and accepted warnings files reject bad
values; accepted warnings and severities; validate prints the findings and sets the exit code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from layers.core.consistency import RulesError, check
from tests.conftest import ROOT, ledger_row
from tests.consistency_inputs import BASE, dataset, found


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
