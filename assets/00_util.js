/* Shared helpers for the layer scripts: build tooltips from data as text (never HTML), and the SVG hatch
   patterns that mark contested and unreported ground. */
window.raqqaUtil = Object.assign({}, window.raqqaUtil, {
  /* A colour of the one palette (assets/00_theme.css, --name), read once; an unknown name fails loudly. */
  color: function (name) {
    const cache = window.raqqaUtil.colors = window.raqqaUtil.colors || {};
    if (!cache[name]) {
      const v = getComputedStyle(document.documentElement).getPropertyValue("--" + name).trim();
      if (!v) { throw new Error("palette: no colour --" + name + " in assets/00_theme.css"); }
      cache[name] = v;
    }
    return cache[name];
  },
  /* One tooltip, and one click handler, for all the features of a group (a layer part's GeoJSON), bound on
     the group instead of on each feature: a Tooltip and its listeners per feature cost memory at 20,000
     features. ``tip(feature)`` makes the content of the feature under the pointer (raqqaUtil.tip: text, never
     HTML); ``click(feature)``, if given, answers a click on it. Called by a layer's bind for every feature
     with the same functions; the group is bound once, as soon as the first feature has joined it. */
  groupTip: function (layer, tip, options, click) {
    Promise.resolve().then(function () {
      const parents = layer._eventParents || {};
      Object.keys(parents).forEach(function (k) {
        const group = parents[k];
        if (group._raqqaTip) { return; }
        group._raqqaTip = true;
        group.bindTooltip(tip, options);
        if (click) { group.on("click", function (e) { if (e.layer && e.layer.feature) { click(e.layer); } }); }
      });
    });
  },
  /* ``hex`` laid over the land at ``alpha``, as one opaque colour: ground drawn with it covers whatever lies
     beneath (hatching, lines), and looks as it would translucent over the bare land. */
  overLand: function (hex, alpha) {
    const rgb = function (h) { return /^#[0-9a-f]{6}$/i.test(h) ? [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }) : null; };
    const a = rgb(hex), b = rgb(window.raqqaUtil.color("land"));
    if (!a || !b) { throw new Error("overLand: " + hex + " is not a #rrggbb colour"); }
    return "#" + a.map(function (v, k) { return Math.round(alpha * v + (1 - alpha) * b[k]).toString(16).padStart(2, "0"); }).join("");
  },
  /* A tooltip element from [tag, text, className] rows; text goes in as textContent, so data stays text. */
  tip: function (rows) {
    const box = document.createElement("div");
    box.className = "map-tip";
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === "") { return; }
      const el = document.createElement(r[0]);
      el.textContent = String(r[1]);
      if (r[2]) { el.className = r[2]; }
      box.appendChild(el);
    });
    return box;
  },
  hatches: function () {
    if (document.getElementById("raqqa-patterns")) { return; }
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("id", "raqqa-patterns");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.style.position = "absolute";
    const defs = document.createElementNS(ns, "defs");
    const c = window.raqqaUtil.color;
    [["hatch-contested", c("contested"), c("contested-hatch"), 45, 0.45], ["hatch-none", c("none-fill"), c("none-hatch"), 135, 0.6],
     ["hatch-gain", c("panel"), c("gain-hatch"), 45, 0.0, true]].forEach(function (p) {
      const pat = document.createElementNS(ns, "pattern");
      pat.setAttribute("id", p[0]);
      pat.setAttribute("patternUnits", "userSpaceOnUse");
      pat.setAttribute("width", "8");
      pat.setAttribute("height", "8");
      pat.setAttribute("patternTransform", "rotate(" + p[3] + ")");
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("width", "8");
      rect.setAttribute("height", "8");
      // the ground patterns are opaque (their colour over the land), so nothing beneath shows through;
      // the gain hatch (alpha 0) is meant to lie over the ground's own colour
      rect.setAttribute("fill", p[4] > 0 ? window.raqqaUtil.overLand(p[1], p[4]) : p[1]);
      rect.setAttribute("fill-opacity", p[4] > 0 ? "1" : "0");
      const line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("y1", "0");
      line.setAttribute("x2", "0");
      line.setAttribute("y2", "8");
      line.setAttribute("stroke", p[2]);
      line.setAttribute("stroke-width", "2.5");
      pat.appendChild(rect);
      pat.appendChild(line);
      if (p[5]) {  // cross-hatched: changed hands reads apart from the single hatch of low confidence
        const cross = line.cloneNode();
        cross.setAttribute("x1", "0"); cross.setAttribute("y1", "0"); cross.setAttribute("x2", "8"); cross.setAttribute("y2", "0");
        cross.setAttribute("stroke-width", "1.5");
        pat.appendChild(cross);
      }
      defs.appendChild(pat);
    });
    svg.appendChild(defs);
    document.body.appendChild(svg);
  },
});
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", window.raqqaUtil.hatches);
} else {
  window.raqqaUtil.hatches();
}
