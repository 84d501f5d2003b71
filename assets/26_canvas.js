/* Large theatres: the date-dependent parts with many features (layers/features/map_view.py canvas_from) are drawn
   on one canvas instead of one SVG element per feature, which makes every day's step slow past a few thousand.
   One canvas for all of them: stacked canvases would each catch the pointer over the whole map, hiding the
   tooltips of those beneath. Its features keep their layers' order (their Z, the hideout's canvas.z), in
   drawing and in hit-testing; the SVG hatch patterns become canvas patterns. */
(function () {
  "use strict";
  let shared = null;

  const ordered = function () { return L.Canvas.extend({
    // a feature goes after the last one of its Z or below (Leaflet appends it, drawing it above all)
    _initPath: function (layer) {
      this._updateDashArray(layer);
      this._layers[L.stamp(layer)] = layer;
      const z = layer._raqqaZ, tails = this._tails || (this._tails = {});
      let after = null, best = -Infinity;
      Object.keys(tails).forEach(function (k) {
        if (+k <= z && +k > best && tails[k]) { best = +k; after = tails[k]; }
      });
      const order = layer._order = {layer: layer, prev: after, next: after ? after.next : this._drawFirst};
      if (order.prev) { order.prev.next = order; } else { this._drawFirst = order; }
      if (order.next) { order.next.prev = order; } else { this._drawLast = order; }
      tails[z] = order;
    },
    _removePath: function (layer) {
      const order = layer._order, z = layer._raqqaZ;
      if (order && this._tails[z] === order) { this._tails[z] = order.prev && order.prev.layer._raqqaZ === z ? order.prev : null; }
      L.Canvas.prototype._removePath.call(this, layer);
    },
  }); };

  const patterns = new WeakMap();  // an SVG <pattern> element -> its canvas pattern

  /* The canvas twin of an SVG <pattern> of rects and lines (assets/00_util.js hatches, layer_control.js). */
  function canvasPattern(el) {
    const w = +el.getAttribute("width"), h = +el.getAttribute("height");
    const cv = document.createElement("canvas");
    cv.width = w; cv.height = h;
    const ctx = cv.getContext("2d");
    Array.prototype.forEach.call(el.children, function (c) {
      const a = function (k, d) { const v = c.getAttribute(k); return v === null ? d : v; };
      if (c.tagName === "rect") {
        ctx.globalAlpha = +a("fill-opacity", 1); ctx.fillStyle = a("fill", "black"); ctx.fillRect(0, 0, w, h);
      } else if (c.tagName === "line") {
        ctx.globalAlpha = +a("stroke-opacity", 1); ctx.strokeStyle = a("stroke", "black"); ctx.lineWidth = +a("stroke-width", 1);
        ctx.beginPath(); ctx.moveTo(+a("x1", 0), +a("y1", 0)); ctx.lineTo(+a("x2", 0), +a("y2", 0)); ctx.stroke();
      }
    });
    const p = ctx.createPattern(cv, "repeat");
    const m = /rotate\(([-\d.]+)\)/.exec(el.getAttribute("patternTransform") || "");
    if (m) { p.setTransform(new DOMMatrix().rotate(+m[1])); }
    return p;
  }

  /* Hit-testing on the shared canvas as SVG paints: a hidden feature (no stroke, no fill) is not under the
     pointer, an unfilled one only on its line. Once, on the classes (a function per feature would cost memory
     at 20,000 features); features on other renderers are hit as before. */
  function hitAsSvg() {
    const line = L.Polyline.prototype._containsPoint;
    [L.Polygon, L.Polyline, L.CircleMarker].forEach(function (K) {
      const own = K.prototype._containsPoint;
      K.prototype._containsPoint = function (p, closed) {
        const o = this.options;
        if (o.renderer === shared) {
          if (!o.stroke && !o.fill) { return false; }
          if (!o.fill && this instanceof L.Polygon) { return line.call(this, p, true); }
        }
        return own.call(this, p, closed);
      };
    });
  }

  window.raqqaCanvas = {
    /* From a layer's bind (before Leaflet adds the feature to the map): on the canvas if its part is. */
    adopt: function (layer, context) {
      const c = context && context.hideout && context.hideout.canvas;
      if (!c) { return; }
      if (!shared) { shared = new (ordered())({pane: c.pane}); hitAsSvg(); }
      layer._raqqaZ = c.z;
      layer.options.renderer = shared;
    },
    /* A feature's style as its renderer draws it: on the canvas, url(#id) fills become canvas patterns. */
    style: function (layer, style) {
      const f = style.fillColor;
      if (layer.options.renderer !== shared || !shared || typeof f !== "string" || f.indexOf("url(#") !== 0) { return style; }
      const el = document.getElementById(f.slice(5, -1));
      if (!el) { return style; }
      if (!patterns.has(el)) { patterns.set(el, canvasPattern(el)); }
      return Object.assign({}, style, {fillColor: patterns.get(el)});
    },
  };
})();
