"""An import's input files: read from disk safely (no links, bounded sizes), their budgets, their kind by content."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from layers.core import geocheck as gc
from layers.core.dataset import max_bytes
from layers.core.errors import DatasetError, Problem
from layers.core.import_config import InputFile

__all__ = [
    "MAGIC",
    "MAX_INPUT_BYTES",
    "MAX_INPUT_FILES",
    "MAX_TABLE_INPUT_BYTES",
    "inputs_within_budget",
    "mib",
    "over_budget",
    "read_paths",
    "sniff",
]

MAX_INPUT_FILES = 1000
# All input files of one import together (each at most dataset.max_bytes): the geometry files (snapshots), and
# the CSV tables (event exports) on their own budget, cheap to read per byte and larger at analyst scale.
MAX_INPUT_BYTES = 50 * 2**20
MAX_TABLE_INPUT_BYTES = 256 * 2**20
MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive",
    b"SQLite format 3\x00": "an SQLite database",
    b"GIF8": "a GIF image",
}


def read_paths(paths: Iterable[Path], skip: Path | None = None) -> list[InputFile]:
    """Input files from paths (a folder gives its regular files, sorted, hidden ones and ``skip`` left out).

    Symbolic links and anything but regular files are refused, not followed; the number of files and every
    size (each file and all together) are checked with ``lstat`` before anything is read, and each file is
    read through a descriptor that does not follow links, at most its budget.
    """
    problems: list[Problem] = []
    chosen: list[tuple[Path, int]] = []
    for path in paths:
        for p in _listing(path, problems):
            if skip is not None and os.path.abspath(p) == os.path.abspath(skip):
                continue
            size = _regular_size(p, problems)
            if size is not None:
                chosen.append((p, size))
    if len(chosen) > MAX_INPUT_FILES:
        problems.append(Problem("inputs", "files", f"{len(chosen):,} files: more than the limit of {MAX_INPUT_FILES}"))
    problems += [Problem("inputs", "files", why) for why in over_budget([(p.name, size) for p, size in chosen])]
    if problems:
        raise DatasetError(problems)
    out = []
    for p, _ in chosen:
        data = _read_regular(p, problems)
        if data is not None:
            out.append(InputFile(p.name, data))
    if problems:
        raise DatasetError(problems)
    return out


def _listing(path: Path, problems: list[Problem]) -> list[Path]:
    """``path`` itself, or the entries of a folder (hidden ones left out), at most MAX_INPUT_FILES + 1 of them."""
    if path.is_symlink() or not path.is_dir():
        return [path]
    entries = []
    with os.scandir(path) as it:
        for entry in it:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                continue  # sub-folders are not read (name them to import them)
            entries.append(Path(entry.path))
            if len(entries) > MAX_INPUT_FILES:
                problems.append(Problem(path.name, "folder", f"more than {MAX_INPUT_FILES} files"))
                break
    return sorted(entries)


def _regular_size(p: Path, problems: list[Problem]) -> int | None:
    """The size of a regular file from ``lstat``; None with a problem for links, devices, pipes, missing files."""
    try:
        st = p.lstat()
    except OSError:
        problems.append(Problem(p.name, "file", "missing"))
        return None
    if stat.S_ISLNK(st.st_mode):
        problems.append(Problem(p.name, "file", "is a symbolic link: not followed (copy the file itself)"))
    elif not stat.S_ISREG(st.st_mode):
        problems.append(Problem(p.name, "file", "is not a regular file (a device, pipe or socket): not read"))
    elif st.st_size > max_bytes(p.name):
        problems.append(Problem(p.name, "file", f"larger than {max_bytes(p.name) // 2**20} MiB"))
    else:
        return st.st_size
    return None


def _read_regular(p: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of a regular file, opened without following links and read up to the size limit only."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        problems.append(Problem(p.name, "file", f"cannot be opened: {exc.strerror or exc}"))
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between lstat and open
            problems.append(Problem(p.name, "file", "is not a regular file: not read"))
            return None
        data = fh.read(max_bytes(p.name) + 1)
    if len(data) > max_bytes(p.name):  # grew between lstat and read
        problems.append(Problem(p.name, "file", f"larger than {max_bytes(p.name) // 2**20} MiB"))
        return None
    return data


def mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def inputs_within_budget(inputs: list[InputFile], found: gc.Findings) -> bool:
    """The number of files and their bytes together, before any is parsed."""
    over = over_budget([(f.name, len(f.data)) for f in inputs])
    if len(inputs) > MAX_INPUT_FILES:
        found.error("inputs", "files", f"{len(inputs):,} files: more than the limit of {MAX_INPUT_FILES}")
    elif over:
        found.error("inputs", "files", over[0])
    else:
        return True
    return False


def over_budget(sizes: list[tuple[str, int]]) -> list[str]:
    """Why the inputs' bytes exceed their budgets (geometry files; CSV tables), if they do."""
    tables = sum(n for name, n in sizes if name.lower().endswith(".csv"))
    geometry = sum(n for _, n in sizes) - tables
    out = []
    if geometry > MAX_INPUT_BYTES:
        out.append(f"{mib(geometry)} in all: more than the limit of {mib(MAX_INPUT_BYTES)}")
    if tables > MAX_TABLE_INPUT_BYTES:
        out.append(f"{mib(tables)} of tables in all: more than the limit of {mib(MAX_TABLE_INPUT_BYTES)}")
    return out


def sniff(f: InputFile, found: gc.Findings) -> str | None:
    """The input's kind from its extension, confirmed by its first bytes; None with an error if they disagree."""
    head = f.data[:16]
    lead = f.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    magic = next((what for m, what in MAGIC.items() if head.startswith(m)), None)
    expect = {
        ".geojson": ("geojson", lead in (b"{", b"["), "JSON"),
        ".json": ("geojson", lead in (b"{", b"["), "JSON"),
        ".gpkg": ("gpkg", head.startswith(b"SQLite format 3\x00"), "GeoPackage (SQLite)"),
        ".kml": ("kml", lead == b"<", "KML (XML)"),
        ".kmz": ("kmz", head.startswith(b"PK\x03\x04"), "KMZ (zip)"),
        ".csv": ("csv", magic is None and b"\x00" not in f.data[:4096], "CSV text"),
    }.get(f.suffix)
    if len(f.data) > max_bytes(f.name):
        found.error(f.name, "file", f"larger than {max_bytes(f.name) // 2**20} MiB")
        return None
    if expect is None:
        found.error(
            f.name,
            "file",
            f"unsupported file type {f.suffix or '(none)'!r}: expected .geojson, .gpkg, .kml, .kmz or .csv",
        )
        return None
    kind, ok, what = expect
    if not ok:
        found.error(f.name, "file", f"content is {magic or 'something else'}, not {what} as its extension says")
        return None
    return kind
