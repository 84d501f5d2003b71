"""Consistency rules: what the sources contradict, found in a loaded dataset.

Loading (``dataset.py``) checks each row on its own; these rules check rows against each other, against the
map, and against what is known of their sources. Each finding is an error or a warning and names its rows,
place and dates:

- ``open-state``: a contested or counter-attack state that no later row ends within ``open_state_days``
  (an error when only an implied row, or nothing, ends it; a warning when a reported row does, later);
- ``enclave``: a place whose holder differs from every reporting neighbouring cell for more than
  ``enclave_days``, with no row saying it was besieged, encircled or held out (warning);
- ``announcement``: a row announcing a phase that changes its place's holder (error): an announcement names a
  phase, not who holds the place it was made at;
- ``event-dates``: an event linked to ledger rows dated differently, with no reason given (warning);
- ``second-source``: a supporting source that is not independent: a listed mirror, AI summary or relay host,
  or (for a ledger row) the same outlet as the first source (an error on a high-confidence row, whose
  confidence rests on it; a warning otherwise);
- ``url``: malformed or truncated URLs (error), placeholder URLs (warning);
- ``city-regional``: inside the city's outline the city ledger (``city/ledger.csv``) is the account of control;
  a regional place there whose rows say another holder than its district's for more than ``city_days``, or
  that has no district at all, is a warning (the city view would not show what the regional rows say).

``open-state``, ``second-source`` and ``url`` check the city ledger too (findings name ``city/ledger.csv``).

The settings are the theatre's (``theatre.json`` ``rules``; :data:`DEFAULT_RULES` fills what it leaves out;
``severity`` can set a rule's findings to ``error`` or ``warning``). A warning is *accepted* when the accepted
warnings file lists its rule and subject with a reason; errors cannot be accepted.

This module holds the settings, their files and :func:`check`; the rules themselves are in ``ledger_rules.py``
(open-state, enclave, announcement, event-dates, city-regional) and ``source_rules.py`` (second-source, url).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from layers.core.dataset import Dataset
from layers.core.errors import ERROR, WARNING, Finding, Problem
from layers.core.ledger_rules import announcements, city_regional, enclaves, event_dates, open_states
from layers.core.readers import read_csv
from layers.core.source_rules import second_sources, url_findings

__all__ = [
    "DEFAULT_RULES",
    "RULES",
    "Accepted",
    "RulesError",
    "check",
    "load_accepted",
    "load_dependent_hosts",
    "rules_of",
]

RULES = ("open-state", "enclave", "announcement", "event-dates", "second-source", "url", "city-regional")
DEFAULT_RULES: dict[str, Any] = {
    "open_state_days": 30,
    "open_state_holders": ["contested"],
    "counterattack_changes": ["ISIS_counterattack", "recaptured_by_ISIS"],
    "enclave_days": 30,
    "enclave_min_neighbours": 2,
    "hold_out_changes": ["encircled_by_SDF", "besieged", "held_out"],
    "hold_out_words": ["besieged", "encircled", "held out", "holding out", "pocket", "siege"],
    "announcement_changes": ["operation_phase_start", "victory_declared"],
    "implied_row_prefixes": ["B-", "E-"],
    "dependent_hosts": "sources/dependent_hosts.csv",
    "accepted_warnings": "accepted_warnings.csv",
    "city_days": 14,
    "severity": {},
}
HOST_KINDS = ("mirror", "summary", "relay")
HOST_COLUMNS = ("host", "kind", "reason")
ACCEPTED_COLUMNS = ("rule", "subject", "reason")


@dataclass(frozen=True)
class Accepted:
    rule: str
    subject: str
    reason: str
    line: int


class RulesError(ValueError):
    """The rule settings or their files cannot be used; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# ---------------------------------------------------------------------------------------------------------
# settings and their files


def rules_of(theatre: Mapping[str, Any]) -> dict[str, Any]:
    """The theatre's rule settings over :data:`DEFAULT_RULES`; raise :class:`RulesError` on a bad value."""
    given = theatre.get("rules", {})
    problems: list[Problem] = []
    if not isinstance(given, Mapping):
        raise RulesError([Problem("theatre.json", "rules", "must be a JSON object")])
    out = dict(DEFAULT_RULES)
    for key, value in given.items():
        label = f"rules.{key}"
        if key not in DEFAULT_RULES:
            problems.append(Problem("theatre.json", label, f"unknown setting (known: {', '.join(DEFAULT_RULES)})"))
            continue
        default = DEFAULT_RULES[key]
        if isinstance(default, int) and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            problems.append(Problem("theatre.json", label, f"must be a whole number >= 0, not {value!r}"))
        elif isinstance(default, list) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(Problem("theatre.json", label, "must be a list of strings"))
        elif isinstance(default, str) and not (isinstance(value, str) and value and ".." not in Path(value).parts):
            problems.append(Problem("theatre.json", label, "must be a file name inside the dataset folder"))
        elif isinstance(default, dict):
            if not isinstance(value, Mapping):
                problems.append(Problem("theatre.json", label, "must be a JSON object of rule: error|warning"))
                continue
            for rule, sev in value.items():
                if rule not in RULES:
                    problems.append(Problem("theatre.json", f"{label}.{rule}", f"unknown rule ({', '.join(RULES)})"))
                elif sev not in (ERROR, WARNING):
                    problems.append(Problem("theatre.json", f"{label}.{rule}", f"{sev!r} is not error or warning"))
        out[key] = value
    if problems:
        raise RulesError(problems)
    return out


def load_dependent_hosts(path: Path) -> dict[str, tuple[str, str]]:
    """``host -> (kind, reason)`` from a CSV of mirror, summary and relay hosts; empty if the file is absent."""
    if not path.is_file():
        return {}
    problems: list[Problem] = []
    hosts: dict[str, tuple[str, str]] = {}
    for line, r in read_csv(path, HOST_COLUMNS, problems):
        host = r["host"].lower()
        label = f"line {line} ({host or 'no host'})"
        if not host or "/" in host or " " in host:
            problems.append(Problem(path.name, label, "host must be a bare host name, e.g. wiki.example.net"))
        elif r["kind"] not in HOST_KINDS:
            problems.append(Problem(path.name, label, f"kind {r['kind']!r} is not one of {', '.join(HOST_KINDS)}"))
        elif not r["reason"]:
            problems.append(Problem(path.name, label, "has no reason: say why this host is not independent"))
        elif host in hosts:
            problems.append(Problem(path.name, label, "duplicate host"))
        else:
            hosts[host] = (r["kind"], r["reason"])
    if problems:
        raise RulesError(problems)
    return hosts


def load_accepted(path: Path) -> list[Accepted]:
    """Accepted warnings (rule, subject, reason); empty if the file is absent."""
    if not path.is_file():
        return []
    problems: list[Problem] = []
    out: list[Accepted] = []
    seen: set[tuple[str, str]] = set()
    for line, r in read_csv(path, ACCEPTED_COLUMNS, problems):
        label = f"line {line} ({r['rule']} {r['subject']})"
        if r["rule"] not in RULES:
            problems.append(Problem(path.name, label, f"unknown rule {r['rule']!r} ({', '.join(RULES)})"))
        elif not r["subject"]:
            problems.append(Problem(path.name, label, "has no subject: name the rows or place the warning names"))
        elif not r["reason"]:
            problems.append(Problem(path.name, label, "has no reason: say why the warning is accepted"))
        elif (r["rule"], r["subject"]) in seen:
            problems.append(Problem(path.name, label, "accepted twice"))
        else:
            seen.add((r["rule"], r["subject"]))
            out.append(Accepted(r["rule"], r["subject"], r["reason"], line))
    if problems:
        raise RulesError(problems)
    return out


# ---------------------------------------------------------------------------------------------------------
# entry point


def check(ds: Dataset, territory=None) -> list[Finding]:
    """Every finding of every rule on ``ds``, accepted warnings marked; raise :class:`RulesError` on bad settings.

    ``territory`` (a :class:`~layers.core.territory.Territory` of ``ds``) is built when not given.
    """
    rules = rules_of(ds.theatre)
    hosts = load_dependent_hosts(ds.folder / rules["dependent_hosts"])
    accepted = load_accepted(ds.folder / rules["accepted_warnings"])
    if territory is None:
        from layers.core.territory import Territory

        territory = Territory(ds)
    found = (
        open_states(ds, rules)
        + enclaves(ds, territory, rules)
        + announcements(ds, rules)
        + event_dates(ds)
        + second_sources(ds, hosts)
        + url_findings(ds)
        + city_regional(ds, rules)
    )
    found = [replace(f, severity=rules["severity"].get(f.rule, f.severity)) for f in found]
    if ds.city is not None and ds.city.severity:  # the city's own settings, for its own files' findings
        found = [
            replace(f, severity=ds.city.severity.get(f.rule, f.severity)) if f.file.startswith("city/") else f
            for f in found
        ]
    return _apply_accepted(found, accepted, rules["accepted_warnings"])


def _apply_accepted(found: list[Finding], accepted: list[Accepted], file: str) -> list[Finding]:
    by_key = {(a.rule, a.subject): a for a in accepted}
    used: set[tuple[str, str]] = set()
    out = []
    for f in found:
        a = by_key.get((f.rule, f.subject))
        if a is None:
            out.append(f)
            continue
        used.add((a.rule, a.subject))
        if f.severity == ERROR:
            note = f"listed in {file} line {a.line}, but errors cannot be accepted"
            out.append(replace(f, message=f"{f.message} ({note})"))
        else:
            out.append(replace(f, accepted=a.reason))
    for a in accepted:
        if (a.rule, a.subject) not in used:
            msg = f"accepts a warning ({a.rule}) about {a.subject!r} that no longer occurs: remove the line"
            out.append(Finding("accepted", WARNING, file, f"line {a.line}", a.subject, msg))
    return out
