"""Split the latin-ext Noto Sans files of ``assets/fonts`` in two for the page (``assets/fonts/web``): a small
``core`` file with the letters of transliterated place names (Latin Extended-A, ə, ʾ ʿ, the combining marks and
Latin Extended Additional, e.g. "Tall Abyaḑ", "Şirrīn") that the first view needs, and a ``rest`` file with the
other latin-ext glyphs, fetched only by a page that shows one of them. The whole files stay where they are for
the exported images (``layers/core/fonts.py``). Run after changing a font, then commit the outputs:

    .venv/bin/python -m tools.subset_fonts

It prints the ``unicode-range`` of each output for ``assets/00_fonts.css``."""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "assets" / "fonts"
OUT = SRC / "web"
WEIGHTS = (400, 700)
# the unicode-range of the latin-ext files (@fontsource/noto-sans 5.3.0), shared out between the two outputs
LATIN_EXT = (
    "U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,"
    "U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF"
)
FIRST_VIEW = set(range(0x100, 0x180)) | {0x259, 0x2BE, 0x2BF, 0x304, 0x308, 0x329} | set(range(0x1E00, 0x1F00))


def code_points(text: str) -> set[int]:
    """The code points of a CSS ``unicode-range`` (``U+0100-017F,U+0259``)."""
    out: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        out.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def split() -> dict[str, set[int]]:
    """The unicode-range of each output: ``core`` (the first view's letters) and ``rest``."""
    whole = code_points(LATIN_EXT)
    return {"core": whole & FIRST_VIEW, "rest": whole - FIRST_VIEW}


def ranges(codes: set[int]) -> str:
    """``U+0100-017F,U+0259,...`` for the CSS ``unicode-range`` of ``codes``."""
    out, run = [], []
    for c in sorted(codes):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(_span(run))
        run = [c]
    if run:
        out.append(_span(run))
    return ",".join(out)


def _span(run: list[int]) -> str:
    return f"U+{run[0]:04X}" if len(run) == 1 else f"U+{run[0]:04X}-{run[-1]:04X}"


def write(src: Path, codes: set[int], dest: Path) -> None:
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.layout_features = ["*"]  # keep mark positioning and the font's features
    opts.name_IDs = ["*"]  # keep the copyright and OFL licence records
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    font = TTFont(src, recalcTimestamp=False)  # the same outputs on every run
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=codes)
    sub.subset(font)
    font.save(dest)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for weight in WEIGHTS:
        src = SRC / f"noto-sans-latin-ext-{weight}-normal.woff2"
        for name, codes in split().items():
            dest = OUT / f"noto-sans-latin-ext-{name}-{weight}-normal.woff2"
            write(src, codes & set(TTFont(src).getBestCmap()), dest)
            print(f"{dest.relative_to(ROOT)}: {dest.stat().st_size} bytes, unicode-range: {ranges(codes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
