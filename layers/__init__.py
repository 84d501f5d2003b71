"""Map layers, in draw order (first = bottom), on top of the pure domain code in ``layers.core``.

Every layer module has the same shape:

- ``NAME`` and ``TITLE``;
- ``component(ctx)``: the dash-leaflet component, with id ``layer-<NAME>``;
- ``DYNAMIC``: True if the layer's data depends on the chosen date;
- ``data(ctx, date, compare)``: for dynamic layers, the layer's GeoJSON at ``date`` (pure; no Dash).
"""

from layers import basemap, change, control, events, frontline, places

LAYERS = (basemap, control, change, frontline, places, events)
DYNAMIC_LAYERS = tuple(m for m in LAYERS if m.DYNAMIC)

__all__ = ["DYNAMIC_LAYERS", "LAYERS", "basemap", "change", "control", "events", "frontline", "places"]
