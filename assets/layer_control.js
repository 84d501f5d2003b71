/* Ground held: the cells (coloured per day by their holder) and authored override polygons on their days.
   Contested, unreported and low-confidence ground are hatched, so they read without colour. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const E = function () { return window.raqqaEngine; };
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)
  const GROUND_ALPHA = 0.55;  // a faction's colour over the land (layers/core/render.py draws the exports alike)

  function cellStyle(h, low) {
    const t = E().t, name = t.holders[h];
    if (h === t.noRep) { return {stroke: false, fill: true, fillColor: "url(#hatch-none)", fillOpacity: 1}; }
    if (name === "contested") { return {stroke: true, color: C("contested-hatch"), weight: 1, opacity: 0.8, dashArray: "4 3", fill: true, fillColor: "url(#hatch-contested)", fillOpacity: 1}; }
    // opaque fills (the colour as if laid at GROUND_ALPHA over the land): no hatching beneath shows through
    const c = E().color(h);
    return {stroke: true, color: c, weight: 0.8, opacity: 0.55, dashArray: null, fill: true,
      fillColor: low ? "url(#hatch-low-" + h + ")" : window.raqqaUtil.overLand(c, GROUND_ALPHA), fillOpacity: 1};
  }

  /* The style a cell starts with, before or after the engine has a date. */
  function initialStyle(feature) {
    const e = E(), i = feature.properties.i;
    if (!e.t || !e.state) { return i < 0 ? {stroke: false, fillColor: "url(#hatch-none)", fillOpacity: 1} : e.HIDDEN; }
    const s = e.state;
    return i < 0 ? cellStyle(e.t.noRep, false) : cellStyle(s.cellHolder[i], s.cellRow[i] >= 0 && e.t.rowLow[s.cellRow[i]] === 1);
  }

  /* One SVG pattern per faction for low-confidence ground: the faction's colour, hatched with white. */
  function patterns(t) {
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
      rect.setAttribute("fill", window.raqqaUtil.overLand(E().color(h), GROUND_ALPHA)); rect.setAttribute("fill-opacity", "1");
      const line = document.createElementNS(NS, "line");
      line.setAttribute("x1", "0"); line.setAttribute("y1", "0"); line.setAttribute("x2", "0"); line.setAttribute("y2", "7");
      line.setAttribute("stroke", C("panel")); line.setAttribute("stroke-width", "2.5"); line.setAttribute("stroke-opacity", "0.9");
      pat.appendChild(rect); pat.appendChild(line); defs.appendChild(pat);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  function cellTip(i) {
    const e = E(), t = e.t, s = e.state;
    if (!t || !s) { return ""; }
    if (i < 0) { return window.raqqaUtil.tip([["b", "No reporting"], ["div", "No place in the ledger is near enough to say who held this ground.", "muted"]]); }
    const row = s.cellRow[i];
    // a cell's "places" are ledger places, or one region of sourced regional ground (indices after the places')
    const region = t.cell_places[i].some(function (p) { return p >= t.places.length; });
    const names = t.cell_places[i].map(function (p) {
      return p < t.places.length ? t.places[p].name : t.regions[p - t.places.length].name + " (regional ground)";
    }).join(", ");
    if (row < 0) { return window.raqqaUtil.tip([["b", "No reporting"], ["span", names]]); }
    const r = t.rows[row];
    const holder = t.holders[r.holder];
    return window.raqqaUtil.tip([
      ["b", (t.labels[holder] || holder) + (holder === "contested" ? "" : " held")],
      ["span", "Around " + names + " · " + Math.round(t.cell_km2[i]).toLocaleString("en") + " km²"],
      ["div", "Since " + e.shortDate(r.day) + (r.precision !== "day" ? " (" + r.precision.replace("_", " ") + ")" : "") + " · row " + r.id],
      ["div", "Source: " + (r.source_title || "") + (r.source ? " (" + r.source.split("/")[2] + ")" : ""), "muted"],
      ["div", r.confidence + " confidence" + (r.confidence === "low" ? " (drawn hatched)" : ""), "conf-" + r.confidence],
      region ? ["div", t.regions[t.cell_places[i][0] - t.places.length].basis, "muted"] : ["div", "Click for the place's control history", "muted"],
    ]);
  }

  function placeOfCell(i) {
    const ps = E().t.cell_places[i];
    return ps && ps.length ? ps[0] : -1;
  }

  function cellTipOf(layer) { return cellTip(layer.feature.properties.i); }
  function cellClick(layer) { const i = layer.feature.properties.i; if (i >= 0) { E().selectPlace(placeOfCell(i)); } }
  function overrideTipOf(layer) {
    const p = layer.feature.properties;
    return window.raqqaUtil.tip([["b", p.holder + " (authored outline)"], ["span", "Rows: " + p.rows.join(", ")], ["div", p.note, "muted"]]);
  }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    control: {
      kinds: {cells: function (t) { return t.cell_places.length; }, overrides: function (t) { return t.n_overrides; }},
      style: function (feature, context) {
        if (context.hideout.part === "overrides") { return {stroke: false, fill: false}; }  // shown on its days
        return initialStyle(feature);
      },
      bind: function (feature, layer, context) {
        const i = feature.properties.i;
        window.raqqaCanvas.adopt(layer, context);
        if (context && context.hideout && context.hideout.part === "overrides") {
          E().register("overrides", i, layer);
          window.raqqaUtil.groupTip(layer, overrideTipOf, {sticky: true});
          return;
        }
        if (i >= 0) { E().register("cells", i, layer); }
        window.raqqaUtil.groupTip(layer, cellTipOf, {sticky: true}, cellClick);
      },
      ready: patterns,
      restyle: function (v) {
        const t = v.t, s = v.state, day = v.day;
        v.reg.cells.forEach(function (layer, c) {
          if (!layer) { return; }
          const key = s.cellHolder[c] * 2 + (s.cellRow[c] >= 0 ? t.rowLow[s.cellRow[c]] : 0);
          if (v.shown.cells[c] !== key) { layer.setStyle(window.raqqaCanvas.style(layer, cellStyle(s.cellHolder[c], key % 2 === 1))); v.shown.cells[c] = key; }
        });
        v.reg.overrides.forEach(function (layer, i) {
          const p = layer.feature.properties;
          const on = p.from <= day && day <= p.to;
          if (v.shown.overrides[i] !== on) {
            const h = t.holders.indexOf(p.holder);
            layer.setStyle(on ? window.raqqaCanvas.style(layer, Object.assign(cellStyle(h, false), {color: C("ground-edge"), weight: 1.2, opacity: 0.9})) : E().HIDDEN);
            v.shown.overrides[i] = on;
          }
        });
      },
    },
  });
})();
