"""Helpers shared by the layer modules."""

from __future__ import annotations

import dash_leaflet as dl

JS_NAMESPACE = "raqqaLayers"  # assets/layer_<name>.js each add one key to window.raqqaLayers


def geojson_layer(name: str, data: dict, *, point: bool = False, part: str = "") -> dl.GeoJSON:
    """The dl.GeoJSON of layer ``name`` (or one ``part`` of it), styled by ``raqqaLayers.<name>``.

    The data never changes after the page loads: the date engine (assets/20_engine.js) restyles the features
    it registered through ``bind``, so moving the date sends nothing and rebuilds nothing.
    """
    fn = "pointToLayer" if point else "style"
    return dl.GeoJSON(
        id=f"layer-{name}{'-' + part if part else ''}",
        data=data,
        onEachFeature={"variable": f"{JS_NAMESPACE}.{name}.bind"},
        hideout={"part": part} if part else {},
        **{fn: {"variable": f"{JS_NAMESPACE}.{name}.{'point' if point else 'style'}"}},
    )
