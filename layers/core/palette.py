"""The one palette: the colours declared in ``assets/00_theme.css`` (``--name: #rrggbb;`` in its ``:root``).

The page's CSS uses them as ``var(--name)``, the map's scripts through ``raqqaUtil.color(name)``, and the
exports (``render.py``) through :func:`palette`, so an exported image has the map's colours.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

THEME = Path(__file__).resolve().parents[2] / "assets" / "00_theme.css"
_COLOUR = re.compile(r"^\s*--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;", re.M)


@cache
def palette() -> dict[str, str]:
    """Every colour of the theme by its name (``water-edge``), as ``#rrggbb``."""
    found = _COLOUR.findall(THEME.read_text(encoding="utf-8"))
    names = [n for n, _ in found]
    if len(set(names)) != len(names):
        raise ValueError(f"{THEME.name}: a colour is declared twice")
    return {n: c.lower() for n, c in found}
