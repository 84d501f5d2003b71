"""The Data tab's health section: how much of the data is reported, implied or estimated, and what its
consistency rules found (the figures ``python -m layers validate`` prints, from ``layers.core.health``)."""

from __future__ import annotations

from dash import html

from layers.core.dataset import CONFIDENCE
from layers.server.context import Context

NAME = "data-health"
MAX_LISTED = 50  # findings listed in the page; the rest are counted (validate prints them all)
SECTION_ID = f"{NAME}-section"


def component(ctx: Context) -> html.Section:
    """The figures as a table, then the accepted warnings with their reasons (text only)."""
    h = ctx.health
    rows = [
        ("Ledger rows", f"{h['ledger_rows']:,}"),
        ("… by confidence", ", ".join(f"{h['rows_by_confidence'][c]:,} {c}" for c in CONFIDENCE)),
        ("… reported", f"{h['reported_rows']:,}"),
        (
            "… implied",
            f"{h['implied_rows']:,} ("
            + ", ".join(f"{p}… {n:,}" for p, n in h["implied_by_prefix"].items())
            + "): who held a place before its capture, or at the end",
        ),
        ("Places", f"{h['places']:,} ({h['ledger_places']:,} with ledger rows)"),
        ("… coordinates", ", ".join(f"{h['coordinates_by_confidence'][c]:,} {c}" for c in CONFIDENCE)),
        (
            "… estimated",
            f"{h['estimated_coordinates']:,} of {h['places']:,} (drawn hollow; "
            f"{h['estimated_ledger_coordinates']:,} of the places with ledger rows)",
        ),
        ("Consistency", f"{h['errors']} error(s), {h['warnings']} open warning(s), {len(h['accepted'])} accepted"),
    ]
    if "no_reporting" in h:
        rows.append(("No reporting", f"at most {h['no_reporting']['max_share']:.1%} of the ground on any date"))
    table = html.Table(
        html.Tbody([html.Tr([html.Th(k, scope="row"), html.Td(v)]) for k, v in rows]), className="health"
    )
    accepted = html.Details(
        [
            html.Summary(f"Accepted warnings ({len(h['accepted'])})"),
            html.Ul([html.Li([html.B(f"{a['rule']} {a['subject']}: "), a["reason"]]) for a in h["accepted"]]),
        ]
    )
    shown, more = h["findings"][:MAX_LISTED], len(h["findings"]) > MAX_LISTED
    findings = (
        [
            html.Details(
                [
                    html.Summary(f"Open findings ({len(h['findings'])})"),
                    html.Ul(
                        [html.Li(f"{f['severity']} [{f['rule']}] {f['item']}: {f['message']}") for f in shown]
                        + ([html.Li(f"… and {len(h['findings']) - len(shown):,} more: run validate")] if more else [])
                    ),
                ]
            )
        ]
        if h["findings"]
        else []
    )
    return html.Section(
        [html.H3("Data health"), table, accepted, *findings], id=SECTION_ID, **{"aria-label": "Data health"}
    )
