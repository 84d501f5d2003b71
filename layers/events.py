"""Events at their places: large on their own date, small for the fortnight after, hidden otherwise.

Up to ``MAX_MARKERS`` located events, every event is a marker of the layer's GeoJSON (the engine shows those
of the window and hides the rest). Beyond that, the GeoJSON is empty and the browser draws, from the events'
columns in the tables, only the markers of the window around the chosen date, at most ``MAX_MARKERS`` of
them (those of the day first, then the most recent), and says how many it left out
(``assets/layer_events.js``).
"""

from __future__ import annotations

from shapely.geometry import Point

from layers.base import Part
from layers.core.geojson import collection, feature

NAME = "events"
TITLE = "Events"
DYNAMIC = True
DEFAULT_ON = True
Z = 610
MAX_MARKERS = 1500  # markers in the map at most: every event up to this many, else the window's


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(data(ctx), point=True)]


def located(ctx) -> int:
    """How many events have their place in the gazetteer (and so a marker)."""
    return sum(1 for e in ctx.dataset.events if e.place_id in ctx.dataset.places)


def marker_cap(ctx) -> int:
    """0 if every event is a marker of the GeoJSON, else the most markers the browser draws at once."""
    return 0 if located(ctx) <= MAX_MARKERS else MAX_MARKERS


def data(ctx) -> dict:
    """Every event whose place is in the gazetteer, with its day index for the engine (none beyond the cap)."""
    if marker_cap(ctx):
        return collection([])
    feats = []
    for i, e in enumerate(ctx.dataset.events):
        place = ctx.dataset.places.get(e.place_id)
        if place is None:
            continue
        props = {
            "i": i,
            "id": e.event_id,
            "day": ctx.day_of(e.date),
            "title": e.title,
            "date": e.date.isoformat(),
            "kind": e.kind,
            "place": place.name,
            "confidence": e.confidence,
        }
        feats.append(feature(Point(place.lon, place.lat), props))
    return collection(feats)
