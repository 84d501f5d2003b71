"""The faction colours stay distinguishable for colour-blind viewers, and nothing relies on colour alone.

Each colour is blended at the map's fill opacity over the land colour, passed through the Machado et al.
(2009) simulation of protanopia, deuteranopia and tritanopia (severity 1), and compared in CIELAB: every
pair of solid-filled holders must differ by ΔE*ab ≥ 10 (clearly distinct side by side). Contested ground,
ground with no reporting and low-confidence reports are hatched, which the engine's styles must keep.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from layers.core import draw
from layers.core.palette import palette
from tests.conftest import GEODATA, ROOT

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}  # fmt: skip
LAND = palette()["land"]  # under the control layer
FILL_OPACITY = 0.55  # cellStyle() in assets/layer_control.js
MIN_DELTA_E = 10.0
HATCHED = {"contested"}  # drawn with a pattern, not colour alone


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(
        linear_rgb, 0, 1
    )
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(hex_colour: str, vision: str) -> np.ndarray:
    """CIELAB of a faction fill on the map, as seen with ``vision``."""
    mixed = FILL_OPACITY * _linear(hex_colour) + (1 - FILL_OPACITY) * _linear(LAND)
    return _lab(MACHADO[vision] @ mixed)


def test_the_simulation_separates_red_and_green_only_for_normal_vision():
    # sanity check of the model itself: pure red and green collapse for deuteranopes, not for others
    red, green = "#d62728", "#2ca02c"
    assert np.linalg.norm(seen(red, "normal") - seen(green, "normal")) > 30
    assert np.linalg.norm(seen(red, "deuteranopia") - seen(green, "deuteranopia")) < 15


@pytest.mark.parametrize("vision", list(MACHADO))
def test_solid_faction_fills_are_distinct(vision):
    factions = json.loads((GEODATA / "theatre.json").read_text())["factions"]
    solid = {f["id"]: f["color"] for f in factions if f["id"] not in HATCHED}
    assert len(solid) >= 3
    for (a, ca), (b, cb) in itertools.combinations(solid.items(), 2):
        delta = float(np.linalg.norm(seen(ca, vision) - seen(cb, vision)))
        assert delta >= MIN_DELTA_E, f"{a} vs {b} under {vision}: ΔE {delta:.1f}"


def test_hatched_ground_keeps_its_patterns():
    engine = (ROOT / "assets" / "layer_control.js").read_text()
    assert 'fillColor: "url(#hatch-contested)"' in engine
    assert 'fillColor: "url(#hatch-none)"' in engine
    assert '"url(#hatch-low-" + h + ")"' in engine
    # a faction's ground: its colour as laid at FILL_OPACITY over the land, drawn opaque
    assert f"const GROUND_ALPHA = {FILL_OPACITY};" in engine and "overLand(c, GROUND_ALPHA), fillOpacity: 1" in engine


def test_one_palette_for_the_css_the_map_scripts_and_the_exports():
    theme = palette()
    assert {"land", "water", "front", "event", "contested", "panel"} <= set(theme)
    assert draw.STYLE["water_edge"] == theme["water-edge"] and draw.STYLE["front"] == theme["front"]
    literal = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b(?!\))")
    files = [ROOT / "layers" / "core" / name for name in ("draw.py", "panel.py", "render.py", "style.py")]
    files += sorted((ROOT / "assets").glob("*.js"))
    files += [p for p in sorted((ROOT / "assets").glob("*.css")) if p.name != "00_theme.css"]
    for path in files:
        text = path.read_text().replace("url(#hatch", "")
        assert not literal.findall(text), f"{path.name}: colours belong in assets/00_theme.css"
    text = " ".join(p.read_text() for p in files)
    used = set(re.findall(r"var\(--([a-z0-9-]+)", text)) - {"c"}  # --c: a faction's colour, set on the swatch
    used |= {a or b for a, b in re.findall(r'\bC\("([a-z0-9-]+)"\)|color\("([a-z0-9-]+)"\)', text)}
    declared = set(re.findall(r"^\s*--([a-z0-9-]+):", (ROOT / "assets" / "00_theme.css").read_text(), re.M))
    assert {"front", "contested-hatch", "water-edge"} <= used and used <= declared, sorted(used - declared)
