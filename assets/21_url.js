/* URL state: date, compare, layers, view, mode — a link reproduces the view; back/forward work. */
(function () {
  "use strict";
  const E = window.raqqaEngine;
  const PUSH_GAP_MS = 1200;     // URL changes closer together than this replace the history entry

  function urlState() {
    const q = new URLSearchParams(window.location.search);
    const view = (q.get("view") || "").split(",").map(Number);
    return {
      day: q.has("date") ? E.dayOfIso(q.get("date")) : null,
      compare: q.has("compare") ? E.dayOfIso(q.get("compare")) : null,
      layers: q.has("layers") ? q.get("layers").split(",").filter(Boolean) : null,
      view: view.length === 3 && view.every(isFinite) ? view : null,
      briefing: q.get("mode") === "briefing",
    };
  }

  /* The names of the overlays shown, or null while they are still joining the layer control. */
  E.currentLayers = function () {
    if (!E.control || !E.map) { return null; }
    const overlays = E.control._layers.filter(function (l) { return l.overlay; });
    if (new Set(overlays.map(function (l) { return l.name; })).size < Object.keys(E.t.layers).length) {
      return null;  // the overlays are still joining the control: not known yet
    }
    const on = overlays.filter(function (l) { return E.map.hasLayer(l.layer); })
      .map(function (l) { return E.t.layers[l.name]; }).filter(Boolean);
    return Array.from(new Set(on));
  };

  E.writeUrl = function (push) {
    // nothing until the engine has restored this map's state from the URL (a new page starts with a new map)
    if (!E.t || E.day === null || E.applying || !E.started || !E.viewReady) { return; }
    const q = new URLSearchParams(window.location.search);
    q.set("date", E.isoOf(E.day));
    if (E.compare === null) { q.delete("compare"); } else { q.set("compare", E.isoOf(E.compare)); }
    const layers = E.currentLayers();
    if (layers && layers.slice().sort().join(",") !== E.t.default_layers.slice().sort().join(",")) { q.set("layers", layers.join(",")); }
    else if (layers) { q.delete("layers"); }
    if (E.map && E.viewReady) { const c = E.map.getCenter(); q.set("view", [c.lat.toFixed(4), c.lng.toFixed(4), E.map.getZoom().toFixed(2)].join(",")); }
    if (E.briefing) { q.set("mode", "briefing"); } else { q.delete("mode"); }
    const url = window.location.pathname + "?" + q.toString();
    if (url === window.location.pathname + window.location.search) { return; }
    const now = performance.now();
    if (push && !E.playing && now - E.lastPush > PUSH_GAP_MS) { history.pushState(null, "", url); E.lastPush = now; }
    else { history.replaceState(null, "", url); }
  };

  E.applyUrl = function () {
    E.applying = true;  // restoring a URL must not write one (a moveend would overwrite the history entry)
    try { restore(urlState()); } finally { E.applying = false; }
  };

  /* A ?date= that is not a date of the campaign is named in a visible message, and the address is corrected
     to the date shown instead. */
  function badDate() {
    const q = new URLSearchParams(window.location.search);
    if (!q.has("date") || window.raqqaState.parseDay(E.t, q.get("date")) !== null) { return null; }
    return q.get("date");
  }

  function restore(u) {
    const bad = badDate();
    if (bad !== null) { u.day = null; }
    E.applyLayers(u.layers || E.t.default_layers);
    if (u.view && E.map) { E.map.setView([u.view[0], u.view[1]], u.view[2], {animate: false}); }
    else if (E.map) { fitArea(); }  // an entry without a view (the first, before any move) had the default one
    E.viewReady = true;
    E.compare = u.compare;
    E.setProps("compare", {value: u.compare === null ? null : E.isoOf(u.compare)});
    E.setDay(u.day === null ? (E.pendingDay !== undefined ? E.pendingDay : 0) : u.day, {fromUrl: true, force: true});
    if (u.briefing !== E.briefing) { E.setBriefing(u.briefing, {fromUrl: true}); }
    if (bad !== null && E.dateProblem) {
      E.dateProblem("The address asked for date \u201c" + bad + "\u201d, which is not a date of the campaign (" +
        E.longDate(0) + " to " + E.longDate(E.t.span) + "); showing " + E.longDate(E.day) + ".");
      const q = new URLSearchParams(window.location.search);
      q.set("date", E.isoOf(E.day));
      history.replaceState(null, "", window.location.pathname + "?" + q.toString());
    }
  }

  /* Show the named overlays only: through each Overlay's "checked" prop (dash-leaflet adds or removes the
     layer on a change), and directly for the overlays a user toggled in the control since. */
  E.applyLayers = function (names) {
    Object.keys(E.t.layers).forEach(function (title) {
      const name = E.t.layers[title];
      const on = names.indexOf(name) >= 0;
      E.setProps("overlay-" + name, {checked: on});
      if (!E.control || !E.map) { return; }
      E.control._layers.forEach(function (l) {
        if (l.overlay && l.name === title && E.map.hasLayer(l.layer) !== on) {
          if (on) { E.map.addLayer(l.layer); } else { E.map.removeLayer(l.layer); }
        }
      });
    });
  };

  function fitArea() {
    const b = E.t.bounds;
    E.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
  }

  /* What the exports and saved briefings record of the current view. */
  E.view = function () {
    if (!E.t) { return {}; }
    const b = E.map ? E.map.getBounds() : null;
    const c = E.map ? E.map.getCenter() : null;
    const evs = E.t.events.onDay(E.day);
    return {
      date: E.isoOf(E.day),
      compare: E.compare === null ? null : E.isoOf(E.compare),
      bounds: b ? [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] : E.t.bounds,
      center: c ? [c.lat, c.lng] : null,
      zoom: E.map ? E.map.getZoom() : null,
      layers: E.currentLayers() || E.t.default_layers,
      caption: evs.length ? evs[0].title : null,
      theatre: E.t.theatre || null,
    };
  };

  window.addEventListener("popstate", function () { if (E.t) { E.applyUrl(); } });
})();
