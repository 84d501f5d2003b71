/* Framing: the map stays inside the theatre's area (maxBounds, and a minimum zoom at which the view fits in
   it), an event's place is named and ringed, briefing mode opens a city event at the city's zoom and a regional
   one at the region, with the caption, legend and buttons docked on the side away from the place, and an event
   beyond the area is shown as a marker at the map's edge with its direction and distance (no flight into it).

   The city's extent and zoom come from the tables (``city``: the city view's outline box and min_zoom,
   declared once in geodata/city/); an event's
   ``outside`` (distance, bearing) is computed once on the server (layers/core/framing.py). */
(function () {
  "use strict";
  const E = window.raqqaEngine;
  const REGION_ZOOM = 10;       // a regional event: about 120 km across a 1920 px screen
  const GAP = 16;               // px kept between the docked panels and the event's place
  const RING = {normal: 16, briefing: 26};  // the ring's radius around the event's place, px

  // ------------------------------------------------------------------------------------------------------
  // bounds: the view never leaves the area of interest

  E.maxBounds = function () {
    const b = E.t.bounds;
    return L.latLngBounds([[b[1], b[0]], [b[3], b[2]]]);
  };

  /* Keep the map inside the area: maxBounds (viscosity 1) and the lowest zoom at which the view fits in it. */
  E.bound = function () {
    if (!E.map || !E.t || !window.L) { return; }
    const mb = E.maxBounds();
    E.map.options.maxBoundsViscosity = 1;
    E.map.setMaxBounds(mb);
    const z = E.map.getBoundsZoom(mb, true);
    // zoom in first, without animation: setMinZoom would start an animated zoom that ends after later moves
    if (E.map.getZoom() < z) { E.map.setView(E.map.getCenter(), z, {animate: false}); }
    if (E.map.getMinZoom() !== z) { E.map.setMinZoom(z); }
    E.map.panInsideBounds(mb, {animate: false});
  };

  /* A centre moved so that the view at ``zoom`` stays inside the area. */
  function limited(center, zoom) {
    const map = E.map, mb = E.maxBounds().pad(-0.0005);  // a hair inside: Leaflet tolerates a pixel over
    if (map._limitCenter) { return map._limitCenter(L.latLng(center), zoom, mb); }
    return L.latLng(center);
  }
  E.limited = limited;

  // ------------------------------------------------------------------------------------------------------
  // which events are city events

  E.isCityEvent = function (ev) {
    const c = E.t && E.t.city;
    if (!ev || ev.lat === null || !c || !c.bounds) { return false; }
    const b = c.bounds;
    return ev.lon >= b[0] && ev.lon <= b[2] && ev.lat >= b[1] && ev.lat <= b[3];
  };

  /* The event the map should show for a day: the highlighted one if it is on the day, else the day's first
     event with a place inside the area, else the first with a place beyond it. */
  E.focusEvent = function (day) {
    const evs = E.t.events.onDay(day).filter(function (e) { return e.lat !== null; });
    const hl = evs.find(function (e) { return e.id === E.highlightEvent; });
    return hl || evs.find(function (e) { return !e.outside; }) || evs[0] || null;
  };

  // ------------------------------------------------------------------------------------------------------
  // the docked panels (briefing): buttons, legend and caption in one column on the side away from the place

  function panelEls() {
    return [".briefing-hud", ".map-legend", ".briefing-caption"].map(function (s) { return document.querySelector(s); })
      .filter(function (el) { return el && el.offsetParent !== null; });
  }

  /* Put the column on ``side`` ("left" or "right"), stack its parts, and return its width in px. */
  function dock(side) {
    document.body.classList.toggle("dock-right", side === "right");
    document.body.classList.toggle("dock-left", side !== "right");
    E.dockSide = side;
    const hud = document.querySelector(".briefing-hud"), legend = document.querySelector(".map-legend");
    const panel = E.map.getContainer().getBoundingClientRect();
    if (hud && legend) {
      legend.classList.remove("compact");
      legend.style.top = (hud.getBoundingClientRect().bottom - panel.top + 10) + "px";
      const cap = document.querySelector(".briefing-caption");
      if (cap && legend.getBoundingClientRect().bottom > cap.getBoundingClientRect().top - 10) { legend.classList.add("compact"); }
    }
    let w = 0;
    panelEls().forEach(function (el) {
      const r = el.getBoundingClientRect();
      w = Math.max(w, side === "right" ? panel.right - r.left : r.right - panel.left);
    });
    return w + GAP;
  }
  E.dock = dock;

  /* Where a place would be on screen (px from the map's top-left) with the map at centre/zoom. */
  function screenPoint(latlng, center, zoom) {
    const size = E.map.getSize();
    return E.map.project(latlng, zoom).subtract(E.map.project(center, zoom)).add(size.divideBy(2));
  }

  /* The view (centre, zoom) that puts ``latlng`` in the middle of the part of the map the column leaves free,
     with the column docked on the side that does not cover it. */
  function viewFor(latlng, zoom, prefer) {
    const size = E.map.getSize();
    const sides = prefer === "right" ? ["right", "left"] : ["left", "right"];
    let best = null;
    sides.some(function (side) {
      const w = dock(side);
      const freeX = side === "right" ? (size.x - w) / 2 : w + (size.x - w) / 2;
      const offset = L.point(size.x / 2 - freeX, 0);
      const c = limited(E.map.unproject(E.map.project(latlng, zoom).add(offset), zoom), zoom);
      const p = screenPoint(latlng, c, zoom);
      const clear = side === "right" ? p.x < size.x - w : p.x > w;
      best = {center: c, zoom: zoom, side: side, clear: clear};
      return clear;
    });
    if (!best.clear) { dock(best.side); }
    return best;
  }

  /* Dock the column where it does not cover a place, without moving the map (a saved view keeps its own). */
  function dockAway(latlng, center, zoom) {
    const size = E.map.getSize();
    const p = latlng ? screenPoint(latlng, center, zoom) : null;
    const w = dock("left");
    if (p && p.x <= w && p.x >= 0) { dock("right"); }
  }

  // ------------------------------------------------------------------------------------------------------
  // framing a briefing step

  function flyTo(center, zoom) {
    E.framing = E.stepIndex + ":" + E.day;
    delete document.body.dataset.framed;
    const done = function () {
      window.requestAnimationFrame(function () { document.body.dataset.framed = E.framing; placeOffmap(); });
    };
    const c = E.map.getCenter();
    if (Math.abs(c.lat - center.lat) < 1e-9 && Math.abs(c.lng - center.lng) < 1e-9 && E.map.getZoom() === zoom) { done(); return; }
    E.map.once("moveend", done);
    E.map.flyTo(center, zoom, {duration: 0.6});
  }

  /* Frame the step ``st`` of a briefing, whose day is already drawn (so the caption is final). */
  E.frameStep = function (st) {
    if (!E.map || !st) { return; }
    const ev = E.focusEvent(st.day);
    E.offmapEvent = ev && ev.outside ? ev : null;
    if (st.center) {  // a saved view: its own centre and zoom, inside the area
      const z = Math.max(E.map.getMinZoom(), st.zoom || E.map.getZoom());
      const c = limited(L.latLng(st.center[0], st.center[1]), z);
      dockAway(ev && !ev.outside ? L.latLng(ev.lat, ev.lon) : null, c, z);
      flyTo(c, z);
      return;
    }
    if (!ev || ev.outside) {  // no place, or one beyond the area: the area as wide as it goes, toward the place
      const z = E.map.getMinZoom();
      let c = E.maxBounds().getCenter();
      if (ev) {
        const a = ev.outside.bearing * Math.PI / 180, b = E.t.city && E.t.city.bounds;
        const from = b ? L.latLng((b[1] + b[3]) / 2, (b[0] + b[2]) / 2) : c;
        const m = E.maxBounds(), dx = Math.sin(a), dy = Math.cos(a);  // to the area's edge on the place's side
        const k = Math.min(dx ? ((dx > 0 ? m.getEast() : m.getWest()) - from.lng) / dx : Infinity,
          dy ? ((dy > 0 ? m.getNorth() : m.getSouth()) - from.lat) / dy : Infinity);
        c = L.latLng(from.lat + k * dy, from.lng + k * dx);
        dock(ev.outside.bearing > 0 && ev.outside.bearing < 180 ? "left" : "right");
      } else {
        dock(E.dockSide || "left");
      }
      flyTo(limited(c, z), z);
      return;
    }
    const zoom = Math.max(E.map.getMinZoom(), E.isCityEvent(ev) ? E.t.city.min_zoom : REGION_ZOOM);
    const v = viewFor(L.latLng(ev.lat, ev.lon), zoom, E.dockSide);
    flyTo(v.center, v.zoom);
  };

  // ------------------------------------------------------------------------------------------------------
  // the event's place: ringed and named (both modes), in a pane above the ground and the labels

  function focusPane() {
    if (!E.map.getPane("event-focus")) {
      const pane = E.map.createPane("event-focus");
      pane.style.zIndex = 645;
      pane.style.pointerEvents = "none";
    }
    return "event-focus";
  }

  E.markPlace = function () {
    if (!E.map || !E.t) { return; }
    const ev = E.day === null ? null : E.focusEvent(E.day);
    const show = ev && !ev.outside && (E.briefing || ev.id === E.highlightEvent);
    if (E.focusMarks) { E.focusMarks.forEach(function (m) { m.remove(); }); E.focusMarks = null; }
    if (!show) { return; }
    const ll = L.latLng(ev.lat, ev.lon), pane = focusPane();
    const r = E.briefing ? RING.briefing : RING.normal;
    const halo = L.circleMarker(ll, {pane: pane, radius: r, color: window.raqqaUtil.color("panel"), weight: 9, opacity: 0.9, fill: false, interactive: false, className: "focus-halo"});
    const ring = L.circleMarker(ll, {pane: pane, radius: r, color: window.raqqaUtil.color("event"), weight: 4.5, fill: false, interactive: false, className: "focus-ring"});
    const name = document.createElement("span");
    name.textContent = ev.place;  // text, never HTML
    const label = L.tooltip({permanent: true, direction: "right", offset: [r + 4, 0], className: "event-place-label", pane: "tooltipPane", interactive: false})
      .setLatLng(ll).setContent(name);
    E.focusMarks = [halo.addTo(E.map), ring.addTo(E.map), label.addTo(E.map)];
  };

  // ------------------------------------------------------------------------------------------------------
  // an event beyond the area: a marker at the map's edge, pointing to it, with its distance and direction

  function offmapEl() {
    let el = document.querySelector(".offmap");
    if (!el) {
      el = document.createElement("div");
      el.className = "offmap";
      el.setAttribute("role", "note");
      const arrow = document.createElement("span");
      arrow.className = "offmap-arrow";
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = "➜";
      const name = document.createElement("b");
      name.className = "offmap-name";
      const dist = document.createElement("span");
      dist.className = "offmap-distance";
      el.append(arrow, name, dist);
      E.map.getContainer().closest(".map-panel").appendChild(el);
    }
    return el;
  }

  function placeOffmap() {
    if (!E.map || !E.t) { return; }
    const ev = E.offmapEvent;
    const el = document.querySelector(".offmap");
    if (!ev || ev.day !== E.day) { if (el) { el.classList.remove("on"); } return; }
    const box = offmapEl();
    box.querySelector(".offmap-name").textContent = ev.place;
    box.querySelector(".offmap-distance").textContent = ev.outside.km.toLocaleString("en") + " km " + ev.outside.direction + " of " + ev.outside.from;
    box.querySelector(".offmap-arrow").style.transform = "rotate(" + (ev.outside.bearing - 90) + "deg)";
    box.setAttribute("aria-label", ev.title + ": " + ev.place + ", " + box.querySelector(".offmap-distance").textContent + ", beyond the map");
    box.classList.add("on");
    // on the edge of the free part of the map, in the event's direction from its middle
    const size = E.map.getSize(), bw = box.offsetWidth, bh = box.offsetHeight;
    const w = E.briefing && E.dockSide ? dock(E.dockSide) : 0;
    const x0 = E.briefing && E.dockSide === "left" ? w : 0, x1 = E.briefing && E.dockSide === "right" ? size.x - w : size.x;
    const cx = (x0 + x1) / 2, cy = size.y / 2;
    const a = ev.outside.bearing * Math.PI / 180, dx = Math.sin(a), dy = -Math.cos(a);
    const hx = (x1 - x0) / 2 - bw / 2 - GAP, hy = size.y / 2 - bh / 2 - GAP;
    const k = Math.min(dx ? hx / Math.abs(dx) : Infinity, dy ? hy / Math.abs(dy) : Infinity);
    box.style.left = Math.round(cx + dx * k - bw / 2) + "px";
    box.style.top = Math.round(cy + dy * k - bh / 2) + "px";
  }
  E.placeOffmap = placeOffmap;

  /* After a day is drawn: the place's ring and name, and the edge marker of an event beyond the area. */
  E.afterRender = function () {
    if (!E.map) { return; }
    if (!E.briefing && E.offmapEvent && E.offmapEvent.day !== E.day) { E.offmapEvent = null; }
    E.markPlace();
    placeOffmap();
  };

  function hook() {
    if (!window.L || hook.done) { return; }
    hook.done = true;
    L.Map.addInitHook(function () {
      if (!this.getContainer().closest || !this.getContainer().closest(".map-panel")) { return; }
      E.focusMarks = null;
      this.on("resize", function () {
        if (!E.t) { return; }
        E.bound();
        if (E.briefing && E.frameStep && E.currentStep) { E.frameStep(E.currentStep()); } else { placeOffmap(); }
      });
    });
  }
  hook();
  document.addEventListener("DOMContentLoaded", hook);
})();
