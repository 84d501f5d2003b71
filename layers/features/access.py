"""Access for keyboard, screen-reader and phone users: the skip link, the typed date, the polite live region
that announces the date and the areas after a change, and the handle of the sidebar's bottom sheet on a phone.

Their behaviour is in ``assets/24_access.js``; their layout from phone to 4K in ``assets/40_access.css``.
"""

from __future__ import annotations

from dash import dcc, html

from layers.features.map_view import MAP_ID
from layers.server.context import Context

DATE_ENTRY_ID = "date-entry"
DATE_ERROR_ID = "date-entry-error"
LIVE_ID = "live-status"
SHEET_ID = "sheet-toggle"


def skip_link() -> html.A:
    return html.A("Skip to the map", href=f"#{MAP_ID}", className="skip-link")


def date_entry(ctx: Context) -> html.Form:
    """A typed date: ISO (2017-06-30) or written out (30 June 2017); Enter goes there."""
    ds = ctx.dataset
    span = f"{ds.start:%-d %b %Y} – {ds.end:%-d %b %Y}"
    return html.Form(
        [
            html.Label(
                [
                    html.Span(f"Go to date ({span}), e.g. 30 June 2017 or 2017-06-30", className="visually-hidden"),
                    dcc.Input(
                        id=DATE_ENTRY_ID,
                        type="text",
                        placeholder="go to date",
                        autoComplete="off",
                        className="date-entry",
                    ),
                ]
            ),
            html.Span(id=DATE_ERROR_ID, className="date-entry-error", role="alert"),
        ],
        className="date-form",
        **{"data-first": ds.start.isoformat(), "data-last": ds.end.isoformat()},
    )


def live_region() -> html.Div:
    """Announces the date and the areas a moment after the date settles (not on every step of a scrub)."""
    return html.Div(id=LIVE_ID, className="visually-hidden", role="status", **{"aria-live": "polite"})


def sheet_toggle() -> html.Button:
    """On a phone the sidebar is a bottom sheet; this opens and closes it (hidden on wider screens)."""
    return html.Button(
        "Areas, events and tools",
        id=SHEET_ID,
        className="sheet-toggle",
        type="button",
        **{"aria-expanded": "false", "aria-controls": "sidebar"},
    )
