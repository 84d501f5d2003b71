"""The consistency rules on the sources: second sources that are not independent, and malformed, truncated or
placeholder URLs (described in ``consistency.py``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote, urlparse

from layers.core.dataset import Dataset, LedgerRow, split_urls
from layers.core.errors import ERROR, WARNING, Finding

__all__ = ["host_of", "outlet_of", "second_sources", "url_findings", "url_problem"]

PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "localhost")
PLACEHOLDER_TLDS = (".example", ".invalid", ".test", ".localhost")
PLACEHOLDER_WORDS = ("todo", "placeholder", "tbd", "xxx")
TRUNCATED_ENDS = ("-", "_", "…", "...", "%", "(", "=")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# two-label public suffixes, so that news.bbc.co.uk and www.bbc.co.uk are one outlet
_SECOND_LEVEL = ("co.uk", "org.uk", "com.au", "co.jp", "com.tr", "com.sy")


def _city_row_ids(ds: Dataset) -> set[str]:
    return {r.row_id for r in (*ds.city.rows, *ds.city.alternatives)} if ds.city is not None else set()


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
