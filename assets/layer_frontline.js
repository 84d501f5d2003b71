/* Frontlines: the edges between neighbouring cells whose holders differ; the ones in force are shown. On days
   with an authored override, its exact fronts are drawn instead. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)
  let exactLayer = null, exactShown;

  function frontStyle(t, i, s) {
    const e = t.edge_list[i];
    const contested = t.holders[s.cellHolder[e[0]]] === "contested" || t.holders[s.cellHolder[e[1]]] === "contested";
    return {stroke: true, color: C("front"), weight: contested ? 2 : 3, opacity: 0.9, dashArray: contested ? "3 5" : null};
  }

  function exactFronts(exact) {
    const map = E().map;
    if (!map || !window.L) { return; }
    if (exactShown === exact) { return; }
    if (exactLayer) { map.removeLayer(exactLayer); exactLayer = null; }
    if (exact) {
      exactLayer = L.geoJSON(exact.fronts, {pane: "pane-frontline", style: function () { return {color: C("front"), weight: 3, opacity: 0.9}; }}).addTo(map);
    }
    exactShown = exact;
  }

  function edgeTip(i) {
    const t = E().t, s = E().state;
    if (!t || !s) { return ""; }
    const e = t.edge_list[i];
    return window.raqqaUtil.tip([["b", "Front: " + t.holders[s.cellHolder[e[0]]] + " / " + t.holders[s.cellHolder[e[1]]]], ["span", e[2].toFixed(1) + " km of edge"]]);
  }

  function edgeTipOf(layer) { return edgeTip(layer.feature.properties.i); }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    frontline: {
      kinds: {edges: function (t) { return t.edge_list.length; }},
      style: function () { return {stroke: false, fill: false}; },
      bind: function (feature, layer, context) {
        window.raqqaCanvas.adopt(layer, context);
        E().register("edges", feature.properties.i, layer);
        window.raqqaUtil.groupTip(layer, edgeTipOf, {sticky: true});
      },
      reset: function () { exactLayer = null; exactShown = undefined; },  // a new map: the old one's layer is gone
      restyle: function (v) {
        const s = v.state, useExact = !!s.exact;
        v.reg.edges.forEach(function (layer, i) {
          const on = !useExact && s.edgeFront[i] === 1;
          if (v.shown.edges[i] !== on) { layer.setStyle(on ? window.raqqaCanvas.style(layer, frontStyle(v.t, i, s)) : E().HIDDEN); v.shown.edges[i] = on; }
        });
        exactFronts(s.exact);
      },
    },
  });
})();
