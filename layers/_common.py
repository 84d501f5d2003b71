"""Helpers shared by the layer modules."""

from __future__ import annotations

import dash_leaflet as dl

JS_NAMESPACE = "raqqaLayers"  # assets/layer_<name>.js each add one key to window.raqqaLayers


def geojson_layer(name: str, data: dict, *, point: bool = False, hideout: dict | None = None) -> dl.GeoJSON:
    """The dl.GeoJSON of layer ``name``, styled by ``raqqaLayers.<name>`` (style or point, and bind)."""
    fn = "pointToLayer" if point else "style"
    return dl.GeoJSON(
        id=f"layer-{name}",
        data=data,
        onEachFeature={"variable": f"{JS_NAMESPACE}.{name}.bind"},
        hideout=hideout or {},
        **{fn: {"variable": f"{JS_NAMESPACE}.{name}.{'point' if point else 'style'}"}},
    )
