"""The consistency rules on the ledgers: open states, enclaves, announcements, event dates, and the city ledger set
against the regional one (their settings, and what each finds, are described in ``consistency.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from layers.core.dataset import Dataset, LedgerRow
from layers.core.errors import ERROR, WARNING, Finding

__all__ = ["announcements", "city_regional", "enclaves", "event_dates", "open_states"]


def _dates(d0: dt.date, d1: dt.date) -> str:
    return f"{d0} to {d1} ({(d1 - d0).days} days)"


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
    from layers.core.ground import adjacent_pairs
    from layers.core.territory import NO_REPORTING

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
