/* Briefing mode: full screen, large type, a caption per step, clicker keys; steps are every event, or the
   views of a saved briefing (?briefing=<id>). */
(function () {
  "use strict";
  const E = window.raqqaEngine;
  const AUTOPLAY_MS = 6000;     // briefing autoplay: one event every 6 s

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

  function applyStep(st) {
    if (!st) { return; }
    if (st.center && E.map) { E.map.flyTo(st.center, st.zoom || E.map.getZoom(), {duration: 0.6}); }
    if (st.compare !== undefined) { E.compare = st.compare === null ? null : E.dayOfIso(st.compare); }
    if (st.layers) { E.applyLayers(st.layers); }
    const evs = E.t.events.filter(function (e) { return e.day === st.day; });
    if (!st.center && evs.length && evs[0].lat !== null) {
      E.highlightEvent = evs[0].id;
      E.selectFeedItem(evs[0].id);
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
    const evs = E.t.events.filter(function (e) { return e.day === E.day; });
    box.replaceChildren();
    const add = function (tag, txt, cls) { if (!txt) { return; } const el = document.createElement(tag); el.textContent = txt; if (cls) { el.className = cls; } box.appendChild(el); };
    add("div", E.longDate(E.day), "cap-date");
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
