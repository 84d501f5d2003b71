/* Input: the keyboard (capture phase, so the slider thumb does not also move), clicks on the page's buttons
   and the feed, play, and the Dash inputs handed to the engine (the tables, the slider, the compare date,
   the speed, the tab). */
(function () {
  "use strict";
  const S = window.raqqaState;
  const E = window.raqqaEngine;
  const SNAP_DAYS = 3;          // a slider drag ending this close to an event date snaps to it
  const NOT_TEXT = ["checkbox", "radio", "range", "button", "submit", "reset", "color", "file", "image"];

  function typing(el) {
    if (!el) { return false; }
    const tag = el.tagName;
    if (tag === "INPUT") { return NOT_TEXT.indexOf((el.type || "").toLowerCase()) < 0; }
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function stepEvent(forward) { return S.stepEvent(E.t, E.day, forward); }

  /* The date keys act only when the page itself or the map has focus: a focused button, tab, link or field
     keeps its own keys (Space presses the button, arrows move between tabs). On the map (outside briefing
     mode) the arrows pan it, as Leaflet does. */
  function pageOrMap(el) {
    return !el || el === document.body || el === document.documentElement || (!!E.map && el === E.map.getContainer());
  }
  const PAN_KEYS = ["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown"];
  const CLICKER_KEYS = ["PageDown", "PageUp"];  // a presenter's clicker steps a briefing wherever focus is

  document.addEventListener("keydown", function (ev) {
    if (!E.t || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    const onPage = pageOrMap(ev.target);
    if (ev.key === "Escape" && !E.briefing && !onPage && !typing(ev.target)) {
      // Esc hands the keys back to the page: the focused button or tab lets go
      document.body.classList.remove("show-keys");
      if (ev.target.blur) { ev.target.blur(); }
      return;
    }
    if (typing(ev.target) && ev.key !== "Escape") { return; }
    if (!onPage && ev.key !== "Escape" && !(E.briefing && CLICKER_KEYS.indexOf(ev.key) >= 0)) { return; }
    if (!E.briefing && E.map && ev.target === E.map.getContainer() && PAN_KEYS.indexOf(ev.key) >= 0) { return; }
    let handled = true;
    const week = ev.shiftKey ? 7 : 1;
    if (E.briefing && ["PageDown", "ArrowRight", "ArrowDown"].indexOf(ev.key) >= 0) { E.briefingStep(1); }
    else if (E.briefing && ["PageUp", "ArrowLeft", "ArrowUp"].indexOf(ev.key) >= 0) { E.briefingStep(-1); }
    else if (ev.key === "ArrowRight") { E.setDay(E.day + week, {push: true}); }
    else if (ev.key === "ArrowLeft") { E.setDay(E.day - week, {push: true}); }
    else if (ev.key === "PageDown") { E.setDay(stepEvent(true), {push: true}); }
    else if (ev.key === "PageUp") { E.setDay(stepEvent(false), {push: true}); }
    else if (ev.key === "Home") { E.setDay(0, {push: true}); }
    else if (ev.key === "End") { E.setDay(E.t.span, {push: true}); }
    else if (ev.key === " " || ev.key === "Spacebar") { E.play(); }
    else if (ev.key === "b" || ev.key === "B") { E.setBriefing(); }
    else if (ev.key === "Escape") { if (E.briefing) { E.setBriefing(false); } else { document.body.classList.remove("show-keys"); handled = false; } }
    else if (ev.key === "f" || ev.key === "F") { E.fullscreen(); }
    else if (ev.key === "?") { document.body.classList.toggle("show-keys"); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); ev.stopPropagation(); }
  }, true);

  E.fullscreen = function () {
    if (document.fullscreenElement) { document.exitFullscreen().catch(function () {}); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen().catch(function () {}); }
  };

  document.addEventListener("click", function (ev) {
    if (!E.t) { return; }
    const act = ev.target.closest && ev.target.closest("[data-action]");
    if (act) {
      const a = act.dataset.action;
      if (a === "prev-event") { if (E.briefing) { E.briefingStep(-1); } else { E.setDay(stepEvent(false), {push: true}); } }
      else if (a === "next-event") { if (E.briefing) { E.briefingStep(1); } else { E.setDay(stepEvent(true), {push: true}); } }
      else if (a === "play") { E.play(); }
      else if (a === "briefing") { E.setBriefing(); }
      else if (a === "fullscreen") { E.fullscreen(); }
      else if (a === "keys") { document.body.classList.toggle("show-keys"); }
      else if (a === "compare-prev") { E.setCompare(S.prevEventDay(E.t, E.day)); }
      else if (a === "compare-clear") { E.setCompare(null); }
      return;
    }
    const item = ev.target.closest && ev.target.closest(".feed-item");
    if (item && item.closest("#" + E.id("feed"))) { E.goToEvent(item.dataset.event); }
  });

  /* A slider drag that ends near an event date lands on it. */
  document.addEventListener("pointerup", function (ev) {
    if (!E.t || !ev.target.closest || !ev.target.closest("#" + E.id("slider"))) { return; }
    setTimeout(function () {
      let best = null;
      E.t.eventDays.forEach(function (d) { if (Math.abs(d - E.day) <= SNAP_DAYS && (best === null || Math.abs(d - E.day) < Math.abs(best - E.day))) { best = d; } });
      if (best !== null && best !== E.day) { E.setDay(best, {push: true}); }
    }, 0);
  });

  E.play = function (on) {
    E.playing = on === undefined ? !E.playing : !!on;
    document.body.classList.toggle("playing", E.playing);
    document.querySelectorAll('[data-action="play"]').forEach(function (b) {
      b.textContent = E.playing ? (E.briefing ? "Stop autoplay" : "❚❚ Pause") : (E.briefing ? "Autoplay" : "▶ Play");
      b.setAttribute("aria-pressed", E.playing ? "true" : "false");
    });
    clearTimeout(E.autoTimer);
    if (!E.playing) { return; }
    if (E.briefing) { E.autoplayStep(); return; }
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

  E.goToEvent = function (id, opts) {
    const ev = E.t && E.t.eventsById[id];
    if (!ev) { return; }
    E.highlightEvent = id;
    E.selectFeedItem(id);
    E.eventsDay = null;  // the highlighted marker changed: look at every event once
    E.offmapEvent = ev.outside ? ev : null;  // beyond the map: a marker at its edge, no flight (24_framing.js)
    E.setDay(ev.day, {push: true, force: true});
    if (ev.lat !== null && !ev.outside && E.map && !(opts && opts.noFly)) {
      const z = Math.max(E.map.getZoom(), 10);
      E.map.flyTo(E.limited([ev.lat, ev.lon], z), z, {duration: 0.6});  // as near the place as the bounds allow
    }
  };

  E.selectPlace = function (p) {
    if (!E.t || p < 0 || p >= E.t.places.length) { return; }
    E.selectedPlace = p;
    E.shown.places = [];
    E.render();
    E.setProps("tabs", {value: "place"});  // first, so the panel is mounted when the history arrives
    E.setProps("place", {data: E.t.places[p].id});
  };

  const no = function () { return window.dash_clientside.no_update; };
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.engine = Object.assign({}, window.dash_clientside.engine, {
    init: function (tables) {
      if (!tables) { return no(); }
      clearTimeout(E.initTimer);
      const wanted = new URLSearchParams(window.location.search).get("theatre") || "";
      if (wanted !== (tables.theatre || "")) {
        // the page for ?theatre= is on its way and will replace this one: starting here would race it
        // (both would restore from, and write to, the same URL); start with this one only if it never comes
        E.initTimer = setTimeout(function () { E.start(tables); }, 5000);
        return no();
      }
      E.start(tables);
      return tables.theatre || "";
    },
    fromSlider: function (value) {
      if (value === E.sliderSent) { E.sliderSent = null; return no(); }
      if (E.t && typeof value === "number") { E.setDay(value, {fromSlider: true, push: true}); }
      return no();
    },
    fromCompare: function (value) {
      if (E.t) { const d = value ? E.dayOfIso(value) : null; if (d !== E.compare) { E.setCompare(d, {fromInput: true}); } }
      return no();
    },
    fromSpeed: function (value) { E.speed = Math.max(1, Math.min(120, +value || 7)); return no(); },
    onTab: function (tab) {
      if (tab !== "compare" || !E.t) { return no(); }
      return E.compare === null ? null : E.isoOf(E.compare);
    },
  });
})();
