/* The date engine: everything that changes with the date happens here, in the browser, from the tables in
   the "timeline" Store (layers/core/timeline.py). A day costs one binary search per place, a sum over the
   cells and edges, and a restyle of the features whose holder changed: no request, no React render of the map.

   Sources of a date change: the slider, the keyboard, the buttons, the event feed, the URL (back/forward),
   play and briefing autoplay. All go through E.setDay(). After the map is redrawn the engine sets
   document.body.dataset.renderedDay (the day index) for tests and benchmarks.

   The engine is one object, window.raqqaEngine (E), spread over files by concern: 10_state.js (the derivation),
   this file (the layer registry, drawing a day, the page's figures and feed, Dash entry points), 21_url.js
   (URL and history), 22_input.js (keyboard, clicks, play) and 23_briefing.js (briefing mode). Each map layer's
   style, restyling and tooltips live in assets/layer_<name>.js. */
(function () {
  "use strict";
  const S = window.raqqaState;
  const SETTLE_MS = 250;        // after this quiet time the "settled" Store is written (server callbacks)
  const SLIDER_MS = 120;        // the slider thumb follows the date at most this often

  const E = window.raqqaEngine = Object.assign(window.raqqaEngine || {}, {
    t: null, day: null, compare: null, map: null, control: null, layers: [],
    reg: {}, shown: {},
    playing: false, briefing: false, stepIndex: -1, selectedPlace: -1, highlightEvent: null,
    lastPush: -Infinity, settleTimer: null, pendingUrl: null,  // the first push of a page always gets an entry
  });
  E.HIDDEN = {stroke: false, fill: false};

  // ------------------------------------------------------------------------------------------------------
  // the state of the day, and dates (10_state.js, bound to the tables shown)

  E.stateOn = function (day) { return S.stateOn(E.t, day); };
  E.isoOf = function (day) { return S.isoOf(E.t, day); };
  E.dayOfIso = function (iso) { return S.dayOfIso(E.t, iso); };
  E.clampDay = function (day) { return S.clampDay(E.t, day); };
  E.longDate = function (day) { return S.longDate(E.t, day); };
  E.shortDate = function (day) { return S.shortDate(E.t, day); };
  E.color = function (h) { return E.t.colors[E.t.holders[h]] || window.raqqaUtil.color("unknown-holder"); };

  // ------------------------------------------------------------------------------------------------------
  // page elements, by the ids the page declares (tables.ids): a misnamed id fails here, loudly

  E.id = function (key) {
    const id = E.t && E.t.ids[key];
    if (!id) { throw new Error("engine: the page declares no id for '" + key + "'"); }
    return id;
  };
  E.el = function (key) {
    const el = document.getElementById(E.id(key));
    if (!el) { throw new Error("engine: #" + E.id(key) + " (" + key + ") is not on the page"); }
    return el;
  };
  E.setProps = function (key, props) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) { return; }
    window.dash_clientside.set_props(E.id(key), props);
  };
  const ELEMENTS = ["date", "figures", "front", "changed", "feed", "caption"];  // ids of elements in the DOM (not stores)

  // ------------------------------------------------------------------------------------------------------
  // the layer registry: the date-dependent layers of layers.LAYERS (tables.layer_names), each with its
  // assets/layer_<name>.js keeping the contract: bind, restyle, kinds (what bind registers, and how many)

  function plugins(t) {
    const kinds = {};
    return t.layer_names.map(function (name) {
      const impl = (window.raqqaLayers || {})[name];
      if (!impl) { throw new Error("layer '" + name + "': assets/layer_" + name + ".js does not define raqqaLayers." + name); }
      ["bind", "restyle", "kinds"].forEach(function (k) {
        if (!impl[k]) { throw new Error("layer '" + name + "': raqqaLayers." + name + "." + k + " is missing"); }
      });
      Object.keys(impl.kinds).forEach(function (k) {
        if (kinds[k]) { throw new Error("layers '" + kinds[k] + "' and '" + name + "' both register '" + k + "'"); }
        kinds[k] = name;
      });
      return {name: name, impl: impl};
    });
  }

  /* Called by the layers' bind functions for every feature they create that changes with the date. */
  E.register = function (kind, i, layer) {
    (E.reg[kind] = E.reg[kind] || [])[i] = layer;
    (E.shown[kind] = E.shown[kind] || [])[i] = undefined;
    layer.on("add", function () { if (E.t && E.day !== null) { E.shown[kind] = []; scheduleRender(); } });
  };

  function kindsOf(p) { return Object.keys(p.impl.kinds); }

  // ------------------------------------------------------------------------------------------------------
  // drawing one day

  function render() {
    const t = E.t, day = E.day;
    const s = E.state = E.stateOn(day);
    const cmp = E.compare === null ? null : E.stateOn(E.compare);
    E.layers.forEach(function (p) {
      kindsOf(p).forEach(function (k) { E.reg[k] = E.reg[k] || []; E.shown[k] = E.shown[k] || []; });
      p.impl.restyle({t: t, day: day, state: s, compare: cmp, reg: E.reg, shown: E.shown});
    });
    figures(s, cmp);
    feed(day);
    E.setText(E.el("date"), E.longDate(E.day));
    if (E.briefing) { E.caption(); }
    if (E.afterRender) { E.afterRender(); }  // the event's ring and name, an event beyond the map (24_framing.js)
  }
  E.render = render;

  /* Tell tests and benchmarks which day the whole map shows: only once every layer has registered all of its
     features (overlays mount a moment after the map; until then a later render() completes the picture). */
  function markRendered() {
    const have = function (arr) { let n = 0; for (let i = 0; i < (arr || []).length; i++) { if (arr[i]) { n++; } } return n; };
    const missing = E.layers.some(function (p) {
      return kindsOf(p).some(function (k) { return have(E.reg[k]) < p.impl.kinds[k](E.t); });
    });
    if (missing) { delete document.body.dataset.renderedDay; return; }
    document.body.dataset.renderedDay = String(E.day);  // the map's SVG now shows this day
    document.body.dataset.renderedDate = E.isoOf(E.day);
  }

  function scheduleRender() {
    if (E.renderQueued) { return; }
    E.renderQueued = true;
    window.requestAnimationFrame(function () { E.renderQueued = false; if (E.t && E.day !== null) { render(); markRendered(); } });
  }

  /* The area table: km², share, and the change since the compare date when there is one (else since the
     previous event); with a compare date, the km² that changed hands between the two dates. */
  function figures(s, cmp) {
    const t = E.t, before = cmp || E.stateOn(S.prevEventDay(t, s.day));
    const ground = s.km2.reduce(function (a, b) { return a + b; }, 0) || 1;
    const table = E.el("figures");
    t.holders.forEach(function (name, h) {
      const tr = table.querySelector('tr[data-holder="' + CSS.escape(name) + '"]');
      if (!tr) { return; }
      const d = Math.round(s.km2[h] - before.km2[h]);
      E.setText(tr.querySelector(".km2"), Math.round(s.km2[h]).toLocaleString("en"));
      E.setText(tr.querySelector(".share"), Math.round(100 * s.km2[h] / ground) + "%");
      const cell = tr.querySelector(".delta");
      E.setText(cell, d === 0 ? "±0" : (d > 0 ? "+" : "−") + Math.abs(d).toLocaleString("en"));
      if (cell) { cell.dataset.sign = d > 0 ? "up" : d < 0 ? "down" : "flat"; }
    });
    E.setText(E.el("front"), "Frontline length: " + Math.round(s.front).toLocaleString("en") + " km");
    let moved = 0;
    if (cmp) { s.cellHolder.forEach(function (h, i) { if (h !== cmp.cellHolder[i]) { moved += t.cell_km2[i]; } }); }
    E.setText(E.el("changed"), cmp ? Math.round(moved).toLocaleString("en") + " km² changed hands between " +
      E.shortDate(Math.min(E.compare, s.day)) + " and " + E.shortDate(Math.max(E.compare, s.day)) : "");
  }

  E.setText = function (el, value) { if (el && el.textContent !== value) { el.textContent = value; } };

  /* The feed (assets/25_feed.js): marks the events of the day, brings them into view. */
  function feed(day) { window.raqqaFeed.mark(day); }
  E.selectFeedItem = function (id) { window.raqqaFeed.select(id); };

  // ------------------------------------------------------------------------------------------------------
  // changing the date

  E.setDay = function (day, opts) {
    opts = opts || {};
    if (!E.t) { E.pendingDay = day; return; }
    day = E.clampDay(day);
    if (day === E.day && !opts.force) { return; }
    E.day = day;
    render();
    markRendered();
    if (!opts.fromSlider) { sliderSoon(); }
    if (!opts.fromUrl) { E.writeUrl(opts.push); }
    settleSoon();
  };

  /* The slider thumb is a React component: re-rendering it on every step of a fast scrub would delay the map's
     frames, so its value follows at most every SLIDER_MS (the date and the map never wait for it). */
  function sliderSoon() {
    if (E.sliderTimer) { return; }
    E.sliderTimer = setTimeout(function () {
      E.sliderTimer = null;
      E.sliderSent = E.day;  // its echo through fromSlider may arrive after a newer step: ignored there
      E.setProps("slider", {value: E.day});
    }, SLIDER_MS);
  }

  E.setCompare = function (day, opts) {
    E.compare = day === null || day === undefined ? null : E.clampDay(day);
    if (E.t && E.day !== null) { render(); }
    if (!(opts && opts.fromInput)) { E.setProps("compare", {value: E.compare === null ? null : E.isoOf(E.compare)}); }
    if (!(opts && opts.fromUrl)) { E.writeUrl(true); }
    settleSoon();
  };

  function settleSoon() {
    clearTimeout(E.settleTimer);
    E.settleTimer = setTimeout(function () {
      E.setProps("settled", {data: {day: E.day, compare: E.compare, date: E.isoOf(E.day)}});
      if (document.getElementById(E.id("chart"))) {  // the trend chart, once its tab has been opened
        E.setProps("chart", {referenceLines: [{x: E.isoOf(E.day), label: E.shortDate(E.day), color: "red.7"}]});
      }
    }, SETTLE_MS);
  }

  // ------------------------------------------------------------------------------------------------------
  // hooks: the map and the layers control

  function hook() {
    if (!window.L || hook.done) { return; }
    hook.done = true;
    L.Map.addInitHook(function () {
      if (!this.getContainer().closest || !this.getContainer().closest(".map-panel")) { return; }
      E.map = this;  // a new page (another theatre) brings a new map: forget the old one's features
      E.reg = {}; E.shown = {};
      E.started = false; E.viewReady = false;
      Object.keys(window.raqqaLayers || {}).forEach(function (n) { if (window.raqqaLayers[n].reset) { window.raqqaLayers[n].reset(); } });
      this.on("moveend", function () { if (E.t && E.viewReady) { E.writeUrl(false); } });
      this.on("overlayadd overlayremove", function () { if (E.t) { E.writeUrl(true); } });
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
    E.layers.forEach(function (p) { if (p.impl.ready) { p.impl.ready(E.t); } });
    // the page may still be settling its size at mount: fit the view once layout is final
    window.requestAnimationFrame(function () { E.map.invalidateSize({animate: false}); E.bound(); E.applyUrl(); });
  }

  /* The tables against their declared schema (layers/features/tables.py, carried in tables.schema). */
  function checkTables(tables) {
    const schema = tables.schema, problems = [];
    if (!schema) { throw new Error("engine: the tables carry no schema"); }
    const kind = function (v) { return Array.isArray(v) ? "array" : v === null ? "null" : typeof v; };
    Object.keys(schema).forEach(function (k) {
      if (!(k in tables)) { problems.push(k + ": missing"); }
      else if (kind(tables[k]) !== schema[k]) { problems.push(k + ": " + kind(tables[k]) + ", not " + schema[k]); }
    });
    Object.keys(tables).forEach(function (k) { if (!(k in schema)) { problems.push(k + ": not in the schema"); } });
    if (problems.length) { throw new Error("engine: the tables do not match their schema: " + problems.join("; ")); }
  }

  /* Take the tables of the page now shown and draw it. */
  function start(tables) {
    checkTables(tables);
    E.layers = plugins(tables);
    E.tables = tables;  // as the page sent them; E.t adds what the derivation needs
    E.t = S.prepare(Object.assign({}, tables, {events: window.raqqaFeed.records(tables)}));
    ELEMENTS.forEach(E.el);  // the page's elements the engine writes to are there
    E.day = null; E.state = null; E.started = false;
    E.shown = {};
    if (E.map) { ready(); }
  }
  E.start = start;
})();
