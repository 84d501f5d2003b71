"""Places of the ledger, a dot in their holder's colour on the chosen date; hollow when the location is estimated."""

from __future__ import annotations

from shapely.geometry import Point

from layers.base import Part
from layers.core.geojson import collection, feature

NAME = "places"
TITLE = "Places"
DYNAMIC = True
DEFAULT_ON = True
Z = 600
CANVAS = True  # on the shared canvas past layers.features.map_view.canvas_from() features


def parts(ctx, tables: dict) -> list[Part]:
    return [Part(data(ctx, tables), point=True)]


def data(ctx, tables: dict) -> dict:
    """One point per place with ledger rows; ``p`` is its index in the timeline tables."""
    feats = []
    for i, p in enumerate(tables["places"]):
        place = ctx.dataset.places[p["id"]]
        props = {
            "p": i,
            "id": place.id,
            "name": place.name,
            "alt_names": list(place.alt_names),
            "kind": place.kind,
            "confidence": place.confidence,
            # where the coordinate comes from (text, shown in the tooltip)
            "coord_source": place.coord_source,
            "coord_method": place.coord_method,
        }
        feats.append(feature(Point(place.lon, place.lat), props))
    return collection(feats)
