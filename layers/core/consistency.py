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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from layers.core.dataset import Dataset, LedgerRow, read_csv, split_urls
from layers.core.errors import Problem

ERROR, WARNING = "error", "warning"
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
PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "localhost")
PLACEHOLDER_TLDS = (".example", ".invalid", ".test", ".localhost")
PLACEHOLDER_WORDS = ("todo", "placeholder", "tbd", "xxx")
TRUNCATED_ENDS = ("-", "_", "…", "...", "%", "(", "=")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# two-label public suffixes, so that news.bbc.co.uk and www.bbc.co.uk are one outlet
_SECOND_LEVEL = ("co.uk", "org.uk", "com.au", "co.jp", "com.tr", "com.sy")


@dataclass(frozen=True)
class Finding:
    """One contradiction: its rule, severity, where it is (file, item), the subject an acceptance names."""

    rule: str
    severity: str
    file: str
    item: str
    subject: str
    message: str
    accepted: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message} [{self.rule}]"


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


def _dates(d0: dt.date, d1: dt.date) -> str:
    return f"{d0} to {d1} ({(d1 - d0).days} days)"


# ---------------------------------------------------------------------------------------------------------
# the rules


def _by_place(rows) -> dict[str, list[LedgerRow]]:
    out: dict[str, list[LedgerRow]] = {}
    for r in rows:
        out.setdefault(r.place_id, []).append(r)
    return out


def _ledgers(ds: Dataset) -> list[tuple[str, dict[str, list[LedgerRow]], dict[str, str]]]:
    """(file, rows by place, place names) of the regional ledger and, if there is one, the city's."""
    out = [("ledger.csv", _by_place(ds.ledger), {p.id: p.name for p in ds.places.values()})]
    if ds.city is not None:
        out.append(("city/ledger.csv", _by_place(ds.city.rows), {d.id: d.name for d in ds.city.districts.values()}))
    return out


def _city_row_ids(ds: Dataset) -> set[str]:
    return {r.row_id for r in (*ds.city.rows, *ds.city.alternatives)} if ds.city is not None else set()


def _implied(row: LedgerRow, rules: Mapping[str, Any]) -> bool:
    return row.row_id.startswith(tuple(rules["implied_row_prefixes"]))


def open_states(ds: Dataset, rules: Mapping[str, Any]) -> list[Finding]:
    """Contested or counter-attack states that no row ends within ``open_state_days``."""
    limit = rules["open_state_days"]
    out = []
    for file, by_place, names in _ledgers(ds):
        out += _open_states(ds, rules, limit, file, by_place, names)
    return out


def _open_states(ds, rules, limit, file, by_place, names) -> list[Finding]:
    out = []
    for pid, rows in by_place.items():
        for i, r in enumerate(rows):
            if r.holder in rules["open_state_holders"]:
                state = f"{r.holder} state"
            elif r.change in rules["counterattack_changes"]:
                state = f"counter-attack state ({r.change}, {r.holder})"
            else:
                continue
            nxt = rows[i + 1] if i + 1 < len(rows) else None
            end = nxt.date if nxt else ds.end
            if (end - r.date).days <= limit:
                continue
            if nxt is None:
                how, sev = f"nothing ends it before the campaign's end, {_dates(r.date, end)}", ERROR
            elif _implied(nxt, rules):
                how, sev = f"only the implied row {nxt.row_id} ends it, {_dates(r.date, end)}", ERROR
            else:
                how, sev = f"the next row, {nxt.row_id}, ends it {_dates(r.date, end)}", WARNING
            msg = f"{names[pid]} ({pid}): the {state} from {r.date} is not ended by a row within {limit} days; {how}"
            out.append(Finding("open-state", sev, file, f"row {r.row_id}", r.row_id, msg))
    return out


def _holds_out(rows: list[LedgerRow], rules: Mapping[str, Any]) -> bool:
    words = [w.lower() for w in rules["hold_out_words"]]
    for r in rows:
        text = f"{r.description} {r.note}".lower()
        if r.change in rules["hold_out_changes"] or any(w in text for w in words):
            return True
    return False


def enclaves(ds: Dataset, territory, rules: Mapping[str, Any]) -> list[Finding]:
    """Cells whose holder differs from every reporting neighbour for more than ``enclave_days``."""
    from layers.core.territory import NO_REPORTING, adjacent_pairs

    keys = list(territory.cells)
    neighbours: dict[int, set[int]] = {i: set() for i in range(len(keys))}
    for i, j in adjacent_pairs([territory.cells[k] for k in keys]):
        neighbours[i].add(j)
        neighbours[j].add(i)
    bounds = sorted({ds.start, *territory.change_dates()})
    limit, min_n = rules["enclave_days"], rules["enclave_min_neighbours"]
    skip = {NO_REPORTING, *rules["open_state_holders"]}
    runs: dict[int, tuple[dt.date, str, list[LedgerRow]]] = {}
    out: list[Finding] = []

    def close(i: int, end: dt.date) -> None:
        start, holder, rows = runs.pop(i)
        if (end - start).days <= limit or _holds_out(rows, rules):
            return
        pids = keys[i]
        names = ", ".join(ds.places[p].name for p in pids)
        ids = sorted({r.row_id for r in rows})
        msg = (
            f"{names} ({', '.join(pids)}): {holder} from {_dates(start, end)} while every reporting neighbouring "
            f"cell was held by others; no row says it was besieged, encircled or held out (rows {', '.join(ids)})"
        )
        out.append(Finding("enclave", WARNING, "ledger.csv", f"place {pids[0]}", pids[0], msg))

    for d0 in bounds:
        current = []
        for pids in keys:
            rows = [r for p in pids if (r := territory.row_at(p, d0))]
            current.append(max(rows, key=lambda r: (r.date, r.line)) if rows else None)
        holder = [r.holder if r else NO_REPORTING for r in current]
        for i in range(len(keys)):
            others = [holder[j] for j in neighbours[i] if holder[j] != NO_REPORTING]
            island = holder[i] not in skip and len(others) >= min_n and all(h != holder[i] for h in others)
            run = runs.get(i)
            if run and (not island or run[1] != holder[i]):
                close(i, d0)
                run = None
            if island:
                if run is None:
                    runs[i] = (d0, holder[i], [current[i]])
                elif current[i] not in run[2]:
                    run[2].append(current[i])
    for i in list(runs):
        close(i, ds.end)
    return out


def announcements(ds: Dataset, rules: Mapping[str, Any]) -> list[Finding]:
    """Rows announcing a phase that give their place a holder it did not have."""
    out = []
    for pid, rows in _by_place(ds.ledger).items():
        for i, r in enumerate(rows):
            if r.change not in rules["announcement_changes"]:
                continue
            before = rows[i - 1].holder if i else None
            if before == r.holder:
                continue
            was = "it had no holder before" if before is None else f"it was {before} before (row {rows[i - 1].row_id})"
            msg = (
                f"{ds.places[pid].name} ({pid}), {r.date}: the announcement ({r.change}) makes the place {r.holder}; "
                f"{was}. An announcement names a phase, not who holds the place: give the capture its own row"
            )
            out.append(Finding("announcement", ERROR, "ledger.csv", f"row {r.row_id}", r.row_id, msg))
    return out


def event_dates(ds: Dataset) -> list[Finding]:
    """Events linked to ledger rows of another date."""
    rows = {r.row_id: r for r in ds.ledger}
    out = []
    for e in ds.events:
        for rid in e.ledger_rows:
            r = rows[rid]
            if r.date == e.date:
                continue
            diff = (r.date - e.date).days
            when = f"{abs(diff)} days {'later' if diff > 0 else 'earlier'}"
            msg = f"{e.title!r} is dated {e.date} but its ledger row {rid} is dated {r.date} ({when}); no reason given"
            out.append(Finding("event-dates", WARNING, "events.csv", f"event {e.event_id}", f"{e.event_id} {rid}", msg))
    return out


def host_of(url: str) -> str:
    host = (urlparse(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def outlet_of(url: str) -> str:
    """The registrable domain of a URL: ``in.reuters.com`` and ``www.reuters.com`` are one outlet."""
    labels = host_of(url).split(".")
    n = 3 if ".".join(labels[-2:]) in _SECOND_LEVEL else 2
    return ".".join(labels[-n:])


def _dependent(url: str, hosts: Mapping[str, tuple[str, str]]) -> tuple[str, str, str] | None:
    host = host_of(url)
    for h, (kind, reason) in hosts.items():
        if host == h or host.endswith("." + h):
            return h, kind, reason
    return None


def second_sources(ds: Dataset, hosts: Mapping[str, tuple[str, str]]) -> list[Finding]:
    """Supporting sources that are mirrors, summaries or relays, or from the first source's outlet."""
    out = []
    city_rows = (*ds.city.rows, *ds.city.alternatives) if ds.city is not None else ()
    rows = (*ds.ledger, *ds.region_rows, *city_rows)
    items = [(f"row {r.row_id}", r, split_urls(r.source_url)[:1], r.supporting_source_url) for r in rows]
    # an event's URLs back different parts of it (the article, the corroboration): only their hosts count
    items += [(f"event {e.event_id}", e, (), ";".join(e.source_urls[1:])) for e in ds.events]
    for item, obj, first, support in items:
        file = _file_of(ds, obj)
        subject, confidence = item.split(" ", 1)[1], obj.confidence
        for url in split_urls(support):
            dep = _dependent(url, hosts)
            if dep:
                why = f"{dep[0]} is a {dep[1]} ({dep[2]})"
            elif first and outlet_of(url) == outlet_of(first[0]):
                why = f"it is from the same outlet as the first source ({outlet_of(url)})"
            else:
                continue
            sev = ERROR if confidence == "high" else WARNING
            rests = "; the high confidence rests on it" if sev == ERROR else ""
            msg = f"the second source {url} is not independent: {why}{rests}"
            out.append(Finding("second-source", sev, file, item, f"{subject} {host_of(url)}", msg))
    return out


def _file_of(ds: Dataset, obj) -> str:
    """The file a ledger row, region row, city row or event comes from."""
    if not isinstance(obj, LedgerRow):
        return "events.csv"
    if obj.row_id in _city_row_ids(ds):  # row ids are unique across the ledgers (dataset.py checks)
        return "city/ledger.csv"
    return "ledger.csv" if obj.place_id in ds.places else "regions.csv"


def url_problem(url: str) -> tuple[str, str] | None:
    """``(severity, what is wrong)`` for a malformed, truncated or placeholder URL, else None."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if _BAD_ESCAPE.search(url):
        return ERROR, "is malformed: a '%' not followed by two hex digits"
    if url.count("(") != url.count(")") or unquote(url).count("(") != unquote(url).count(")"):
        return ERROR, "looks truncated: its brackets do not balance"
    if url.endswith(TRUNCATED_ENDS):
        return ERROR, f"looks truncated: it ends with {url[-1]!r}"
    if "." not in host:
        return ERROR, f"is malformed: host {host!r} has no domain"
    bare = host[4:] if host.startswith("www.") else host
    if bare in PLACEHOLDER_HOSTS or host.endswith(PLACEHOLDER_TLDS):
        return WARNING, f"is a placeholder: {host} is a reserved example host"
    rest = f"{parsed.path}?{parsed.query}".lower()
    word = next((w for w in PLACEHOLDER_WORDS if re.search(rf"\b{w}\b", rest)), None)
    if word:
        return WARNING, f"is a placeholder: it contains {word!r}"
    return None


def url_findings(ds: Dataset) -> list[Finding]:
    """Malformed, truncated and placeholder URLs in the ledger, the regions, the events and the gazetteer."""
    cells: list[tuple[str, str, str, str]] = []
    city_rows = (*ds.city.rows, *ds.city.alternatives) if ds.city is not None else ()
    for r in (*ds.ledger, *ds.region_rows, *city_rows):
        for col in ("source_url", "supporting_source_url"):
            cells += [(_file_of(ds, r), f"row {r.row_id}", col, u) for u in split_urls(getattr(r, col))]
    for e in ds.events:
        cells += [("events.csv", f"event {e.event_id}", "source_url", u) for u in e.source_urls]
    for p in ds.places.values():
        if p.coord_source_url:
            cells.append(("places.geojson", f"place {p.id}", "coord_source_url", p.coord_source_url))
    for d in ds.city.districts.values() if ds.city is not None else ():
        if d.coord_source_url:
            cells.append(("city/districts.csv", f"district {d.id}", "coord_source_url", d.coord_source_url))
    out = []
    for file, item, col, url in cells:
        bad = url_problem(url)
        if bad:
            subject = f"{item.split(' ', 1)[1]} {col}"
            out.append(Finding("url", bad[0], file, item, subject, f"{col} {url!r} {bad[1]}"))
    return out


def city_regional(ds: Dataset, rules: Mapping[str, Any]) -> list[Finding]:
    """Regional places inside the city's outline that the city ledger contradicts, or does not have."""
    city = ds.city
    if city is None:
        return []
    limit, out = rules["city_days"], []
    by_place = _by_place(ds.ledger)
    city_rows = _by_place(city.rows)
    for pid, rows in by_place.items():
        place = ds.places[pid]
        if pid == city.regional_place or not city.inside(place.lon, place.lat):
            continue
        if pid not in city_rows:
            msg = (
                f"{place.name} ({pid}) lies inside the city's outline but has no rows in city/ledger.csv: "
                "the city view does not show it"
            )
            out.append(Finding("city-regional", WARNING, "ledger.csv", f"place {pid}", pid, msg))
            continue
        for d0, d1, a, b in _disagreements(rows, city_rows[pid], ds.end):
            if (d1 - d0).days <= limit:
                continue
            msg = (
                f"{place.name} ({pid}): the regional ledger has {a.holder} (row {a.row_id}) where the city ledger "
                f"has {b.holder} (row {b.row_id}), {_dates(d0, d1)}; inside the city the city ledger is shown"
            )
            out.append(Finding("city-regional", WARNING, "ledger.csv", f"place {pid}", f"{pid} {d0}", msg))
    return out


def _disagreements(regional: list[LedgerRow], city: list[LedgerRow], end: dt.date):
    """Runs ``(from, to, regional row, city row)`` in which both ledgers have a row in force and differ."""
    dates = sorted({r.date for r in (*regional, *city) if r.date >= city[0].date} | {end})
    runs = []
    start = None
    for d in dates:
        a = next((r for r in reversed(regional) if r.date <= d), None)
        b = next((r for r in reversed(city) if r.date <= d), None)
        differ = a is not None and b is not None and a.holder != b.holder
        if differ and start is None:
            start = (d, a, b)
        elif not differ and start is not None:
            runs.append((start[0], d, start[1], start[2]))
            start = None
    if start is not None:
        runs.append((start[0], end, start[1], start[2]))
    return runs
