"""What the page features share: the ids of the page-wide stores, and small text helpers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

from layers.server.context import Context, context, theatre_context

URL_ID = "url"  # dcc.Location: ?theatre=, ?briefing=, and the view the engine writes
PAGE_ID = "page"  # the theatre's page, swapped when another theatre opens
THEATRE_ID = "theatre"  # the slug of the open theatre ("" for the bundled one)
TABLES_ID = "timeline"  # the tables the date engine derives every day from
ENGINE_ID = "engine-ready"  # the engine's answer to its clientside callbacks
PLACE_ID = "selected-place"  # the place clicked on the map
SETTLED_ID = "settled"  # the date and compare date, once the slider rests
TABS_ID = "side-tabs"
DATE_ID = "date-display"  # the chosen date, in the header
FIGURES_ID = "figures"  # the table of ground held
FRONT_ID = "frontline-km"  # the frontline length


def theatre_of(slug) -> Context:
    """The theatre a callback answers for (the page's ``theatre`` Store); the bundled one if unknown."""
    return theatre_context(slug if isinstance(slug, str) else "") or context()


def query(search: str | None) -> dict[str, str]:
    if not isinstance(search, str):
        return {}
    return {k: v[0] for k, v in parse_qs(search.lstrip("?")).items() if v}


def host(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


def date_text(date: dt.date) -> str:
    return date.strftime("%-d %B %Y")


def short_date(date: dt.date) -> str:
    return date.strftime("%-d %b %Y")
