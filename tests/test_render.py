"""The exported image: the map at a date with its panel (layers/core/render.py, draw.py, captions.py, fonts.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from layers.core import captions, draw, export, fonts, render
from tests.export_inputs import SMALL, D, req

pytestmark = pytest.mark.usefixtures("fresh_frame_cache")


def blend(hex_color: str, alpha: float, under: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], float)
    u = np.array([int(under[i : i + 2], 16) for i in (1, 3, 5)], float)
    return alpha * c + (1 - alpha) * u


def share_of(rgb: np.ndarray, color: np.ndarray, tol: float = 6) -> float:
    """Fraction of the image's pixels within ``tol`` of ``color`` in every channel."""
    return float(np.all(np.abs(rgb.astype(float) - color) <= tol, axis=2).mean())


def faction_fill(ctx, faction: str) -> np.ndarray:
    colors = {f["id"]: f["color"] for f in ctx.dataset.theatre["factions"]}
    return blend(colors[faction], draw.GROUND_ALPHA, draw.STYLE["land"])  # ground over Syria's land


# ---------------------------------------------------------------------------------------------------------
# PNG


def test_png_decodes_at_the_default_size_with_the_faction_colours(ctx):
    png = export.build(ctx.territory, req(ctx.territory, date="2017-06-06"))
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size == (1920, 1080)
        rgb = np.asarray(im.convert("RGB"))
    assert share_of(rgb, faction_fill(ctx, "SDF")) > 0.05
    assert share_of(rgb, faction_fill(ctx, "ISIS")) > 0.02
    assert share_of(rgb, faction_fill(ctx, "Syrian government")) < 0.001  # not yet on the map in June 2017


def test_png_shows_the_government_ground_only_once_it_is_reported(ctx):
    before = render.render_rgb(ctx.territory, render.View(D(2016, 11, 5), ctx.dataset.aoi.bounds, size=SMALL))
    after = render.render_rgb(ctx.territory, render.View(D(2017, 10, 20), ctx.dataset.aoi.bounds, size=SMALL))
    fill = faction_fill(ctx, "Syrian government")
    assert before.shape == after.shape == (SMALL[1], SMALL[0], 3)
    assert share_of(before, fill) < 0.001 < share_of(after, fill)


def test_png_clips_to_the_requested_bounds(ctx):
    # a view of the steppe north-east of Raqqa that no reported place reaches: no-reporting hatch, no SDF fill
    far = render.render_rgb(ctx.territory, render.View(D(2017, 6, 6), (39.75, 36.35, 40.0, 36.5), size=SMALL))
    whole = render.render_rgb(ctx.territory, render.View(D(2017, 6, 6), ctx.dataset.aoi.bounds, size=SMALL))
    sdf = faction_fill(ctx, "SDF")
    assert share_of(whole, sdf) > 0.05
    assert share_of(far, sdf) < share_of(whole, sdf) / 2


def test_contested_and_unreported_ground_is_hatched_not_only_coloured(ctx):
    view = render.View(D(2017, 8, 15), (38.9, 35.88, 39.15, 36.03), size=(960, 540))
    rgb = render.render_rgb(ctx.territory, view)
    hatch = np.array([int(draw.STYLE["contested_hatch"][i : i + 2], 16) for i in (1, 3, 5)], float)
    assert share_of(rgb, hatch, tol=25) > 0.002  # the purple hatch lines over contested ground
    wide = render.render_rgb(ctx.territory, render.View(D(2017, 8, 15), ctx.dataset.aoi.bounds, size=(960, 540)))
    grey = np.array([int(draw.STYLE["none_hatch"][i : i + 2], 16) for i in (1, 3, 5)], float)
    assert share_of(wide, grey, tol=25) > 0.01  # the grey hatch lines over ground with no reporting


def test_png_at_a_requested_size_and_with_layers_off(ctx):
    r = req(ctx.territory, date="2017-06-06", size=[1280, 720], layers=["places"])
    with Image.open(io.BytesIO(export.build(ctx.territory, r))) as im:
        assert im.size == (1280, 720)
        rgb = np.asarray(im.convert("RGB"))
    assert share_of(rgb, faction_fill(ctx, "SDF")) < 0.001  # ground layer off


def test_caption_is_drawn_as_text_not_mathtext(ctx):
    view = render.View(D(2017, 6, 6), ctx.dataset.aoi.bounds, caption="$\\frac{a}{ and 100% $$ {", size=SMALL)
    assert render.render_rgb(ctx.territory, view).shape == (SMALL[1], SMALL[0], 3)


def test_default_caption_is_the_event_of_the_date_or_the_last_before(ctx):
    assert "Battle of Raqqa begins" in captions.default_caption(ctx.territory, D(2017, 6, 6))
    later = captions.default_caption(ctx.territory, D(2017, 6, 7))
    assert later.startswith("Last event before this date, 6 June 2017:")


def test_source_line_names_the_rows_and_hosts_of_the_date(ctx):
    line = captions.source_line(ctx.territory, D(2017, 6, 6))
    assert "T081" in line and "en.wikipedia.org" in line and "airwars.org" in line
    assert "ledger rows in force" in line
    for licence in ("GeoNames, CC BY 4.0", "OpenStreetMap contributors, ODbL", "Natural Earth, public domain"):
        assert licence in captions.LICENCES


def test_bundled_fonts_are_used(ctx):
    fonts.register_fonts()
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    assert {fonts.FAMILY, fonts.EXT_FAMILY} <= names
    path = font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY, weight="bold"))
    assert path.endswith("noto-sans-latin-700-normal.ttf")


def test_events_window_matches_the_map_layer():
    from layers.features.tables import client_tables
    from layers.server.context import context

    assert client_tables(context(), "")["recent_days"] == draw.RECENT_DAYS


def test_fonts_are_decompressed_once_into_a_private_folder():
    fonts.register_fonts()
    folder = fonts._folder()
    assert folder.stat().st_mode & 0o777 == 0o700
    names = sorted(p.name for p in folder.glob("*.ttf"))
    assert names == sorted(p.stem + ".ttf" for p in fonts.FONT_DIR.glob("noto-sans-*.woff2")) and names
    assert not list(folder.glob("*.part"))


def test_an_image_drawn_again_from_its_kept_scene_is_the_same(ctx):
    view = render.View(D(2017, 6, 6), ctx.dataset.aoi.bounds, size=SMALL)
    first = render.render_rgb(ctx.territory, view)
    other = render.render_rgb(ctx.territory, render.View(D(2016, 11, 5), ctx.dataset.aoi.bounds, size=SMALL))
    assert not np.array_equal(first, other)
    assert np.array_equal(render.render_rgb(ctx.territory, view), first)  # nothing of the other date left over
    render.clear()
    assert np.array_equal(render.render_rgb(ctx.territory, view), first)  # the same drawn from a new scene
