/* The date engine: everything that changes with the date happens here, in the browser, from the tables in
   the "timeline" Store (layers/core/timeline.py). A day costs one binary search per place, a sum over the
   cells and edges, and a restyle of the features whose holder changed: no request, no React render of the map.

   Sources of a date change: the slider, the keyboard, the buttons, the event feed, the URL (back/forward),
   play and briefing autoplay. All go through E.setDay(). After the map is redrawn the engine sets
   document.body.dataset.renderedDay (the day index) for tests and benchmarks. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  let RECENT = 0;               // events stay on the map this many days after their date (tables.recent_days)
  const PUSH_GAP_MS = 1200;     // URL changes closer together than this replace the history entry
  const SETTLE_MS = 250;        // after this quiet time the "settled" Store is written (server callbacks)
  const SNAP_DAYS = 3;          // a slider drag ending this close to an event date snaps to it
  const AUTOPLAY_MS = 6000;     // briefing autoplay: one event every 6 s

  const E = {
    t: null, day: null, compare: null, map: null, control: null,
    reg: {cells: [], uncovered: null, overrides: [], change: [], edges: [], places: [], events: []},
    shown: {cells: [], overrides: [], change: [], edges: [], places: [], events: []},
    playing: false, briefing: false, stepIndex: -1, selectedPlace: -1, highlightEvent: null,
    lastPush: 0, settleTimer: null, exactLayer: null, pendingUrl: null,
  };
  window.raqqaEngine = E;

  // ------------------------------------------------------------------------------------------------------
  // tables

  function prepare(t) {
    const nRows = t.rows.length;
    t.rowDay = new Int32Array(nRows);
    t.rowHolder = new Int32Array(nRows);
    t.rowLow = new Uint8Array(nRows);
    t.rows.forEach(function (r, i) { t.rowDay[i] = r.day; t.rowHolder[i] = r.holder; t.rowLow[i] = r.confidence === "low" ? 1 : 0; });
    t.placeDays = t.place_rows.map(function (idx) { return Int32Array.from(idx, function (i) { return t.rowDay[i]; }); });
    t.placeIdx = t.place_rows.map(function (idx) { return Int32Array.from(idx); });
    t.noRep = t.holders.length - 1;
    t.eventDays = Array.from(new Set(t.events.map(function (e) { return e.day; })))
      .filter(function (d) { return d >= 0 && d <= t.span; }).sort(function (a, b) { return a - b; });
    t.eventsById = {};
    t.events.forEach(function (e) { t.eventsById[e.id] = e; });
    t.startMs = Date.parse(t.start + "T00:00:00Z");
    t.expected = {cells: t.cell_places.length, edges: t.edge_list.length, places: t.places.length,
      events: t.events.filter(function (e) { return e.lat !== null; }).length, overrides: t.n_overrides};
    return t;
  }

  function placeRowOn(t, p, day) {
    const days = t.placeDays[p];
    let lo = 0, hi = days.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (days[mid] <= day) { lo = mid + 1; } else { hi = mid; } }
    return lo ? t.placeIdx[p][lo - 1] : -1;
  }

  /* The same derivation as timeline.state_on() in Python. */
  function stateOn(day) {
    const t = E.t;
    const nP = t.placeDays.length, nC = t.cell_places.length;
    const placeRow = new Int32Array(nP);
    for (let p = 0; p < nP; p++) { placeRow[p] = placeRowOn(t, p, day); }
    const cellRow = new Int32Array(nC), cellHolder = new Int32Array(nC);
    const km2 = new Float64Array(t.holders.length);
    for (let c = 0; c < nC; c++) {
      let best = -1;
      const ps = t.cell_places[c];
      for (let k = 0; k < ps.length; k++) { if (placeRow[ps[k]] > best) { best = placeRow[ps[k]]; } }
      cellRow[c] = best;
      cellHolder[c] = best >= 0 ? t.rowHolder[best] : t.noRep;
      km2[cellHolder[c]] += t.cell_km2[c];
    }
    km2[t.noRep] += t.uncovered_km2;
    let front = 0;
    const edgeFront = new Uint8Array(t.edge_list.length);
    for (let i = 0; i < t.edge_list.length; i++) {
      const a = cellHolder[t.edge_list[i][0]], b = cellHolder[t.edge_list[i][1]];
      if (a !== b && a !== t.noRep && b !== t.noRep) { edgeFront[i] = 1; front += t.edge_list[i][2]; }
    }
    let exact = null;
    for (let i = 0; i < t.exact.length; i++) {
      if (t.exact[i].from <= day && day <= t.exact[i].to) { exact = t.exact[i]; }
    }
    if (exact) { for (let h = 0; h < km2.length; h++) { km2[h] = exact.km2[h]; } front = exact.front_km; }
    return {day: day, placeRow: placeRow, cellRow: cellRow, cellHolder: cellHolder, km2: km2, front: front, edgeFront: edgeFront, exact: exact};
  }
  E.stateOn = stateOn;

  // ------------------------------------------------------------------------------------------------------
  // dates

  function isoOf(day) { return new Date(E.t.startMs + day * 86400000).toISOString().slice(0, 10); }
  function dayOfIso(iso) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(String(iso || ""))) { return null; }
    const ms = Date.parse(String(iso).slice(0, 10) + "T00:00:00Z");
    return isNaN(ms) ? null : clampDay(Math.round((ms - E.t.startMs) / 86400000));
  }
  function clampDay(d) { return Math.max(0, Math.min(E.t.span, d | 0)); }
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  function longDate(day) { const d = new Date(E.t.startMs + day * 86400000); return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); }
  function shortDate(day) { const d = new Date(E.t.startMs + day * 86400000); return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()].slice(0, 3) + " " + d.getUTCFullYear(); }
  E.isoOf = function (d) { return isoOf(d); };

  /* First index in the sorted array whose key(item) > x (or >= x with strict false). */
  function bisect(arr, x, key, strict) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; const v = key ? key(arr[mid]) : arr[mid]; if (strict ? v <= x : v < x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  function prevEventDay(day) { const k = bisect(E.t.eventDays, day, null, false); return k ? E.t.eventDays[k - 1] : 0; }
  function stepEvent(day, forward) {
    const ds = E.t.eventDays;
    if (forward) { const k = bisect(ds, day, null, true); return k < ds.length ? ds[k] : day; }
    const k = bisect(ds, day, null, false);
    return k ? ds[k - 1] : day;
  }

  // ------------------------------------------------------------------------------------------------------
  // styles

  function color(h) { return E.t.colors[E.t.holders[h]] || "#888888"; }
  function cellStyle(h, low) {
    const t = E.t, name = t.holders[h];
    if (h === t.noRep) { return {stroke: false, fill: true, fillColor: "url(#hatch-none)", fillOpacity: 1}; }
    if (name === "contested") { return {stroke: true, color: "#6d2f66", weight: 1, opacity: 0.8, dashArray: "4 3", fill: true, fillColor: "url(#hatch-contested)", fillOpacity: 1}; }
    const c = color(h);
    return {stroke: true, color: c, weight: 0.8, opacity: 0.55, dashArray: null, fill: true,
      fillColor: low ? "url(#hatch-low-" + h + ")" : c, fillOpacity: low ? 1 : 0.55};
  }
  const HIDDEN = {stroke: false, fill: false};
  function changeStyle(toH) { return {stroke: true, color: color(toH), weight: 2.5, opacity: 1, fill: true, fillColor: "url(#hatch-gain)", fillOpacity: 1}; }
  function placeStyle(holder, estimated, selected) {
    return {radius: selected ? 8 : 4, color: selected ? "#0b3d91" : "#111", weight: selected ? 3 : 1,
      fillColor: holder >= 0 ? color(holder) : "#ffffff", fillOpacity: estimated ? 0.3 : 1, dashArray: estimated ? "2 2" : null};
  }

  /* One SVG pattern per faction for low-confidence ground: the faction's colour, hatched with white. */
  function patterns() {
    const t = E.t;
    let svg = document.getElementById("raqqa-low-patterns");
    if (svg) { svg.remove(); }
    svg = document.createElementNS(NS, "svg");
    svg.setAttribute("id", "raqqa-low-patterns");
    svg.setAttribute("width", "0"); svg.setAttribute("height", "0");
    svg.style.position = "absolute";
    const defs = document.createElementNS(NS, "defs");
    t.holders.forEach(function (name, h) {
      const pat = document.createElementNS(NS, "pattern");
      pat.setAttribute("id", "hatch-low-" + h);
      pat.setAttribute("patternUnits", "userSpaceOnUse");
      pat.setAttribute("width", "7"); pat.setAttribute("height", "7");
      pat.setAttribute("patternTransform", "rotate(45)");
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("width", "7"); rect.setAttribute("height", "7");
      rect.setAttribute("fill", color(h)); rect.setAttribute("fill-opacity", "0.55");
      const line = document.createElementNS(NS, "line");
      line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "7");
      line.setAttribute("stroke", "#ffffff"); line.setAttribute("stroke-width", "2.5"); line.setAttribute("stroke-opacity", "0.9");
      pat.appendChild(rect); pat.appendChild(line); defs.appendChild(pat);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  // ------------------------------------------------------------------------------------------------------
  // drawing one day

  function show(el, on) { if (el) { el.style.display = on ? "" : "none"; } }

  function render() {
    const t = E.t, day = E.day;
    const s = E.state = stateOn(day);
    const cmp = E.compare === null ? null : stateOn(E.compare);
    // ground held
    E.reg.cells.forEach(function (layer, c) {
      if (!layer) { return; }
      const key = s.cellHolder[c] * 2 + (s.cellRow[c] >= 0 ? t.rowLow[s.cellRow[c]] : 0);
      if (E.shown.cells[c] !== key) { layer.setStyle(cellStyle(s.cellHolder[c], key % 2 === 1)); E.shown.cells[c] = key; }
    });
    E.reg.overrides.forEach(function (layer, i) {
      const p = layer.feature.properties;
      const on = p.from <= day && day <= p.to;
      if (E.shown.overrides[i] !== on) {
        const h = t.holders.indexOf(p.holder);
        layer.setStyle(on ? Object.assign(cellStyle(h, false), {color: "#222", weight: 1.2, opacity: 0.9, fillOpacity: 0.8}) : HIDDEN);
        E.shown.overrides[i] = on;
      }
    });
    // changed hands since the compare date
    E.reg.change.forEach(function (layer, c) {
      if (!layer) { return; }
      const key = cmp && cmp.cellHolder[c] !== s.cellHolder[c] ? s.cellHolder[c] : -1;
      if (E.shown.change[c] !== key) { layer.setStyle(key >= 0 ? changeStyle(key) : HIDDEN); E.shown.change[c] = key; }
    });
    // frontlines
    const useExact = !!s.exact;
    E.reg.edges.forEach(function (layer, i) {
      const on = !useExact && s.edgeFront[i] === 1;
      if (E.shown.edges[i] !== on) { layer.setStyle(on ? frontStyle(i, s) : HIDDEN); E.shown.edges[i] = on; }
    });
    exactFronts(s.exact);
    // places
    E.reg.places.forEach(function (layer, p) {
      if (!layer) { return; }
      const row = s.placeRow[p], h = row >= 0 ? t.rowHolder[row] : -1;
      const key = h * 2 + (E.selectedPlace === p ? 1 : 0);
      if (E.shown.places[p] !== key) {
        layer.setStyle(placeStyle(h, layer.feature.properties.confidence !== "high", E.selectedPlace === p));
        E.shown.places[p] = key;
      }
    });
    // events: big on their day, small for RECENT days after, hidden otherwise; only the events near the
    // previous and the new day can change, so only those are looked at
    eventsToUpdate(day).forEach(function (i) {
      const layer = E.reg.events[i];
      if (!layer) { return; }
      const ed = layer.feature.properties.day;
      const key = ed === day ? 2 : (ed < day && day - ed <= RECENT ? 1 : 0);
      if (E.shown.events[i] !== key) {
        show(layer.getElement && layer.getElement(), key > 0);
        if (key > 0) { layer.setStyle({weight: key === 2 ? 3 : 2, fillOpacity: key === 2 ? 0.9 : 0.4}); layer.setRadius(key === 2 ? 11 : 7); }
        E.shown.events[i] = key;
      }
      const el = layer.getElement && layer.getElement();
      if (el) { el.classList.toggle("event-highlight", E.highlightEvent === layer.feature.properties.id && key > 0); }
    });
    E.eventsDay = day;
    figures(s);
    feed(day);
    text();
  }

  /* Indices of the event markers to look at for ``day``: all after a (re)registration or a highlight change,
     else those dated within RECENT days before the previous or the new day. */
  function eventsToUpdate(day) {
    const reg = E.reg.events;
    let n = 0;
    for (let i = 0; i < reg.length; i++) { if (reg[i]) { n++; } }
    if (!E.evIndex || E.evIndex.length !== n) {
      E.evIndex = [];
      reg.forEach(function (layer, i) { if (layer) { E.evIndex.push([layer.feature.properties.day, i]); } });
      E.evIndex.sort(function (a, b) { return a[0] - b[0]; });
      E.eventsDay = null;
    }
    if (E.eventsDay === null || E.eventsDay === undefined || E.shown.events.length === 0) {
      return E.evIndex.map(function (p) { return p[1]; });
    }
    const out = [];
    [E.eventsDay, day].forEach(function (d) {
      const k0 = bisect(E.evIndex, d - RECENT, function (p) { return p[0]; }, false);
      const k1 = bisect(E.evIndex, d, function (p) { return p[0]; }, true);
      for (let k = k0; k < k1; k++) { out.push(E.evIndex[k][1]); }
    });
    return out;
  }

  function frontStyle(i, s) {
    const e = E.t.edge_list[i];
    const contested = E.t.holders[s.cellHolder[e[0]]] === "contested" || E.t.holders[s.cellHolder[e[1]]] === "contested";
    return {stroke: true, color: "#b00020", weight: contested ? 2 : 3, opacity: 0.9, dashArray: contested ? "3 5" : null};
  }

  function exactFronts(exact) {
    if (!E.map || !window.L) { return; }
    if (E.exactShown === exact) { return; }
    if (E.exactLayer) { E.map.removeLayer(E.exactLayer); E.exactLayer = null; }
    if (exact) {
      E.exactLayer = L.geoJSON(exact.fronts, {pane: "pane-frontline", style: function () { return {color: "#b00020", weight: 3, opacity: 0.9}; }}).addTo(E.map);
    }
    E.exactShown = exact;
  }

  function figures(s) {
    const t = E.t, before = stateOn(prevEventDay(s.day));
    const ground = s.km2.reduce(function (a, b) { return a + b; }, 0) || 1;
    t.holders.forEach(function (name, h) {
      const tr = document.querySelector('#figures tr[data-holder="' + CSS.escape(name) + '"]');
      if (!tr) { return; }
      const d = Math.round(s.km2[h] - before.km2[h]);
      setText(tr.querySelector(".km2"), Math.round(s.km2[h]).toLocaleString("en"));
      setText(tr.querySelector(".share"), Math.round(100 * s.km2[h] / ground) + "%");
      const cell = tr.querySelector(".delta");
      setText(cell, d === 0 ? "±0" : (d > 0 ? "+" : "−") + Math.abs(d).toLocaleString("en"));
      if (cell) { cell.dataset.sign = d > 0 ? "up" : d < 0 ? "down" : "flat"; }
    });
    setText(document.getElementById("frontline-km"), "Frontline length: " + Math.round(s.front).toLocaleString("en") + " km");
  }

  function setText(el, value) { if (el && el.textContent !== value) { el.textContent = value; } }

  /* The feed's items sorted by day (read from the page once; again if the page was replaced). */
  function feedIndex() {
    if (!E.feedItems || !E.feedItems.length || !E.feedItems[0].el.isConnected) {
      E.feedItems = Array.from(document.querySelectorAll("#event-feed .feed-item"))
        .map(function (el) { return {day: +el.dataset.day, el: el}; })
        .sort(function (a, b) { return a.day - b.day; });
      E.feedDay = null;
    }
    return E.feedItems;
  }

  /* Mark the feed's items current / past; only items between the previous and the new day can change. */
  function feed(day) {
    const items = feedIndex();
    if (!items.length || E.feedDay === day) { return; }
    const key = function (it) { return it.day; };
    let lo = 0, hi = items.length;
    if (E.feedDay !== null && E.feedDay !== undefined) {
      lo = bisect(items, Math.min(E.feedDay, day), key, false);
      hi = bisect(items, Math.max(E.feedDay, day), key, true);
    }
    for (let k = lo; k < hi; k++) {
      const it = items[k];
      it.el.classList.toggle("current", it.day === day);
      it.el.classList.toggle("past", it.day < day);
    }
    E.feedDay = day;
    const first = bisect(items, day, key, false);
    const target = first < items.length && items[first].day === day ? items[first] : (first ? items[first - 1] : null);
    if (target && target.el !== E.feedTarget && !E.playing) { target.el.scrollIntoView({block: "nearest"}); }
    E.feedTarget = target ? target.el : null;
  }

  function selectFeedItem(id) {
    document.querySelectorAll("#event-feed .feed-item.selected").forEach(function (el) { el.classList.remove("selected"); });
    const el = document.querySelector('#event-feed .feed-item[data-event="' + CSS.escape(id) + '"]');
    if (el) { el.classList.add("selected"); }
  }

  function text() {
    setText(document.getElementById("date-display"), longDate(E.day));
    if (E.briefing) { caption(); }
  }

  // ------------------------------------------------------------------------------------------------------
  // changing the date

  E.setDay = function (day, opts) {
    opts = opts || {};
    if (!E.t) { E.pendingDay = day; return; }
    day = clampDay(day);
    if (day === E.day && !opts.force) { return; }
    E.day = day;
    render();
    markRendered();
    if (!opts.fromSlider) { sliderSoon(); }
    if (!opts.fromUrl) { writeUrl(opts.push); }
    settleSoon();
  };

  /* Tell tests and benchmarks which day the whole map shows: only once every layer has registered all of its
     features (overlays mount a moment after the map; until then a later render() completes the picture). */
  function markRendered() {
    const reg = E.reg, want = E.t.expected;
    const have = function (arr) { let n = 0; for (let i = 0; i < arr.length; i++) { if (arr[i]) { n++; } } return n; };
    if (have(reg.cells) < want.cells || have(reg.change) < want.cells || have(reg.edges) < want.edges ||
        have(reg.places) < want.places || have(reg.events) < want.events || have(reg.overrides) < want.overrides) {
      delete document.body.dataset.renderedDay;
      return;
    }
    document.body.dataset.renderedDay = String(E.day);  // the map's SVG now shows this day
    document.body.dataset.renderedDate = isoOf(E.day);
  }

  /* The slider thumb is a React component: re-rendering it on every step of a fast scrub would delay the map's
     frames, so its value follows at most every SLIDER_MS (the date and the map never wait for it). */
  const SLIDER_MS = 120;
  function sliderSoon() {
    if (E.sliderTimer) { return; }
    E.sliderTimer = setTimeout(function () {
      E.sliderTimer = null;
      E.sliderSent = E.day;  // its echo through fromSlider may arrive after a newer step: ignored there
      setProps("date-slider", {value: E.day});
    }, SLIDER_MS);
  }

  E.setCompare = function (day, opts) {
    E.compare = day === null || day === undefined ? null : clampDay(day);
    if (E.t && E.day !== null) { render(); }
    if (!(opts && opts.fromInput)) { setProps("compare-date", {value: E.compare === null ? null : isoOf(E.compare)}); }
    if (!(opts && opts.fromUrl)) { writeUrl(true); }
    settleSoon();
  };

  function settleSoon() {
    clearTimeout(E.settleTimer);
    E.settleTimer = setTimeout(function () {
      setProps("settled", {data: {day: E.day, compare: E.compare, date: isoOf(E.day)}});
      if (document.getElementById("area-chart")) {  // the trend chart, once its tab has been opened
        setProps("area-chart", {referenceLines: [{x: isoOf(E.day), label: shortDate(E.day), color: "red.7"}]});
      }
    }, SETTLE_MS);
  }

  function setProps(id, props) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) { return; }
    try { window.dash_clientside.set_props(id, props); } catch (err) { /* that component is not on this page */ }
  }

  // ------------------------------------------------------------------------------------------------------
  // play, events, places

  E.play = function (on) {
    E.playing = on === undefined ? !E.playing : !!on;
    document.body.classList.toggle("playing", E.playing);
    document.querySelectorAll('[data-action="play"]').forEach(function (b) {
      b.textContent = E.playing ? (E.briefing ? "Stop autoplay" : "❚❚ Pause") : (E.briefing ? "Autoplay" : "▶ Play");
      b.setAttribute("aria-pressed", E.playing ? "true" : "false");
    });
    clearTimeout(E.autoTimer);
    if (!E.playing) { return; }
    if (E.briefing) { autoplayStep(); return; }
    if (E.day >= E.t.span) { E.setDay(0, {push: false}); }
    let last = performance.now(), acc = 0;
    function frame(now) {
      if (!E.playing) { return; }
      acc += (now - last) / 1000 * (E.speed || 7); last = now;
      if (acc >= 1) {
        const step = Math.floor(acc); acc -= step;
        E.setDay(E.day + step, {push: false});
        if (E.day >= E.t.span) { E.play(false); return; }
      }
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  };

  function autoplayStep() {
    E.autoTimer = setTimeout(function () {
      if (!E.playing || !E.briefing) { return; }
      if (!E.briefingStep(1)) { E.play(false); return; }
      autoplayStep();
    }, AUTOPLAY_MS);
  }

  E.goToEvent = function (id, opts) {
    const ev = E.t && E.t.eventsById[id];
    if (!ev) { return; }
    E.highlightEvent = id;
    selectFeedItem(id);
    E.eventsDay = null;  // the highlighted marker changed: look at every event once
    E.setDay(ev.day, {push: true, force: true});
    if (ev.lat !== null && E.map && !(opts && opts.noFly)) {
      E.map.flyTo([ev.lat, ev.lon], Math.max(E.map.getZoom(), 10), {duration: 0.6});
    }
  };

  E.selectPlace = function (p) {
    if (!E.t || p < 0 || p >= E.t.places.length) { return; }
    E.selectedPlace = p;
    E.shown.places = [];
    render();
    setProps("side-tabs", {value: "place"});  // first, so the panel is mounted when the history arrives
    setProps("selected-place", {data: E.t.places[p].id});
  };

  // ------------------------------------------------------------------------------------------------------
  // briefing mode: full screen, large type, a caption per step, clicker keys

  E.setBriefing = function (on, opts) {
    E.briefing = on === undefined ? !E.briefing : !!on;
    document.body.classList.toggle("briefing", E.briefing);
    if (!E.briefing && document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
    E.play(false);
    if (E.briefing) {
      const steps = briefingSteps();
      let i = steps.findIndex(function (st) { return st.day >= E.day; });
      E.stepIndex = i < 0 ? steps.length - 1 : i;
      if (!(opts && opts.fromUrl) || (E.rawSteps && E.rawSteps.length)) { applyStep(steps[E.stepIndex]); }
      caption();
    }
    if (!(opts && opts.fromUrl)) { writeUrl(true); }
    if (E.map) { setTimeout(function () { E.map.invalidateSize(); }, 50); }
  };

  /* The steps of briefing mode: a saved briefing's views if one was opened (?briefing=<id>), else every event. */
  function briefingSteps() {
    if (E.rawSteps && E.rawSteps.length) {
      const saved = E.rawSteps.map(function (v) {
        return {day: dayOfIso(v.date), compare: v.compare === undefined ? undefined : v.compare,
          center: Array.isArray(v.center) ? v.center : null, zoom: typeof v.zoom === "number" ? v.zoom : null,
          layers: Array.isArray(v.layers) ? v.layers : null, caption: typeof v.caption === "string" ? v.caption : null};
      }).filter(function (st) { return st.day !== null; });
      if (saved.length) { return saved; }
    }
    return E.t.eventDays.map(function (d) { return {day: d}; });
  }

  function applyStep(st) {
    if (!st) { return; }
    if (st.center && E.map) { E.map.flyTo(st.center, st.zoom || E.map.getZoom(), {duration: 0.6}); }
    if (st.compare !== undefined) { E.compare = st.compare === null ? null : dayOfIso(st.compare); }
    if (st.layers) { applyLayers(st.layers); }
    const evs = E.t.events.filter(function (e) { return e.day === st.day; });
    if (!st.center && evs.length && evs[0].lat !== null) {
      E.highlightEvent = evs[0].id;
      selectFeedItem(evs[0].id);
      E.eventsDay = null;
      if (E.map) { E.map.flyTo([evs[0].lat, evs[0].lon], Math.max(E.map.getZoom(), 9.5), {duration: 0.6}); }
    }
    E.setDay(st.day, {push: true, force: true});
  }

  E.briefingStep = function (dir) {
    const steps = briefingSteps();
    const next = E.stepIndex + dir;
    if (next < 0 || next >= steps.length) { return false; }
    E.stepIndex = next;
    applyStep(steps[next]);
    return true;
  };

  function caption() {
    const box = document.getElementById("briefing-caption");
    if (!box) { return; }
    const steps = briefingSteps();
    const st = steps[E.stepIndex];
    const evs = E.t.events.filter(function (e) { return e.day === E.day; });
    box.replaceChildren();
    const add = function (tag, txt, cls) { if (!txt) { return; } const el = document.createElement(tag); el.textContent = txt; if (cls) { el.className = cls; } box.appendChild(el); };
    add("div", longDate(E.day), "cap-date");
    if (st && st.caption) { add("div", st.caption, "cap-title"); }
    evs.slice(0, 2).forEach(function (ev) {
      add("div", ev.title, "cap-title");
      add("div", [ev.place, ev.kind === "article" ? "reported in the article" : "campaign milestone", ev.confidence + " confidence"].filter(Boolean).join(" · "), "cap-meta");
      if (ev.differs && ev.claim) { add("div", "The article said: " + ev.claim + "  —  Other sources: " + ev.corroborated, "cap-differs"); }
      if (ev.sources.length) { add("div", "Source: " + ev.sources.join(", "), "cap-source"); }
    });
    if (!evs.length && !(st && st.caption)) { add("div", "No event reported on this date.", "cap-meta"); }
    const hud = document.querySelector(".hud-step");
    if (hud) { hud.textContent = "Step " + (E.stepIndex + 1) + " of " + steps.length; }
  }

  // ------------------------------------------------------------------------------------------------------
  // URL state: date, compare, layers, view, mode — a link reproduces the view; back/forward work

  function urlState() {
    const q = new URLSearchParams(window.location.search);
    const view = (q.get("view") || "").split(",").map(Number);
    return {
      day: q.has("date") ? dayOfIso(q.get("date")) : null,
      compare: q.has("compare") ? dayOfIso(q.get("compare")) : null,
      layers: q.has("layers") ? q.get("layers").split(",").filter(Boolean) : null,
      view: view.length === 3 && view.every(isFinite) ? view : null,
      briefing: q.get("mode") === "briefing",
    };
  }

  function currentLayers() {
    if (!E.control || !E.map) { return null; }
    const overlays = E.control._layers.filter(function (l) { return l.overlay; });
    if (new Set(overlays.map(function (l) { return l.name; })).size < Object.keys(E.t.layers).length) {
      return null;  // the overlays are still joining the control: not known yet
    }
    const on = overlays.filter(function (l) { return E.map.hasLayer(l.layer); })
      .map(function (l) { return E.t.layers[l.name]; }).filter(Boolean);
    return Array.from(new Set(on));
  }

  function writeUrl(push) {
    // nothing until the engine has restored this map's state from the URL (a new page starts with a new map)
    if (!E.t || E.day === null || E.applying || !E.started || !E.viewReady) { return; }
    const q = new URLSearchParams(window.location.search);
    q.set("date", isoOf(E.day));
    if (E.compare === null) { q.delete("compare"); } else { q.set("compare", isoOf(E.compare)); }
    const layers = currentLayers();
    if (layers && layers.slice().sort().join(",") !== E.t.default_layers.slice().sort().join(",")) { q.set("layers", layers.join(",")); }
    else if (layers) { q.delete("layers"); }
    if (E.map && E.viewReady) { const c = E.map.getCenter(); q.set("view", [c.lat.toFixed(4), c.lng.toFixed(4), E.map.getZoom().toFixed(2)].join(",")); }
    if (E.briefing) { q.set("mode", "briefing"); } else { q.delete("mode"); }
    const url = window.location.pathname + "?" + q.toString();
    if (url === window.location.pathname + window.location.search) { return; }
    const now = performance.now();
    if (push && !E.playing && now - E.lastPush > PUSH_GAP_MS) { history.pushState(null, "", url); E.lastPush = now; }
    else { history.replaceState(null, "", url); }
  }

  function applyUrl(fromHistory) {
    E.applying = true;  // restoring a URL must not write one (a moveend would overwrite the history entry)
    try { restore(urlState(), fromHistory); } finally { E.applying = false; }
  }

  function restore(u, fromHistory) {
    applyLayers(u.layers || E.t.default_layers);
    if (u.view && E.map) { E.map.setView([u.view[0], u.view[1]], u.view[2], {animate: false}); }
    else if (!fromHistory && E.map) { fitArea(); }
    E.viewReady = true;
    E.compare = u.compare;
    setProps("compare-date", {value: u.compare === null ? null : isoOf(u.compare)});
    E.setDay(u.day === null ? (E.pendingDay !== undefined ? E.pendingDay : 0) : u.day, {fromUrl: true, force: true});
    if (u.briefing !== E.briefing) { E.setBriefing(u.briefing, {fromUrl: true}); }
  }

  /* Show the named overlays only: through each Overlay's "checked" prop (dash-leaflet adds or removes the
     layer on a change), and directly for the overlays a user toggled in the control since. */
  function applyLayers(names) {
    Object.keys(E.t.layers).forEach(function (title) {
      const name = E.t.layers[title];
      const on = names.indexOf(name) >= 0;
      setProps("overlay-" + name, {checked: on});
      if (!E.control || !E.map) { return; }
      E.control._layers.forEach(function (l) {
        if (l.overlay && l.name === title && E.map.hasLayer(l.layer) !== on) {
          if (on) { E.map.addLayer(l.layer); } else { E.map.removeLayer(l.layer); }
        }
      });
    });
  }

  function fitArea() {
    const b = E.t.bounds;
    E.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false});
  }

  window.addEventListener("popstate", function () { if (E.t) { applyUrl(true); } });

  // ------------------------------------------------------------------------------------------------------
  // keyboard (capture phase, so the slider thumb does not also move) and clicks

  const NOT_TEXT = ["checkbox", "radio", "range", "button", "submit", "reset", "color", "file", "image"];
  function typing(el) {
    if (!el) { return false; }
    const tag = el.tagName;
    if (tag === "INPUT") { return NOT_TEXT.indexOf((el.type || "").toLowerCase()) < 0; }
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (!E.t || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    if (typing(ev.target) && ev.key !== "Escape") { return; }
    let handled = true;
    const week = ev.shiftKey ? 7 : 1;
    if (E.briefing && ["PageDown", "ArrowRight", "ArrowDown"].indexOf(ev.key) >= 0) { E.briefingStep(1); }
    else if (E.briefing && ["PageUp", "ArrowLeft", "ArrowUp"].indexOf(ev.key) >= 0) { E.briefingStep(-1); }
    else if (ev.key === "ArrowRight") { E.setDay(E.day + week, {push: true}); }
    else if (ev.key === "ArrowLeft") { E.setDay(E.day - week, {push: true}); }
    else if (ev.key === "PageDown") { E.setDay(stepEvent(E.day, true), {push: true}); }
    else if (ev.key === "PageUp") { E.setDay(stepEvent(E.day, false), {push: true}); }
    else if (ev.key === "Home") { E.setDay(0, {push: true}); }
    else if (ev.key === "End") { E.setDay(E.t.span, {push: true}); }
    else if (ev.key === " " || ev.key === "Spacebar") { E.play(); }
    else if (ev.key === "b" || ev.key === "B") { E.setBriefing(); }
    else if (ev.key === "Escape") { if (E.briefing) { E.setBriefing(false); } else { document.body.classList.remove("show-keys"); handled = false; } }
    else if (ev.key === "f" || ev.key === "F") { fullscreen(); }
    else if (ev.key === "?") { document.body.classList.toggle("show-keys"); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); ev.stopPropagation(); }
  }, true);

  function fullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen().catch(function () {}); }
  }

  document.addEventListener("click", function (ev) {
    if (!E.t) { return; }
    const act = ev.target.closest && ev.target.closest("[data-action]");
    if (act) {
      const a = act.dataset.action;
      if (a === "prev-event") { if (E.briefing) { E.briefingStep(-1); } else { E.setDay(stepEvent(E.day, false), {push: true}); } }
      else if (a === "next-event") { if (E.briefing) { E.briefingStep(1); } else { E.setDay(stepEvent(E.day, true), {push: true}); } }
      else if (a === "play") { E.play(); }
      else if (a === "briefing") { E.setBriefing(); }
      else if (a === "fullscreen") { fullscreen(); }
      else if (a === "keys") { document.body.classList.toggle("show-keys"); }
      else if (a === "compare-prev") { E.setCompare(prevEventDay(E.day)); }
      else if (a === "compare-clear") { E.setCompare(null); }
      return;
    }
    const item = ev.target.closest && ev.target.closest("#event-feed .feed-item");
    if (item) { E.goToEvent(item.dataset.event); }
  });

  /* A slider drag that ends near an event date lands on it. */
  document.addEventListener("pointerup", function (ev) {
    if (!E.t || !ev.target.closest || !ev.target.closest("#date-slider")) { return; }
    setTimeout(function () {
      let best = null;
      E.t.eventDays.forEach(function (d) { if (Math.abs(d - E.day) <= SNAP_DAYS && (best === null || Math.abs(d - E.day) < Math.abs(best - E.day))) { best = d; } });
      if (best !== null && best !== E.day) { E.setDay(best, {push: true}); }
    }, 0);
  });

  // ------------------------------------------------------------------------------------------------------
  // hooks: the map, the layers control, and the features each layer registers

  function hook() {
    if (!window.L || hook.done) { return; }
    hook.done = true;
    L.Map.addInitHook(function () {
      if (!this.getContainer().closest || !this.getContainer().closest(".map-panel")) { return; }
      E.map = this;  // a new page (another theatre) brings a new map: forget the old one's features
      E.reg = {cells: [], uncovered: null, overrides: [], change: [], edges: [], places: [], events: []};
      E.shown = {cells: [], overrides: [], change: [], edges: [], places: [], events: []};
      E.started = false; E.viewReady = false; E.exactLayer = null; E.exactShown = undefined;
      this.on("moveend", function () { if (E.t && E.viewReady) { writeUrl(false); } });
      this.on("overlayadd overlayremove", function () { if (E.t) { writeUrl(true); } });
      this.on("baselayerchange", function (e) { basemapChanged(e); });
      this.whenReady(ready);
    });
    L.Control.Layers.addInitHook(function () { E.control = this; });
  }
  hook();
  document.addEventListener("DOMContentLoaded", hook);

  function basemapChanged(e) {
    const online = !/Offline/.test(e.name);
    document.body.classList.toggle("online-basemap", online);
    const notice = document.querySelector(".tile-notice");
    if (notice) { notice.textContent = ""; notice.classList.remove("on"); }
    if (!online) { return; }
    let failed = 0;
    e.layer.on("tileerror", function () {
      failed += 1;
      if (failed === 3 && notice) {
        notice.textContent = "The online basemap could not be loaded (no internet?). The bundled basemap is still drawn underneath.";
        notice.classList.add("on");
        document.body.classList.remove("online-basemap");
      }
    });
  }

  function ready() {
    if (!E.t || !E.map || E.started) { return; }
    E.started = true;
    patterns();
    // the page may still be settling its size at mount: fit the view once layout is final
    window.requestAnimationFrame(function () { E.map.invalidateSize({animate: false}); applyUrl(false); });
  }

  /* Called by the layers' bind functions (assets/layer_*.js) for every feature they create. */
  E.register = function (kind, feature, layer) {
    const p = feature.properties;
    if (kind === "cells") { if (p.i < 0) { E.reg.uncovered = layer; } else { E.reg.cells[p.i] = layer; E.shown.cells[p.i] = undefined; } }
    else if (kind === "change") { if (p.i >= 0) { E.reg.change[p.i] = layer; E.shown.change[p.i] = undefined; } }
    else if (kind === "overrides") { E.reg.overrides[p.i] = layer; E.shown.overrides[p.i] = undefined; }
    else if (kind === "edges") { E.reg.edges[p.i] = layer; E.shown.edges[p.i] = undefined; }
    else if (kind === "places") { E.reg.places[p.p] = layer; E.shown.places[p.p] = undefined; }
    else if (kind === "events") { E.reg.events[p.i] = layer; E.shown.events[p.i] = undefined; }
    layer.on("add", function () { if (E.t && E.day !== null) { E.shown[kind] = []; scheduleRender(); } });
  };

  function scheduleRender() {
    if (E.renderQueued) { return; }
    E.renderQueued = true;
    window.requestAnimationFrame(function () { E.renderQueued = false; if (E.t && E.day !== null) { render(); markRendered(); } });
  }

  /* The style a feature starts with, before or after the engine has a date. */
  E.initialStyle = function (kind, feature) {
    if (!E.t || !E.state) { return kind === "cells" && feature.properties.i < 0 ? {stroke: false, fillColor: "url(#hatch-none)", fillOpacity: 1} : HIDDEN; }
    const s = E.state, i = feature.properties.i;
    if (kind === "cells") { return i < 0 ? cellStyle(E.t.noRep, false) : cellStyle(s.cellHolder[i], s.cellRow[i] >= 0 && E.t.rowLow[s.cellRow[i]] === 1); }
    return HIDDEN;
  };

  // ------------------------------------------------------------------------------------------------------
  // tooltips: built from data as text (raqqaUtil.tip), for the date shown when they open

  E.cellTip = function (i) {
    const t = E.t, s = E.state;
    if (!t || !s) { return ""; }
    if (i < 0) { return window.raqqaUtil.tip([["b", "No reporting"], ["div", "No place in the ledger is near enough to say who held this ground.", "muted"]]); }
    const row = s.cellRow[i];
    const names = t.cell_places[i].map(function (p) { return t.places[p].name; }).join(", ");
    if (row < 0) { return window.raqqaUtil.tip([["b", "No reporting"], ["span", names]]); }
    const r = t.rows[row];
    const holder = t.holders[r.holder];
    return window.raqqaUtil.tip([
      ["b", (t.labels[holder] || holder) + (holder === "contested" ? "" : " held")],
      ["span", "Around " + names + " · " + Math.round(t.cell_km2[i]).toLocaleString("en") + " km²"],
      ["div", "Since " + shortDate(r.day) + (r.precision !== "day" ? " (" + r.precision.replace("_", " ") + ")" : "") + " · row " + r.id],
      ["div", "Source: " + (r.source_title || "") + (r.source ? " (" + r.source.split("/")[2] + ")" : ""), "muted"],
      ["div", r.confidence + " confidence" + (r.confidence === "low" ? " (drawn hatched)" : ""), "conf-" + r.confidence],
      ["div", "Click for the place's control history", "muted"],
    ]);
  };

  E.placeTip = function (p, props) {
    const t = E.t, s = E.state;
    if (!t || !s) { return props.name; }
    const row = s.placeRow[p];
    const r = row >= 0 ? t.rows[row] : null;
    return window.raqqaUtil.tip([
      ["b", props.name],
      ["span", (props.alt_names || []).slice(0, 4).join(" · "), "muted"],
      ["div", r ? "Held by " + (t.labels[t.holders[r.holder]] || t.holders[r.holder]) + " since " + shortDate(r.day) + " (row " + r.id + ", " + r.confidence + " confidence)" : "No report yet on this date"],
      ["div", r && r.source ? "Source: " + (r.source_title || "") + " (" + r.source.split("/")[2] + ")" : "", "muted"],
      ["div", "Location: " + props.confidence + " confidence", "muted"],
    ]);
  };

  E.changeTip = function (i) {
    const t = E.t, s = E.state;
    if (!t || !s || E.compare === null) { return ""; }
    const before = stateOn(E.compare);
    return window.raqqaUtil.tip([
      ["b", t.holders[before.cellHolder[i]] + " → " + t.holders[s.cellHolder[i]]],
      ["span", "between " + shortDate(Math.min(E.compare, E.day)) + " and " + shortDate(Math.max(E.compare, E.day))],
      ["div", Math.round(t.cell_km2[i]).toLocaleString("en") + " km²", "muted"],
    ]);
  };

  E.edgeTip = function (i) {
    const t = E.t, s = E.state;
    if (!t || !s) { return ""; }
    const e = t.edge_list[i];
    return window.raqqaUtil.tip([["b", "Front: " + t.holders[s.cellHolder[e[0]]] + " / " + t.holders[s.cellHolder[e[1]]]], ["span", e[2].toFixed(1) + " km of edge"]]);
  };

  E.placeOfCell = function (i) {
    const ps = E.t.cell_places[i];
    return ps && ps.length ? ps[0] : -1;
  };

  /* What the exports and saved briefings record of the current view. */
  E.view = function () {
    if (!E.t) { return {}; }
    const b = E.map ? E.map.getBounds() : null;
    const c = E.map ? E.map.getCenter() : null;
    const evs = E.t.events.filter(function (e) { return e.day === E.day; });
    return {
      date: isoOf(E.day),
      compare: E.compare === null ? null : isoOf(E.compare),
      bounds: b ? [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] : E.t.bounds,
      center: c ? [c.lat, c.lng] : null,
      zoom: E.map ? E.map.getZoom() : null,
      layers: currentLayers() || E.t.default_layers,
      caption: evs.length ? evs[0].title : null,
      theatre: E.t.theatre || null,
    };
  };

  /* Take the tables of the page now shown and draw it. */
  function start(tables) {
    if (typeof tables.recent_days !== "number") { throw new Error("engine: the tables carry no recent_days"); }
    RECENT = tables.recent_days;
    E.t = prepare(tables);
    E.day = null; E.state = null; E.started = false; E.feedDay = null;
    E.shown = {cells: [], overrides: [], change: [], edges: [], places: [], events: []};
    if (E.map) { ready(); }
  }

  // ------------------------------------------------------------------------------------------------------
  // Dash entry points

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    engine: {
      init: function (tables) {
        if (!tables) { return window.dash_clientside.no_update; }
        clearTimeout(E.initTimer);
        const wanted = new URLSearchParams(window.location.search).get("theatre") || "";
        if (wanted !== (tables.theatre || "")) {
          // the page for ?theatre= is on its way and will replace this one: starting here would race it
          // (both would restore from, and write to, the same URL); start with this one only if it never comes
          E.initTimer = setTimeout(function () { start(tables); }, 5000);
          return window.dash_clientside.no_update;
        }
        start(tables);
        return tables.theatre || "";
      },
      fromSlider: function (value) {
        if (value === E.sliderSent) { E.sliderSent = null; return window.dash_clientside.no_update; }
        if (E.t && typeof value === "number") { E.setDay(value, {fromSlider: true, push: true}); }
        return window.dash_clientside.no_update;
      },
      fromCompare: function (value) {
        if (E.t) { const d = value ? dayOfIso(value) : null; if (d !== E.compare) { E.setCompare(d, {fromInput: true}); } }
        return window.dash_clientside.no_update;
      },
      fromSpeed: function (value) { E.speed = Math.max(1, Math.min(120, +value || 7)); return window.dash_clientside.no_update; },
      /* A saved briefing's views ({date, compare, center, zoom, caption, …}) become the briefing's steps. */
      fromSteps: function (steps) {
        E.rawSteps = Array.isArray(steps) ? steps : [];
        if (E.rawSteps.length && E.briefing && E.t) { E.stepIndex = 0; applyStep(briefingSteps()[0]); caption(); }
        return window.dash_clientside.no_update;
      },
      onTab: function (tab) {
        if (tab !== "compare" || !E.t) { return window.dash_clientside.no_update; }
        return E.compare === null ? null : isoOf(E.compare);
      },
    },
  });
})();
