/* Access: the map as one Tab stop (its shapes are not focusable: Leaflet's tooltips would make every path a
   Tab stop), the typed date, the polite announcement of the date and the areas, the slider marks' event
   labels, and the phone's bottom sheet. The elements are declared in layers/features/access.py. */
(function () {
  "use strict";
  const E = window.raqqaEngine;
  const S = window.raqqaState;
  const ANNOUNCE_MS = 700;      // the live region speaks once the date has rested this long

  /* Leaflet 1.9 opens a layer's tooltip when its SVG path gets focus, and listening for focus makes Chromium
     put every path in the Tab order (146 places, hundreds of cells). Tooltips still open on hover; places
     are reached from the keyboard through the Place tab and the search. */
  function unfocusableShapes() {
    if (!window.L || unfocusableShapes.done) { return; }
    unfocusableShapes.done = true;
    L.Layer.prototype._addFocusListeners = function () {};
  }
  unfocusableShapes();
  document.addEventListener("DOMContentLoaded", unfocusableShapes);

  function byId(id) { return document.getElementById(id); }

  // ------------------------------------------------------------------------------------------------------
  // the typed date

  E.dateProblem = function (text) {
    const out = byId("date-entry-error"), input = byId("date-entry");
    if (out) { out.textContent = text || ""; }
    if (input) { if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); } }
  };

  document.addEventListener("submit", function (ev) {
    const form = ev.target.closest && ev.target.closest(".date-form");
    if (!form) { return; }
    ev.preventDefault();
    const input = byId("date-entry");
    if (!E.t || !input) { return; }
    const text = input.value.trim();
    if (!text) { return; }
    const day = S.parseDay(E.t, text);
    if (day === null) {
      E.dateProblem("\u201c" + text + "\u201d is not a date of the campaign (" + E.longDate(0) + " to " +
        E.longDate(E.t.span) + "). Type e.g. 30 June 2017 or 2017-06-30.");
      return;
    }
    E.dateProblem("");
    input.value = "";
    E.setDay(day, {push: true});
  });

  // ------------------------------------------------------------------------------------------------------
  // after every date change: the slider's text for screen readers, then (once it rests) the announcement

  function eventsOn(day) {
    return E.t.events.onDay(day).map(function (e) { return e.title; });
  }

  function sliderText() {
    const slider = E.t && byId(E.id("slider"));
    if (!slider || E.day === null) { return; }
    const thumb = slider.querySelector('[role="slider"]');
    const evs = eventsOn(E.day);
    const text = E.longDate(E.day) + (evs.length ? ": " + evs.join("; ") : "");
    if (thumb && thumb.getAttribute("aria-valuetext") !== text) {
      thumb.setAttribute("aria-valuetext", text);
      thumb.dataset.label = text;
    }
    labelMarks(slider);
  }

  /* Each mark of the slider is an event date: its label names the events (shown on hover, read by title). */
  function labelMarks(slider) {
    const marks = slider.querySelectorAll(".mantine-Slider-mark");
    if (!marks.length || marks[0].dataset.label) { return; }
    marks.forEach(function (mark, i) {
      const day = E.t.eventDays[i];
      if (day === undefined) { return; }
      const text = E.shortDate(day) + ": " + eventsOn(day).join("; ");
      mark.dataset.label = text;
      mark.setAttribute("title", text);
    });
  }

  /* The marks sit under the slider's track, which takes the pointer: a pointer within a few pixels of a mark
     shows that mark's label in a tip above it. */
  const MARK_PX = 6;
  document.addEventListener("pointermove", function (ev) {
    const tip = markTip();
    const slider = E.t && ev.target.closest && ev.target.closest("#" + E.id("slider"));
    let best = null, dist = MARK_PX + 1;
    if (slider) {
      slider.querySelectorAll(".mantine-Slider-mark[data-label]").forEach(function (m) {
        const r = m.getBoundingClientRect(), d = Math.abs(r.left + r.width / 2 - ev.clientX);
        if (d < dist) { dist = d; best = m; }
      });
    }
    if (!best) { tip.hidden = true; return; }
    const r = best.getBoundingClientRect();
    E.setText(tip, best.dataset.label);
    tip.hidden = false;
    tip.style.left = Math.max(4, Math.min(window.innerWidth - tip.offsetWidth - 4, r.left + r.width / 2 - tip.offsetWidth / 2)) + "px";
    tip.style.top = (r.top - tip.offsetHeight - 14) + "px";
  });
  function markTip() {
    let tip = byId("mark-tip");
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "mark-tip";
      tip.className = "mark-tip";
      tip.setAttribute("aria-hidden", "true");  // the same text is the slider's value text and each mark's title
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }

  function announce() {
    const live = byId("live-status");
    if (!live || !E.t || E.day === null) { return; }
    const parts = [];
    document.querySelectorAll("#" + E.id("figures") + " tr[data-holder]").forEach(function (tr) {
      const km2 = tr.querySelector(".km2");
      if (km2 && km2.textContent !== "0" && km2.textContent !== "–") {
        parts.push(tr.children[1].textContent + " " + km2.textContent + " km²");
      }
    });
    let text = E.longDate(E.day) + ". " + parts.join(", ") + ".";
    if (E.compare !== null) { text += " Compared with " + E.longDate(E.compare) + "."; }
    E.setText(live, text);
  }

  function afterChange() {
    if (!E.t) { return; }
    document.body.classList.toggle("has-compare", E.compare !== null);
    sliderText();
    deltaHead();
    clearTimeout(E.announceTimer);
    E.announceTimer = setTimeout(announce, ANNOUNCE_MS);
  }

  /* The figures' change column: since the compare date when there is one, else since the last event. */
  function deltaHead() {
    const th = document.querySelector("#" + E.id("figures") + " .delta-head");
    if (th) { E.setText(th, E.compare === null ? "Δ since last event" : "Δ since " + E.shortDate(E.compare)); }
  }

  ["setDay", "setCompare"].forEach(function (name) {
    const inner = E[name];
    E[name] = function () {
      const out = inner.apply(this, arguments);
      afterChange();
      return out;
    };
  });

  // ------------------------------------------------------------------------------------------------------
  // the phone's bottom sheet; the upload's file input named; Escape leaves the open sheet

  function setSheet(open) {
    document.body.classList.toggle("sheet-open", open);
    const b = byId("sheet-toggle");
    if (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("#sheet-toggle")) {
      setSheet(!document.body.classList.contains("sheet-open"));
    }
    const hit = ev.target.closest && ev.target.closest(".place-hit");
    if (hit && E.t) {  // a place found by the search: its history, and the map on it
      const p = +hit.dataset.place, place = E.t.places[p];
      E.selectPlace(p);
      if (place && E.map && place.lat !== null) { E.map.flyTo([place.lat, place.lon], Math.max(E.map.getZoom(), 10), {duration: 0.6}); }
    }
    if (ev.target.closest && ev.target.closest(".skip-link") && E.map) {
      ev.preventDefault();
      E.map.getContainer().focus();
    }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && document.body.classList.contains("sheet-open")) { setSheet(false); }
  });

  /* Elements rendered by components that take no aria attributes (the upload's file input, the map) get
     their names once they are on the page. */
  function nameThings() {
    nameThings.queued = false;
    document.querySelectorAll(".upload-drop input[type=file]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Choose the theatre's files to import");
    });
    // a tab panel scrolls: it takes focus so the keyboard can scroll it (the ARIA tabs pattern)
    document.querySelectorAll('.side-tabs [role="tabpanel"]:not([tabindex])').forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
    const map = E.map && E.map.getContainer();
    if (map && !map.getAttribute("aria-label")) {
      map.setAttribute("role", "region");
      map.setAttribute("aria-label", "Map: the arrow keys pan, + and − zoom; places are listed in the Place tab and found by the search");
    }
  }
  new MutationObserver(function () {
    if (!nameThings.queued) { nameThings.queued = true; window.requestAnimationFrame(nameThings); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
