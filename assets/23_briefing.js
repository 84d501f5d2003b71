/* Briefing mode: full screen, large type, a caption per step, clicker keys; steps are every event, or the
   views of a saved briefing (?briefing=<id>). */
(function () {
  "use strict";
  const E = window.raqqaEngine;
  const AUTOPLAY_MS = 6000;     // briefing autoplay: one event every 6 s

  E.setBriefing = function (on, opts) {
    E.briefing = on === undefined ? !E.briefing : !!on;
    document.body.classList.toggle("briefing", E.briefing);
    if (!E.briefing) { document.body.classList.remove("dock-left", "dock-right"); E.dockSide = null; E.offmapEvent = null; }
    if (!E.briefing && document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
    E.play(false);
    if (E.map) { E.map.invalidateSize({animate: false}); E.bound(); }  // the map's new size, before framing
    if (E.briefing) {
      const steps = briefingSteps();
      let i = steps.findIndex(function (st) { return st.day >= E.day; });
      E.stepIndex = i < 0 ? steps.length - 1 : i;
      if (!(opts && opts.fromUrl) || (E.rawSteps && E.rawSteps.length)) { applyStep(steps[E.stepIndex]); }
      else if (E.map) {  // a link to briefing mode keeps the link's view; the panels dock away from the place
        E.caption();
        const c = E.map.getCenter();
        E.frameStep({day: E.day, center: [c.lat, c.lng], zoom: E.map.getZoom()});
      }
      E.caption();
    }
    if (!(opts && opts.fromUrl)) { E.writeUrl(true); }
    if (E.map) { setTimeout(function () { E.map.invalidateSize(); }, 50); }
  };

  /* The steps of briefing mode: a saved briefing's views if one was opened (?briefing=<id>), else every event. */
  function briefingSteps() {
    if (E.rawSteps && E.rawSteps.length) {
      const saved = E.rawSteps.map(function (v) {
        return {day: E.dayOfIso(v.date), compare: v.compare === undefined ? undefined : v.compare,
          center: Array.isArray(v.center) ? v.center : null, zoom: typeof v.zoom === "number" ? v.zoom : null,
          layers: Array.isArray(v.layers) ? v.layers : null, caption: typeof v.caption === "string" ? v.caption : null};
      }).filter(function (st) { return st.day !== null; });
      if (saved.length) { return saved; }
    }
    return E.t.eventDays.map(function (d) { return {day: d}; });
  }

  /* Draw the step's day (so its caption is final), then frame it (24_framing.js): a saved view keeps its own
     centre and zoom; an event opens at the city's zoom or the region's, clear of the caption and legend. */
  function applyStep(st) {
    if (!st) { return; }
    if (st.compare !== undefined) { E.compare = st.compare === null ? null : E.dayOfIso(st.compare); }
    if (st.layers) { E.applyLayers(st.layers); }
    E.highlightEvent = null;
    const ev = E.focusEvent(st.day);
    if (ev) {
      E.highlightEvent = ev.id;
      E.selectFeedItem(ev.id);
      E.eventsDay = null;
    }
    E.setDay(st.day, {push: true, force: true});
    E.frameStep(st);
  }

  E.currentStep = function () { return briefingSteps()[E.stepIndex]; };

  E.briefingStep = function (dir) {
    const steps = briefingSteps();
    const next = E.stepIndex + dir;
    if (next < 0 || next >= steps.length) { return false; }
    E.stepIndex = next;
    applyStep(steps[next]);
    return true;
  };

  E.autoplayStep = function () {
    E.autoTimer = setTimeout(function () {
      if (!E.playing || !E.briefing) { return; }
      if (!E.briefingStep(1)) { E.play(false); return; }
      E.autoplayStep();
    }, AUTOPLAY_MS);
  };

  /* The caption over the map: the date, the step's caption, the events of the day with their sources (text). */
  E.caption = function () {
    const box = E.el("caption");
    const steps = briefingSteps();
    const st = steps[E.stepIndex];
    const evs = E.t.events.onDay(E.day);
    box.replaceChildren();
    const add = function (tag, txt, cls) { if (!txt) { return; } const el = document.createElement(tag); el.textContent = txt; if (cls) { el.className = cls; } box.appendChild(el); };
    add("div", E.longDate(E.day), "cap-date");
    // a saved view's caption, unless it is the title of one of the day's events (shown just below)
    if (st && st.caption && !evs.slice(0, 2).some(function (ev) { return ev.title === st.caption; })) { add("div", st.caption, "cap-title"); }
    evs.slice(0, 2).forEach(function (ev) {
      add("div", ev.title, "cap-title");
      add("div", [ev.place, ev.kind === "article" ? "reported in the article" : "campaign milestone", ev.confidence + " confidence"].filter(Boolean).join(" · "), "cap-meta");
      if (ev.differs && ev.claim) { add("div", "The article said: " + ev.claim + "  —  Other sources: " + ev.corroborated, "cap-differs"); }
      if (ev.sources.length) { add("div", "Source: " + ev.sources.join(", "), "cap-source"); }
    });
    if (!evs.length && !(st && st.caption)) { add("div", "No event reported on this date.", "cap-meta"); }
    const hud = document.querySelector(".hud-step");
    if (hud) { hud.textContent = "Step " + (E.stepIndex + 1) + " of " + steps.length; }
  };

  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.engine = Object.assign({}, window.dash_clientside.engine, {
    /* A saved briefing's views ({date, compare, center, zoom, caption, …}) become the briefing's steps. */
    fromSteps: function (steps) {
      E.rawSteps = Array.isArray(steps) ? steps : [];
      if (E.rawSteps.length && E.briefing && E.t) { E.stepIndex = 0; applyStep(briefingSteps()[0]); E.caption(); }
      return window.dash_clientside.no_update;
    },
  });
})();
