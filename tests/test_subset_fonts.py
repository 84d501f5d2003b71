"""The page's latin-ext fonts split in two (tools/subset_fonts.py): the stylesheet's unicode-ranges are the
tool's, each file holds the glyphs of its range, the first view's letters are in the small file, and the
licence travels with the fonts."""

from __future__ import annotations

import re

import pytest
from fontTools.ttLib import TTFont

from tools import subset_fonts as sf

CSS = (sf.ROOT / "assets" / "00_fonts.css").read_text()
FACE = re.compile(
    r"src: url\(fonts/web/noto-sans-latin-ext-(\w+)-(\d+)-normal\.woff2\)[^;]*;\s*unicode-range: ([^;]+);"
)


def test_the_stylesheet_names_both_parts_of_both_weights_with_the_tools_ranges():
    faces = {(name, int(weight)): rng for name, weight, rng in FACE.findall(CSS)}
    parts = sf.split()
    assert set(faces) == {(n, w) for n in parts for w in sf.WEIGHTS}
    for (name, _), rng in faces.items():
        assert sf.code_points(rng) == parts[name]
    assert "fonts/noto-sans-latin-ext-" not in CSS  # the whole files are for the exported images only


def test_the_parts_share_out_the_latin_ext_range_without_overlap():
    parts, whole = sf.split(), sf.code_points(sf.LATIN_EXT)
    assert parts["core"] | parts["rest"] == whole and not parts["core"] & parts["rest"]
    assert sf.code_points(sf.ranges(parts["rest"])) == parts["rest"]


@pytest.mark.parametrize("weight", sf.WEIGHTS)
def test_each_file_holds_the_glyphs_of_its_range_and_the_licence(weight):
    whole = TTFont(sf.SRC / f"noto-sans-latin-ext-{weight}-normal.woff2")
    have = set(whole.getBestCmap())
    licence = {r.nameID: r.toUnicode() for r in whole["name"].names}
    for name, codes in sf.split().items():
        font = TTFont(sf.OUT / f"noto-sans-latin-ext-{name}-{weight}-normal.woff2")
        assert set(font.getBestCmap()) == codes & have, name
        names = {r.nameID: r.toUnicode() for r in font["name"].names}
        assert names == licence and "openfontlicense.org" in names[14]  # copyright and licence kept
    assert (sf.SRC / "OFL-1.1.txt").is_file()


def test_the_first_views_place_names_need_only_the_small_file():
    core = set(TTFont(sf.OUT / "noto-sans-latin-ext-core-700-normal.woff2").getBestCmap())
    for name in ("Tall Abyaḑ", "Şirrīn ash Shamālīyah", "Shuyūkh Taḩtānī", "Ḩamāh", "Rəqqə"):
        letters = {ord(c) for c in name if ord(c) > 0xFF}
        assert letters and letters <= sf.split()["core"] and letters <= core, name


def test_a_malformed_range_is_refused():
    with pytest.raises(ValueError):
        sf.code_points("U+01G0")
