"""The app with the export panel in its sidebar, for the export browser test (if the page lacks it).

``app.layout`` may be a component tree or a function returning one (a fresh page per load); either way the
panel goes at the end of the sidebar unless the page already has it.
"""

from __future__ import annotations

import os

from dash import html

import app as main
from layers import export


def _find(node, pred):
    if pred(node):
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json") and (hit := _find(child, pred)) is not None:
            return hit
    return None


def mount(layout):
    """The layout with ``export.component`` in the sidebar, unless it is already there."""
    if _find(layout, lambda c: getattr(c, "id", None) == export.REQUEST_ID) is not None:
        return layout
    sidebar = _find(layout, lambda c: getattr(c, "className", None) == "sidebar")
    if sidebar is None:
        return html.Div([layout, export.component(main.CTX)])
    sidebar.children = [*sidebar.children, export.component(main.CTX)]
    return layout


_page = main.app.layout
main.app.validation_layout = None  # computed from the first layout set; recompute it with the panel in
main.app.layout = (lambda: mount(_page())) if callable(_page) else mount(_page)

if __name__ == "__main__":
    main.app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")))
