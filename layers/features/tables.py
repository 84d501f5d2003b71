"""The tables the page hands the date engine (the ``timeline`` Store), and their one declared schema.

``SCHEMA`` is the contract between Python and the browser: every key with its JSON type and meaning.
:func:`client_tables` checks what it builds against it before it leaves, and carries it along so the engine
(``assets/20_engine.js``) checks the tables against it when they arrive; a key missing, extra or of another
type fails on either side.
"""

from __future__ import annotations

import datetime as dt
import weakref

from layers import LAYERS, events
from layers.core import framing
from layers.core.dataset import is_http_url
from layers.core.timeline import RECENT_DAYS
from layers.features import city, compare, feed, map_view, timeline, trend
from layers.features.common import DATE_ID, FIGURES_ID, FRONT_ID, PLACE_ID, SETTLED_ID, TABS_ID, host
from layers.server.context import Context

# timeline tables that go to the map layers, not to the engine
GEOMETRY = ("cells", "edges", "overrides", "city_cells", "city_points", "city_outline")
SCHEMA = {
    # from layers/core/timeline.py
    "start": ("string", "day 0, YYYY-MM-DD"),
    "end": ("string", "the last day, YYYY-MM-DD"),
    "span": ("number", "days from start to end"),
    "holders": ("array", "faction ids, then no-reporting; rows and states refer to holders by index"),
    "colors": ("object", "faction id: colour"),
    "labels": ("object", "holder id: label"),
    "places": ("array", "{id, name, lon, lat, confidence, coord_source, coord_source_url} per place with rows"),
    "regions": ("array", "{id, name, basis} per region of sourced regional ground; indices follow the places'"),
    "rows": ("array", "the ledger: {id, day, date, place, holder, confidence, precision, source, source_title}"),
    "place_rows": ("array", "per place, its row indices by date"),
    "cell_places": ("array", "per cell, the places it is the cell of"),
    "cell_km2": ("array", "per cell, its area"),
    "uncovered_km2": ("number", "area farther from every place than the cap"),
    "edge_list": ("array", "[cell a, cell b, km] per edge between neighbouring cells"),
    "exact": ("array", "days with authored overrides: their exact areas and fronts"),
    "city": (
        "object",
        "the city view ({} if none): min_zoom (the map zoom it shows from; briefing's city zoom), bounds (the "
        "outline's box [w, s, e, n]: an event placed in it is a city event), name, estimated, basis, places "
        "{id, name, kind, lon, lat, confidence, cell}, rows, place_rows, alternatives (shown, never coloured), "
        "cell_places, cell_km2, uncovered_km2, outline_km2, edge_list, exact: state_on() runs on it as on the region",
    ),
    # added by the page
    "n_overrides": ("number", "authored override polygons"),
    "recent_days": ("number", "days an event stays on the map after its date"),
    "theatre": ("string", "the open theatre's slug, '' for the bundled one"),
    "title": ("string", "the theatre's short name"),
    "events": (
        "object",
        "the events in feed order, as columns (EVENT_COLUMNS: one array each, one entry per event) and their"
        " vocabularies: places [{name, lat, lon, outside}] (outside: {km, bearing, direction, from} for a place"
        " beyond the area of interest, layers/core/framing.py, else null), kinds, confidences, urls [[url, host"
        " ('' unless http(s))]]; the engine reads them as records (assets/25_feed.js)",
    ),
    "event_columns": ("array", "the names of the events' columns (EVENT_COLUMNS), checked on both sides"),
    "marker_cap": ("number", "0: every event is a marker of the events layer; else the most markers drawn at once"),
    "layers": ("object", "layer-menu title: name, per date-dependent layer"),
    "layer_names": ("array", "the date-dependent layers in draw order (the engine's plug-ins)"),
    "default_layers": ("array", "the layers shown when the page opens"),
    "ids": ("object", "the page ids the engine uses, by its names for them"),
    "bounds": ("array", "the area of interest, [west, south, east, north]"),
    "schema": ("object", "this schema: key: JSON type"),
}
# the events' columns, one entry per event (feed order), and the vocabularies the columns index
EVENT_COLUMNS = (
    "id",
    "day",
    "title",
    "kind",
    "place",
    "confidence",
    "differs",
    "claim",
    "claim_date",
    "corroborated",
    "sources",
)
EVENT_VOCABULARIES = ("kinds", "places", "confidences", "urls")
JSON_TYPES = {"string": str, "number": (int, float), "array": list, "object": dict, "boolean": bool}


def check(tables: dict) -> None:
    """Raise ValueError naming every key of ``tables`` that is missing, undeclared or of another type, and
    every events' column that is missing, undeclared or of another length."""
    problems = [f"{k}: missing" for k in SCHEMA if k not in tables]
    problems += [f"{k}: not in the schema" for k in tables if k not in SCHEMA]
    problems += [
        f"{k}: {type(v).__name__}, not {SCHEMA[k][0]}"
        for k, v in tables.items()
        if k in SCHEMA and (isinstance(v, bool) or not isinstance(v, JSON_TYPES[SCHEMA[k][0]]))
    ]
    if not problems:
        problems = event_problems(tables["events"], tables["event_columns"])
    if problems:
        raise ValueError("timeline tables do not match their schema: " + "; ".join(problems))


def event_problems(events: dict, columns: list) -> list[str]:
    """What is wrong with the events' columns: one missing or not an array, one undeclared, lengths differing."""
    if columns != list(EVENT_COLUMNS):
        return [f"event_columns: {columns!r}, not {list(EVENT_COLUMNS)}"]
    declared = (*EVENT_COLUMNS, *EVENT_VOCABULARIES)
    out = [f"events.{k}: missing or not an array" for k in declared if not isinstance(events.get(k), list)]
    out += [f"events.{k}: not declared" for k in events if k not in declared]
    lengths = {len(events[k]) for k in EVENT_COLUMNS if isinstance(events.get(k), list)}
    if len(lengths) > 1:
        out.append(f"events: columns of different lengths {sorted(lengths)}")
    return out


def event_records(tables: dict) -> list[dict]:
    """The events of ``tables`` as one dict per event, as the engine reads them (``assets/25_feed.js``)."""
    ev = tables["events"]
    out = []
    for i in range(len(ev["id"])):
        place = ev["places"][ev["place"][i]]
        urls = [ev["urls"][j] for j in ev["sources"][i]]
        out.append(
            {
                "id": ev["id"][i],
                "day": ev["day"][i],
                "date": (dt.date.fromisoformat(tables["start"]) + dt.timedelta(days=ev["day"][i])).isoformat(),
                "title": ev["title"][i],
                "kind": ev["kinds"][ev["kind"][i]],
                "place": place["name"],
                "lat": place["lat"],
                "lon": place["lon"],
                "outside": place["outside"],
                "confidence": ev["confidences"][ev["confidence"][i]],
                "differs": bool(ev["differs"][i]),
                "claim": ev["claim"][i],
                "claim_date": ev["claim_date"][i],
                "corroborated": ev["corroborated"][i],
                "sources": [h for _, h in urls if h],
                "urls": [u for u, _ in urls],
            }
        )
    return out


def client_tables(ctx: Context, slug: str) -> dict:
    """The timeline tables less the geometry (that goes to the map layers), plus what the engine shows."""
    t = ctx.tables
    out = {k: v for k, v in t.items() if k not in GEOMETRY}
    out["n_overrides"] = len(t["overrides"]["features"])
    out["recent_days"] = RECENT_DAYS
    out["theatre"] = slug
    out["title"] = ctx.dataset.theatre.get("short_name") or ctx.dataset.theatre["name"]
    out["events"] = event_columns(ctx)
    out["event_columns"] = list(EVENT_COLUMNS)
    out["marker_cap"] = events.marker_cap(ctx)
    dynamic = [m for m in LAYERS if m.DYNAMIC]
    out["layers"] = {m.TITLE: m.NAME for m in dynamic}  # the layer menu's names
    out["layer_names"] = [m.NAME for m in dynamic]  # the engine's layer plug-ins, in draw order
    out["default_layers"] = [m.NAME for m in dynamic if m.DEFAULT_ON]
    out["ids"] = engine_ids()
    w, s, e, n = ctx.dataset.aoi.bounds
    out["bounds"] = [w, s, e, n]
    out["schema"] = {k: kind for k, (kind, _) in SCHEMA.items()}
    check(out)
    return out


def engine_ids() -> dict[str, str]:
    """The ids of what the date engine reads or writes, by the names it uses (``E.id(name)`` fails on others)."""
    return {
        "date": DATE_ID,
        "figures": FIGURES_ID,
        "front": FRONT_ID,
        "slider": timeline.SLIDER_ID,
        "compare": compare.COMPARE_ID,
        "changed": compare.CHANGED_KM2_ID,
        "settled": SETTLED_ID,
        "tabs": TABS_ID,
        "place": PLACE_ID,
        "feed": feed.FEED_ID,
        "caption": map_view.CAPTION_ID,
        "chart": trend.CHART_ID,
        "cityFigures": city.CITY_FIGURES_ID,
        **{map_view.overlay_id(m.NAME): map_view.overlay_id(m.NAME) for m in LAYERS if m.DYNAMIC},
    }


def event_columns(ctx: Context) -> dict:
    """The events as columns (``EVENT_COLUMNS``) with their vocabularies (``EVENT_VOCABULARIES``): a few bytes
    per event, so that 200,000 of them fit in the tables (the feed and the markers are drawn from these).
    Built once per theatre's context (a dataset does not change under its context)."""
    held = _COLUMNS.get(id(ctx))
    if held is None or held[0]() is not ctx:
        held = _COLUMNS[id(ctx)] = (weakref.ref(ctx), _event_columns(ctx))
        weakref.finalize(ctx, _COLUMNS.pop, id(ctx), None)  # a context dropped takes its columns along
    return held[1]


_COLUMNS: dict[int, tuple] = {}  # id(context): (a weak reference to it, its events' columns)


def _event_columns(ctx: Context) -> dict:
    cols: dict[str, list] = {k: [] for k in (*EVENT_COLUMNS, *EVENT_VOCABULARIES)}
    index: dict[str, dict] = {k: {} for k in EVENT_VOCABULARIES}

    def ref(vocab: str, key, make) -> int:
        at = index[vocab].get(key)
        if at is None:
            at = index[vocab][key] = len(cols[vocab])
            cols[vocab].append(make(key))
        return at

    places = ctx.dataset.places

    def where(pid: str) -> dict:
        p = places.get(pid)
        lon, lat = (p.lon, p.lat) if p else (None, None)
        outside = framing.outside(ctx.dataset.city, ctx.dataset.aoi, lon, lat)
        return {"name": p.name if p else "", "lat": lat, "lon": lon, "outside": outside}

    def url(u: str) -> list[str]:
        return [u, host(u) if is_http_url(u) else ""]

    for e in ctx.dataset.events:
        differs = e.agreement in ("disagree", "partial")
        cols["id"].append(e.event_id)
        cols["day"].append(ctx.day_of(e.date))
        cols["title"].append(e.title)
        cols["kind"].append(ref("kinds", e.kind, str))
        cols["place"].append(ref("places", e.place_id if e.place_id in places else "", where))
        cols["confidence"].append(ref("confidences", e.confidence, str))
        cols["differs"].append(1 if differs else 0)
        cols["claim"].append(e.article_claim if differs else "")
        cols["claim_date"].append(e.article_date if differs else "")
        cols["corroborated"].append(e.corroborated if differs else "")
        cols["sources"].append([ref("urls", u, url) for u in e.source_urls])
    return cols
