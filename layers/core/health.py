"""Data health of a dataset: how much of it is reported, implied or estimated, and what its rules found.

:func:`health` returns plain JSON-ready data, for ``python -m layers validate`` and the Data tab alike.
"""

from __future__ import annotations

from collections import Counter

from layers.core.consistency import rules_of
from layers.core.dataset import CONFIDENCE, Dataset
from layers.core.errors import ERROR, Finding


def health(ds: Dataset, findings: list[Finding] | None = None, tables: dict | None = None) -> dict:
    """Rows by confidence, implied rows, estimated coordinates, findings and accepted warnings.

    ``findings`` are :func:`layers.core.consistency.check`'s (computed when not given); with the timeline
    ``tables``, also the largest share of the ground with no reporting and the day it occurs.
    """
    if findings is None:
        from layers.core.consistency import check

        findings = check(ds)
    prefixes = rules_of(ds.theatre)["implied_row_prefixes"]
    implied = Counter(next((p for p in prefixes if r.row_id.startswith(p)), "") for r in ds.ledger)
    rows_conf = Counter(r.confidence for r in ds.ledger)
    ledger_places = {r.place_id for r in ds.ledger}
    coords = Counter(p.confidence for p in ds.places.values())
    coords_ledger = Counter(ds.places[p].confidence for p in ledger_places)
    open_ = [f for f in findings if not f.accepted]
    out = {
        "ledger_rows": len(ds.ledger),
        "rows_by_confidence": {c: rows_conf.get(c, 0) for c in CONFIDENCE},
        "implied_rows": sum(n for p, n in implied.items() if p),
        "implied_by_prefix": {p: implied.get(p, 0) for p in prefixes},
        "reported_rows": implied.get("", 0),
        "places": len(ds.places),
        "ledger_places": len(ledger_places),
        "coordinates_by_confidence": {c: coords.get(c, 0) for c in CONFIDENCE},
        "estimated_coordinates": sum(n for c, n in coords.items() if c != "high"),
        "estimated_ledger_coordinates": sum(n for c, n in coords_ledger.items() if c != "high"),
        "errors": sum(1 for f in open_ if f.severity == ERROR),
        "warnings": sum(1 for f in open_ if f.severity != ERROR),
        "accepted": [{"rule": f.rule, "subject": f.subject, "reason": f.accepted} for f in findings if f.accepted],
        "findings": [
            {"rule": f.rule, "severity": f.severity, "file": f.file, "item": f.item, "message": f.message}
            for f in open_
        ],
    }
    if tables is not None:
        out["no_reporting"] = no_reporting_share(tables)
    return out


def no_reporting_share(tables: dict) -> dict:
    """The largest share of the ground with no reporting over the campaign, and the first day it occurs."""
    from layers.core.timeline import area_steps

    worst, day = -1.0, 0
    for d, km2 in area_steps(tables):
        total = sum(km2)
        share = km2[-1] / total if total else 0.0
        if share > worst + 1e-12:
            worst, day = share, d
    return {"max_share": round(max(worst, 0.0), 4), "day": day}


def health_lines(h: dict) -> list[str]:
    """The health figures as the lines ``validate`` prints."""
    conf = ", ".join(f"{h['rows_by_confidence'][c]} {c}" for c in CONFIDENCE)
    implied = ", ".join(f"{p}… {n}" for p, n in h["implied_by_prefix"].items())
    coords = ", ".join(f"{h['coordinates_by_confidence'][c]} {c}" for c in CONFIDENCE)
    lines = [
        f"  ledger rows by confidence: {conf}",
        f"  implied rows: {h['implied_rows']} of {h['ledger_rows']} ({implied}); reported rows: {h['reported_rows']}",
        f"  coordinates: {coords}; estimated: {h['estimated_coordinates']} of {h['places']} places "
        f"({h['estimated_ledger_coordinates']} of the {h['ledger_places']} places with ledger rows)",
        f"  consistency: {h['errors']} error(s), {h['warnings']} warning(s), {len(h['accepted'])} accepted warning(s)",
    ]
    if "no_reporting" in h:
        lines.append(f"  no reporting: at most {h['no_reporting']['max_share']:.1%} of the ground")
    return lines
