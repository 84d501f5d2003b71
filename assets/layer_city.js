/* The city view (layers/city.py): the city's districts as cells coloured by the city ledger on the chosen day,
   their labels, landmarks and outskirts as dots, and the city's outline (dashed and marked when estimated).
   The day's city state is the same derivation as the region's (raqqaState.stateOn on the tables' "city",
   twin of timeline.state_on); contested districts are hatched like contested ground, low-confidence rows too.
   The view shows from the zoom the tables give (city.min_zoom) and fills the "City" figures block. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };
  const S = window.raqqaState;
  const C = window.raqqaUtil.color;
  const PANE = "pane-city";  // layers/features/map_view.py: a dynamic layer's pane is pane-<NAME>
  const LABELS = "city-labels";  // the districts' names, just above the events' pane: a ring never hides a name

  function labelPane(map) {
    let pane = map.getPane(LABELS);
    if (!pane) {
      const events = map.getPane("pane-events");
      pane = map.createPane(LABELS);
      pane.style.zIndex = String((events ? +events.style.zIndex : 610) + 1);
      pane.style.pointerEvents = "none";
      pane.style.display = zoomed() ? "" : "none";
    }
    return pane;
  }

  function hasCity(t) { return !!(t && t.city && t.city.cell_places); }

  /* The city tables, prepared for the derivation once per page. */
  function cityT() {
    const e = E();
    if (!e.cityT || e.cityT.src !== e.t.city) {
      e.cityT = S.prepareLedger(Object.assign({src: e.t.city}, e.t.city));
    }
    return e.cityT;
  }

  function cellStyle(h, low) {
    const t = E().t, name = t.holders[h];
    if (h === t.noRep) { return {stroke: true, color: C("ground-edge"), weight: 1, opacity: 0.7, fill: true, fillColor: "url(#hatch-none)", fillOpacity: 1}; }
    if (name === "contested") { return {stroke: true, color: C("contested-hatch"), weight: 1.2, opacity: 0.9, dashArray: "4 3", fill: true, fillColor: "url(#hatch-contested)", fillOpacity: 1}; }
    const c = E().color(h);
    return {stroke: true, color: C("ground-edge"), weight: 1, opacity: 0.8, dashArray: null, fill: true,
      fillColor: low ? "url(#hatch-low-" + h + ")" : c, fillOpacity: low ? 1 : 0.7};
  }

  function markStyle(h, estimated) {
    return {radius: 5, color: C("place-edge"), weight: 1.5, fillColor: h >= 0 ? E().color(h) : C("no-holder"),
      fillOpacity: estimated ? 0.35 : 1, dashArray: estimated ? "2 2" : null};
  }

  function holderLabel(h) { const t = E().t, n = t.holders[h]; return t.labels[n] || n; }

  /* A district's tooltip: its state on the day, its rows (the history) and the disagreements kept. */
  function placeTip(p) {
    const e = E(), ct = cityT(), cs = e.cityState;
    const place = ct.places[p];
    const rowsOut = [["b", place.name]];
    if (!cs) { return window.raqqaUtil.tip(rowsOut); }
    const row = cs.placeRow[p];
    if (row < 0) {
      rowsOut.push(["div", "No report yet on this date"]);
    } else {
      const r = ct.rows[row];
      rowsOut.push(["div", holderLabel(r.holder) + (ct.holders[r.holder] === "contested" ? "" : " held") + " since " + e.shortDate(r.day) +
        (r.precision !== "day" ? " (" + r.precision.replace("_", " ") + ")" : "") + " · row " + r.id]);
      rowsOut.push(["div", r.description, "muted"]);
      rowsOut.push(["div", "Source: " + (r.source_title || "") + (r.source ? " (" + r.source.split("/")[2] + ")" : ""), "muted"]);
      rowsOut.push(["div", r.confidence + " confidence" + (r.confidence === "low" ? " (drawn hatched)" : ""), "conf-" + r.confidence]);
    }
    const history = ct.place_rows[p].map(function (i) {
      const r = ct.rows[i];
      return (r.precision === "day" ? "" : "by ") + r.date + " " + holderLabel(r.holder);
    });
    if (history.length) { rowsOut.push(["div", "History: " + history.join(" · "), "muted"]); }
    ct.alternatives.filter(function (a) { return a.place === p; }).forEach(function (a) {
      rowsOut.push(["div", "Disagreement (not drawn): " + a.date + " " + holderLabel(a.holder) + ", " + (a.source_title || "") + " (row " + a.id + ")", "muted"]);
    });
    rowsOut.push(["div", "Location: " + place.confidence + " confidence" + (place.kind === "outskirts" ? " · outside the city's extent" : ""), "muted"]);
    rowsOut.push(["div", "Click for its reports and sources", "muted"]);
    return window.raqqaUtil.tip(rowsOut);
  }

  /* The Place tab shows a district's rows, sources and disagreements (layers/features/city.py). */
  function selectDistrict(p) {
    const e = E();
    e.setProps("tabs", {value: "place"});  // first, so the panel is mounted when the history arrives
    e.setProps("place", {data: "city:" + cityT().places[p].id});
  }

  function outlineTip(props) {
    return window.raqqaUtil.tip([["b", props.name + (props.estimated ? " — estimated extent" : "")], ["div", props.basis, "muted"]]);
  }

  /* Whether the map is at city zoom: the pane, the labels and the figures follow. */
  function zoomed() {
    const e = E();
    if (!e.map || !hasCity(e.t)) { return false; }
    return e.map.getZoom() >= e.t.city.min_zoom;
  }

  function applyZoom() {
    const e = E();
    if (!e.map) { return; }
    const on = zoomed();
    [e.map.getPane(PANE), e.map.getPane(LABELS)].forEach(function (pane) { if (pane) { pane.style.display = on ? "" : "none"; } });
    document.body.classList.toggle("city-view", on);
    document.body.dataset.cityView = on ? "on" : "off";
    const block = document.getElementById(e.id("cityFigures"));
    if (block) { block.hidden = !on; }
  }

  function figures(cs) {
    const e = E(), ct = cityT();
    const block = document.getElementById(e.id("cityFigures"));
    if (!block) { return; }
    const total = ct.outline_km2 || 1;
    ct.holders.forEach(function (name, h) {
      const tr = block.querySelector('tr[data-holder="' + CSS.escape(name) + '"]');
      if (!tr) { return; }
      e.setText(tr.querySelector(".km2"), cs.km2[h].toFixed(1));
      e.setText(tr.querySelector(".share"), Math.round(100 * cs.km2[h] / total) + "%");
    });
  }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    city: {
      kinds: {
        cityCells: function (t) { return hasCity(t) ? t.city.cell_places.length : 0; },
        cityMarks: function (t) {
          return hasCity(t) ? t.city.places.filter(function (p) { return p.lat !== null && p.cell < 0; }).length : 0;
        },
      },
      style: function (feature, context) {
        if (context.hideout.part === "backdrop") { return {stroke: false, fill: true, fillColor: C("land"), fillOpacity: 1}; }
        if (context.hideout.part === "outline") {
          const est = feature.properties.estimated;
          return {stroke: true, color: C("event"), weight: 2, opacity: 0.9, dashArray: est ? "8 5" : null, fill: false};
        }
        const e = E();
        if (!e.t || !e.state || !e.cityState) { return e.HIDDEN; }
        const r = e.cityState.cellRow[feature.properties.i];
        return cellStyle(e.cityState.cellHolder[feature.properties.i], r >= 0 && cityT().rowLow[r] === 1);
      },
      point: function (feature, latlng) {
        const p = feature.properties;
        if (p.kind === "district") {
          const el = document.createElement("span");
          el.textContent = p.name.replace(/\s*\([^)]*\)\s*$/, "");  // text, never HTML; "(…)" is in the tooltip
          const map = E().map;
          return L.marker(latlng, {pane: map ? (labelPane(map), LABELS) : PANE, interactive: false, keyboard: false,
            icon: L.divIcon({className: "city-label", html: el, iconSize: null})});
        }
        return L.circleMarker(latlng, Object.assign({pane: PANE}, markStyle(-1, p.confidence === "low")));
      },
      bind: function (feature, layer, context) {
        const part = context && context.hideout ? context.hideout.part : "";
        const p = feature.properties;
        if (part === "backdrop") { return; }
        if (part === "outline") {
          layer.bindTooltip(function () { return outlineTip(p); }, {sticky: true});
          return;
        }
        if (part === "cells") {
          E().register("cityCells", p.i, layer);
          layer.bindTooltip(function () { return placeTip(p.place); }, {sticky: true});
          layer.on("click", function () { selectDistrict(p.place); });
          return;
        }
        if (p.kind === "district") { return; }  // a label
        E().register("cityMarks", p.place, layer);
        layer.bindTooltip(function () { return placeTip(p.place); });
        layer.on("click", function () { selectDistrict(p.place); });
      },
      ready: function () {
        const e = E();
        if (!e.map || e.cityZoomHooked === e.map) { return; }
        e.cityZoomHooked = e.map;
        e.map.on("zoomend", applyZoom);
        applyZoom();
      },
      reset: function () { const e = E(); if (e) { e.cityT = null; e.cityState = null; } },
      restyle: function (v) {
        const e = E();
        if (!hasCity(v.t)) { return; }
        const ct = cityT();
        const cs = e.cityState = S.stateOn(ct, v.day);
        (v.reg.cityCells || []).forEach(function (layer, c) {
          if (!layer) { return; }
          const key = cs.cellHolder[c] * 2 + (cs.cellRow[c] >= 0 ? ct.rowLow[cs.cellRow[c]] : 0);
          if (v.shown.cityCells[c] !== key) { layer.setStyle(cellStyle(cs.cellHolder[c], key % 2 === 1)); v.shown.cityCells[c] = key; }
        });
        (v.reg.cityMarks || []).forEach(function (layer, p) {
          if (!layer) { return; }
          const row = cs.placeRow[p], h = row >= 0 ? ct.rowHolder[row] : -1;
          if (v.shown.cityMarks[p] !== h) {
            layer.setStyle(markStyle(h, ct.places[p].confidence === "low"));
            v.shown.cityMarks[p] = h;
          }
        });
        figures(cs);
        applyZoom();
      },
    },
  });
})();
