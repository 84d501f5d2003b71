"""The fonts of the exported images: the Noto Sans woff2 files the app serves (``assets/fonts``), decompressed
with fontTools into TTF files matplotlib can read (once per machine); DejaVu Sans (shipped with matplotlib)
covers any character outside their Latin subsets."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from functools import cache
from pathlib import Path

from matplotlib import font_manager

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "assets" / "fonts"
FAMILY = "Noto Sans"
EXT_FAMILY = "Noto Sans Latin Ext"  # the latin-ext subset, renamed so matplotlib can fall back to it
FAMILIES = [FAMILY, EXT_FAMILY, "DejaVu Sans"]

_READY = False


def register_fonts() -> None:
    """Register the bundled Noto Sans with matplotlib, decompressed from woff2 to TTF once per machine (a folder of
    this user's in the temporary directory, named by the fonts' digest) or, failing that, once per process."""
    global _READY
    if _READY:
        return
    for src in sorted(FONT_DIR.glob("noto-sans-*.woff2")):
        out = _folder()
        path = out / (src.stem + ".ttf")
        if not path.is_file():
            part = out / f"{src.stem}.{os.getpid()}.part"
            _to_ttf(src, part)
            os.replace(part, path)  # whole files only: another process may be reading the folder
        font_manager.fontManager.addfont(str(path))
    _READY = True


@cache
def _folder() -> Path:
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(FONT_DIR.glob("noto-sans-*.woff2"))))
    folder = Path(tempfile.gettempdir()) / f"raqqa-fonts-{os.getuid()}-{digest.hexdigest()[:16]}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    st = folder.lstat()
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
        return folder
    own = Path(tempfile.mkdtemp(prefix="raqqa-fonts-"))  # someone else's or a link: not trusted, use a new one
    atexit.register(shutil.rmtree, own, True)
    return own


def _to_ttf(src: Path, path: Path) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    font.flavor = None  # woff2 -> plain TrueType (needs brotli, installed with flask-compress)
    if "latin-ext" in src.name:
        for rec in font["name"].names:
            if rec.nameID in (1, 16):
                rec.string = EXT_FAMILY
            elif rec.nameID in (4, 6):
                rec.string = rec.toUnicode().replace("Noto Sans", EXT_FAMILY).replace("NotoSans", "NotoSansExt")
    font.save(path)
