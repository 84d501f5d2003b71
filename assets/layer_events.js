/* Events: large on their own date, small for the days after (tables.recent_days), hidden otherwise.
   With tables.marker_cap 0 every event is a marker of the layer's GeoJSON, hidden outside its window; else
   (many events, layers/events.py) the GeoJSON is empty and only the window's markers are drawn, from the
   events' records, at most marker_cap of them (the day's first, then the most recent), with a note of how
   many were left out. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)

  /* Indices of the event markers to look at for ``day``: all after a (re)registration or a highlight change
     (E.eventsDay null), else those dated within recent_days before the previous or the new day. */
  function eventsToUpdate(v) {
    const e = E(), reg = v.reg.events, recent = v.t.recent_days, bisect = window.raqqaState.bisect;
    let n = 0;
    for (let i = 0; i < reg.length; i++) { if (reg[i]) { n++; } }
    if (!e.evIndex || e.evIndex.length !== n) {
      e.evIndex = [];
      reg.forEach(function (layer, i) { if (layer) { e.evIndex.push([layer.feature.properties.day, i]); } });
      e.evIndex.sort(function (a, b) { return a[0] - b[0]; });
      e.eventsDay = null;
    }
    if (e.eventsDay === null || e.eventsDay === undefined || v.shown.events.length === 0) {
      return e.evIndex.map(function (p) { return p[1]; });
    }
    const out = [];
    [e.eventsDay, v.day].forEach(function (d) {
      const k0 = bisect(e.evIndex, d - recent, function (p) { return p[0]; }, false);
      const k1 = bisect(e.evIndex, d, function (p) { return p[0]; }, true);
      for (let k = k0; k < k1; k++) { out.push(e.evIndex[k][1]); }
    });
    return out;
  }

  const PANE = "pane-events";  // the layer's pane (layers/features/map_view.py): above the ground and the places

  function marker(latlng) {
    return L.circleMarker(latlng, {pane: PANE, radius: 7, color: C("event"), weight: 2, fillColor: C("panel"), fillOpacity: 0.4, className: "event-marker"});
  }

  /* Tooltip and click of one event's marker; ``p``: {id, title, date, place, kind, confidence}. */
  function bindEvent(layer, p) {
    layer.bindTooltip(function () {
      return window.raqqaUtil.tip([["b", p.title], ["span", p.date + " · " + p.place], ["div", p.kind + ", " + p.confidence + " confidence", "muted"]]);
    });
    layer.on("click", function () { E().goToEvent(p.id, {noFly: true}); });
  }

  // ------------------------------------------------------------------------------------------------------
  // many events: the window's markers only

  const W = {group: null, drawn: new Map(), t: null, note: null};

  /* The layer's (empty) GeoJSON group, in its pane: the markers drawn go in it, so the layer menu shows and
     hides them with the layer. */
  function group() {
    if (W.group) { return W.group; }
    E().map.eachLayer(function (l) { if (!W.group && l instanceof L.GeoJSON && l.options.pane === PANE) { W.group = l; } });
    return W.group;
  }

  function windowed(v) {
    const t = v.t, g = group(), bisect = window.raqqaState.bisect;
    if (!g) { return; }
    if (W.t !== t) {  // other tables: none of the markers drawn are theirs
      W.t = t;
      W.drawn.forEach(function (m) { g.removeLayer(m); });
      W.drawn = new Map();
      W.byDay = t.events.byDay;
      W.days = t.events.days;
    }
    const day = v.day, k0 = bisect(W.days, day - t.recent_days, null, false), k1 = bisect(W.days, day, null, true);
    const want = new Map();
    let inWindow = 0;
    for (let k = k1 - 1; k >= k0; k--) {  // the day's first, then back in time
      const i = W.byDay[k];
      if (t.events[i].lat === null) { continue; }
      inWindow++;
      if (want.size < t.marker_cap) { want.set(i, W.days[k] === day ? 2 : 1); }
    }
    W.drawn.forEach(function (m, i) { if (!want.has(i)) { g.removeLayer(m); W.drawn.delete(i); } });
    const highlight = E().highlightEvent;
    want.forEach(function (key, i) {
      let m = W.drawn.get(i);
      const e = t.events[i];
      if (!m) {
        m = marker([e.lat, e.lon]);
        bindEvent(m, {id: e.id, title: e.title, date: e.date, place: e.place, kind: e.kind, confidence: e.confidence});
        m.key = 0;
        m.on("add", function () { m.hl = undefined; });  // a new element (the layer shown again): mark it afresh
        W.drawn.set(i, m);
        g.addLayer(m);
      }
      if (m.key !== key) { m.setStyle({weight: key === 2 ? 3 : 2, fillOpacity: key === 2 ? 0.9 : 0.4}); m.setRadius(key === 2 ? 11 : 7); m.key = key; }
      const hl = highlight === e.id, el = m.hl !== hl && m.getElement && m.getElement();
      if (el) { el.classList.toggle("event-highlight", hl); m.hl = hl; }
    });
    note(inWindow - want.size, t.recent_days);
  }

  /* How many of the window's events are not drawn, in a corner of the map (none: no note). */
  function note(left, days) {
    const map = E().map;
    if (!W.note || W.noteMap !== map) {
      const Note = L.Control.extend({onAdd: function () { const box = L.DomUtil.create("div", "events-cap"); box.hidden = true; return box; }});
      W.note = new Note({position: "bottomright"});  // above the scale and the attribution, which spans a phone's width
      W.note.addTo(map);
      W.noteMap = map;
    }
    const text = left > 0 ? left.toLocaleString("en") + " more events of the last " + days + " days are not drawn" : "";
    const box = W.note.getContainer();
    if (box.textContent !== text) { box.textContent = text; box.hidden = !text; }
  }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    events: {
      kinds: {events: function (t) {
        if (t.marker_cap) { return 0; }  // drawn by the window, none registered
        if (t.nLocatedEvents === undefined) { t.nLocatedEvents = t.events.filter(function (e) { return e.lat !== null; }).length; }
        return t.nLocatedEvents;
      }},
      point: function (feature, latlng) { return marker(latlng); },
      bind: function (feature, layer) {
        E().register("events", feature.properties.i, layer);
        bindEvent(layer, feature.properties);
      },
      reset: function () { W.group = null; W.drawn = new Map(); W.t = null; },
      restyle: function (v) {
        if (v.t.marker_cap) { windowed(v); return; }
        const day = v.day, highlight = E().highlightEvent;
        eventsToUpdate(v).forEach(function (i) {
          const layer = v.reg.events[i];
          if (!layer) { return; }
          const ed = layer.feature.properties.day;
          const key = ed === day ? 2 : (ed < day && day - ed <= v.t.recent_days ? 1 : 0);
          if (v.shown.events[i] !== key) {
            const el = layer.getElement && layer.getElement();
            if (el) { el.style.display = key > 0 ? "" : "none"; }
            if (key > 0) { layer.setStyle({weight: key === 2 ? 3 : 2, fillOpacity: key === 2 ? 0.9 : 0.4}); layer.setRadius(key === 2 ? 11 : 7); }
            v.shown.events[i] = key;
          }
          const el = layer.getElement && layer.getElement();
          if (el) { el.classList.toggle("event-highlight", highlight === layer.feature.properties.id && key > 0); }
        });
        E().eventsDay = day;
      },
    },
  });
})();
