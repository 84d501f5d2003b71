"""Map layers, in draw order (first = bottom), on top of the pure domain code in ``layers.core``.

Every layer module has the same shape:

- ``NAME`` and ``TITLE``;
- ``component(ctx)``: the dash-leaflet component(s), with ids ``layer-<NAME>…``;
- ``DYNAMIC``: True if the layer's data depends on the chosen date, in which case
- ``data(ctx, date, compare)`` returns the layer's GeoJSON at ``date`` (pure; no Dash).

The registry is resolved on first use, so ``import layers.core`` (the domain code, used by the command line
and the tests) never imports Dash.
"""

from __future__ import annotations

import importlib

LAYER_MODULES = ("basemap", "control", "change", "frontline", "places", "events")

__all__ = ["DYNAMIC_LAYERS", "LAYERS", "LAYER_MODULES"]


def __getattr__(name: str):
    if name == "LAYERS":
        return tuple(importlib.import_module(f"layers.{m}") for m in LAYER_MODULES)
    if name == "DYNAMIC_LAYERS":
        return tuple(m for m in __getattr__("LAYERS") if m.DYNAMIC)
    if name in LAYER_MODULES:
        return importlib.import_module(f"layers.{name}")
    raise AttributeError(f"module 'layers' has no attribute {name!r}")
