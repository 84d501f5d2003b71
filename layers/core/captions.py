"""The words on an exported image: the caption of a date, the line naming its sources, the data licences."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from layers.core.territory import Territory

LICENCES = (
    "Data licences: place coordinates and towns © GeoNames, CC BY 4.0; land, border and reservoirs "
    "© OpenStreetMap contributors, ODbL; governorates Natural Earth, public domain; rivers GSHHG/WDBII, "
    "LGPL-3.0. Ground is a schematic of reported control around named places, not surveyed lines."
)


def date_text(date: dt.date) -> str:
    """A date as the image writes it: ``6 June 2017``."""
    return f"{date.day} {date:%B %Y}"


def default_caption(territory: Territory, date: dt.date) -> str:
    """The event(s) of the date; else the latest event before it, with its date."""
    events = [e for e in territory.ds.events if e.date == date]
    if events:
        return "; ".join(f"{e.title} ({territory.ds.places[e.place_id].name})" for e in events)
    earlier = [e for e in territory.ds.events if e.date < date]
    if not earlier:
        return "Before the first reported event of the campaign."
    e = earlier[-1]
    return f"Last event before this date, {date_text(e.date)}: {e.title} ({territory.ds.places[e.place_id].name})"


def source_line(territory: Territory, date: dt.date) -> str:
    """The sources behind the map at ``date``: the ledger rows and events of the date, and the hosts cited by
    every ledger row in force."""
    ds = territory.ds
    today = [r for r in ds.ledger if r.date == date]
    events = [e for e in ds.events if e.date == date]
    held = sorted({r.place_id for r in ds.ledger}) + list(territory.region_ids)
    in_force = [r for p in held if (r := territory.row_at(p, date))]
    parts = []
    if today:
        ids = ", ".join(r.row_id for r in today[:8]) + (f" and {len(today) - 8} more" if len(today) > 8 else "")
        parts.append(f"Ledger rows of this date ({ids}): {_hosts(u for r in today for u in _row_urls(r))}")
    if events:
        parts.append(f"events of this date: {_hosts(u for e in events for u in e.source_urls)}")
    parts.append(f"ground from {len(in_force)} ledger rows in force, citing {_hosts(r.source_url for r in in_force)}")
    text = "; ".join(parts)
    return "Sources — " + text[0].lower() + text[1:] + "."


def _row_urls(row) -> list[str]:
    return [u for u in (row.source_url, *row.supporting_source_url.split(";")) if u.strip()]


def _hosts(urls) -> str:
    hosts = []
    for u in urls:
        host = (urlparse(u.strip()).hostname or u.strip()).removeprefix("www.")
        if host and host not in hosts:
            hosts.append(host)
    return ", ".join(hosts) if hosts else "none named"
