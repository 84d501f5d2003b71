"""Fixtures of the page-feature tests: the bundled theatre, and the text a component tree shows."""

from __future__ import annotations


def texts(component) -> str:
    """All text in a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(texts(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else texts(children)
