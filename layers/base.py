"""The contract of a map layer. A layer is two files: ``layers/<name>.py`` (this shape, no Dash) and
``assets/layer_<name>.js`` (its style, binding, restyling on a date change and tooltips), plus its line in
the registry, ``layers/__init__.py``.

The Python module declares:

- ``NAME``: the layer's id; the page gives its GeoJSON the id ``layer-<NAME>[-<part>]`` and the JS twin adds
  the key ``<NAME>`` to ``window.raqqaLayers``;
- ``TITLE``: its name in the layer menu;
- ``DYNAMIC``: True if it changes with the date (then it is an overlay in the layer menu, and the date engine
  calls its JS ``restyle`` for every day);
- ``DEFAULT_ON``: shown when the page opens;
- ``Z``: the z-index of its pane (the draw order among layers);
- ``parts(ctx, tables)``: its GeoJSON, a list of :class:`Part`, fixed when the page loads (pure; no Dash);
- optionally ``CANVAS = True``: a date-dependent part with ``layers.features.map_view.canvas_from()`` features or
  more (1,000; ``RAQQA_CANVAS_FROM``) is drawn on the one canvas those parts share (``assets/26_canvas.js``),
  not as an SVG element per feature.

The map (``layers/features/map_view.py``) turns the parts into dash-leaflet components; nothing else needs to know
a layer exists.
"""

from __future__ import annotations

from dataclasses import dataclass

JS_NAMESPACE = "raqqaLayers"  # assets/layer_<name>.js each add one key to window.raqqaLayers


@dataclass(frozen=True)
class Part:
    """One GeoJSON of a layer."""

    data: dict
    name: str = ""  # the part's name (the JS gets it as ``context.hideout.part``); "" for a one-part layer
    point: bool = False  # points drawn by ``raqqaLayers.<NAME>.point`` (else polygons and lines by ``style``)
    pane: str = ""  # a static layer's own pane for this part (with ``z``); "" for the layer's pane
    z: int | None = None  # the z-index of ``pane``
    attribution: str = ""  # credit for the part's source, shown in the map's attribution control
