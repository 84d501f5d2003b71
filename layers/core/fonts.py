"""The fonts of the exported images: the Noto Sans woff2 files the app serves (``assets/fonts``), decompressed
once per process with fontTools into TTF files matplotlib can read; DejaVu Sans (shipped with matplotlib)
covers any character outside their Latin subsets."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from matplotlib import font_manager

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "assets" / "fonts"
FAMILY = "Noto Sans"
EXT_FAMILY = "Noto Sans Latin Ext"  # the latin-ext subset, renamed so matplotlib can fall back to it
FAMILIES = [FAMILY, EXT_FAMILY, "DejaVu Sans"]

_READY = False


def register_fonts() -> None:
    """Decompress the bundled Noto Sans woff2 files to TTF once per process and register them."""
    global _READY
    if _READY:
        return
    from fontTools.ttLib import TTFont

    out = Path(tempfile.mkdtemp(prefix="raqqa-fonts-"))
    atexit.register(shutil.rmtree, out, True)
    for src in sorted(FONT_DIR.glob("noto-sans-*.woff2")):
        font = TTFont(src)
        font.flavor = None  # woff2 -> plain TrueType (needs brotli, installed with flask-compress)
        if "latin-ext" in src.name:
            for rec in font["name"].names:
                if rec.nameID in (1, 16):
                    rec.string = EXT_FAMILY
                elif rec.nameID in (4, 6):
                    rec.string = rec.toUnicode().replace("Noto Sans", EXT_FAMILY).replace("NotoSans", "NotoSansExt")
        path = out / (src.stem + ".ttf")
        font.save(path)
        font_manager.fontManager.addfont(str(path))
    _READY = True
