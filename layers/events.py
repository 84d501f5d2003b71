"""Events at their places: large on their own date, small for the fortnight after, hidden otherwise."""

from __future__ import annotations

from shapely.geometry import Point

from layers.base import Part
from layers.core.geojson import collection, feature

NAME = "events"
TITLE = "Events"
DYNAMIC = True
DEFAULT_ON = True
Z = 610


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(data(ctx), point=True)]


def data(ctx) -> dict:
    """Every event whose place is in the gazetteer, with its day index for the engine."""
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
