"""Map layers, in draw order (first = bottom), on top of the pure domain code in ``layers.core``.

Each layer is a module of the shape ``layers/base.py`` describes, with its twin ``assets/layer_<name>.js``.
Nothing here imports Dash: the page builds the map from ``LAYERS`` (``layers/features/map.py``), and
``import layers.core`` stays free of it.
"""

from __future__ import annotations

from layers import basemap, change, city, control, events, frontline, places

LAYERS = (basemap, control, change, frontline, places, city, events)

__all__ = ["LAYERS", "basemap", "change", "city", "control", "events", "frontline", "places"]
