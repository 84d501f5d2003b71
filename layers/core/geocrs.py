"""Coordinate reference systems of an import's inputs: which CRS a file uses, refused before PROJ sees it when it
names or reads a file, and the transformer to lon/lat WGS84."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from layers.core.geocheck import Findings

__all__ = [
    "FILE_READING_CRS",
    "READS_A_FILE",
    "WGS84_NAMES",
    "crs_text_problem",
    "crs_transformer",
    "legacy_crs_name",
    "reproject",
]

WGS84_NAMES = {"EPSG:4326", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:EPSG::4326"}

# PROJ parameters and WKT keywords that make PROJ open a file (init files, grids, TIN and deformation models)
FILE_READING_CRS = re.compile(
    r"(?i)(?<![a-z_])(?:init|nadgrids|geoidgrids|grids|xy_grids|z_grids|file|model|catalog)\s*="
    r"|PARAMETERFILE\s*\[|PROJ4_GRIDS"
)
READS_A_FILE = "uses a PROJ parameter that reads a file (+init, grids, models): give an authority code (EPSG:32637)"
FILE_PATH = re.compile(r"(?i)^(?:[/\\~]|\.\.?[/\\]|file:|[a-z]:[/\\])")


def crs_text_problem(text: str) -> str | None:
    """Why a CRS string must not reach PROJ (it names a file, or reads one), or None.

    Checked before PROJ parses anything: ``+init=/etc/passwd`` or a grid given by path makes PROJ open that file.
    """
    t = text.strip()
    if "\x00" in t or FILE_PATH.match(t) or ("/" in t and not re.search(r"[\[=]|://", t)):
        return "is a file path, not a CRS: give an authority code such as EPSG:32637"
    if FILE_READING_CRS.search(t):
        return READS_A_FILE
    return None


def crs_transformer(file: str, name: str, found: Findings, item: str = "crs") -> Transformer | None | bool:
    """Transformer from the named CRS to lon/lat WGS84; None if already lon/lat; False (with an error) if unknown
    or if it names or reads a file (refused before PROJ sees it)."""
    if name.strip().upper() in WGS84_NAMES:
        return None
    why = crs_text_problem(name)
    if why:
        found.error(file, item, f"CRS {name[:80]!r} {why}")
        return False
    try:
        crs = CRS.from_user_input(name)
        if crs.is_geographic and crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            return None
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except (CRSError, ProjError):
        found.error(file, item, f"unknown CRS {name[:80]!r}: reproject to lon/lat WGS84 (EPSG:4326) before importing")
        return False


def legacy_crs_name(member: Any) -> str | None:
    """The CRS named by a legacy GeoJSON ``crs`` member (``{"type": "name", "properties": {"name": ...}}``)."""
    if isinstance(member, dict) and isinstance(member.get("properties"), dict):
        name = member["properties"].get("name")
        return name if isinstance(name, str) else None
    return None


def reproject(geom: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    """The geometry with every position passed through ``transformer`` (x, y order)."""
    return shapely.transform(geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
