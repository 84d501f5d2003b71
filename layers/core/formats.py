"""Every file format the app reads or writes, in one table: its suffixes, media type, what it is read as (an
import's config, snapshots or events) and, for exports, how the page and the command line name it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    kind: str
    suffixes: tuple[str, ...]
    media_type: str
    reads: str = ""  # what an import reads it as ("config", "snapshots", "events"); "" if never read
    label: str = ""  # export button; "" if never written
    hint: str = ""  # export button's tooltip
    words: str = ""  # "Saved <words> …"
    help: str = ""  # ``python -m layers export <kind>``


FORMATS = (
    Format("png", (".png",), "image/png", label="Image of this view (PNG)",
           hint="The map as you see it, with title, date, legend and sources, 1920×1080", words="image",
           help="the map at a date, with title, legend, caption and sources"),
    Format("gif", (".gif",), "image/gif", label="Animation (GIF)",
           hint="The whole campaign, one frame per change of the map", words="animation",
           help="the whole campaign as an animated GIF"),
    Format("mp4", (".mp4",), "video/mp4", label="Video (MP4)",
           hint="The whole campaign, one frame per change of the map", words="video",
           help="the whole campaign as an MP4 video"),
    Format("geojson", (".geojson", ".json"), "application/geo+json", reads="snapshots", label="Ground held (GeoJSON)",
           hint="Polygons per holder at this date, with areas, ledger rows and sources", words="GeoJSON",
           help="control polygons at a date (RFC 7946)"),
    Format("gpkg", (".gpkg",), "application/geopackage+sqlite3", reads="snapshots"),
    Format("kml", (".kml",), "application/vnd.google-earth.kml+xml", reads="snapshots"),
    Format("kmz", (".kmz",), "application/vnd.google-earth.kmz", reads="snapshots"),
    Format("csv", (".csv",), "text/csv", reads="events", label="Places table (CSV)",
           hint="Every place with its holder at this date, since when, the ledger row and source",
           words="places table", help="places with their holder at a date"),
    Format("toml", (".toml",), "application/toml", reads="config"),
)  # fmt: skip
BY_KIND = {f.kind: f for f in FORMATS}
EXPORTS = tuple(f for f in FORMATS if f.label)  # in the order of the export buttons
# an upload: the config (.toml, or .json with factions) and the snapshot and event files
IMPORT_SUFFIXES = (".toml", ".json", *(s for f in FORMATS if f.reads in ("snapshots", "events") for s in f.suffixes
                                        if s != ".json"))  # fmt: skip
