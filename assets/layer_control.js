/* Ground held: filled by holder; contested and unreported ground hatched so it reads without colour. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  control: {
    style: function (feature, context) {
      const h = feature.properties.holder;
      if (h === "contested") { return {color: "#6d2f66", weight: 1, dashArray: "4 3", fillColor: "url(#hatch-contested)", fillOpacity: 1}; }
      if (h === "no reporting") { return {stroke: false, fillColor: "url(#hatch-none)", fillOpacity: 1}; }
      return {color: "#222", weight: 0.6, opacity: 0.6, fillColor: context.hideout.colors[h] || "#888", fillOpacity: 0.55};
    },
    bind: function (feature, layer) {
      const p = feature.properties;
      const rows = (p.rows || []).length;
      layer.bindTooltip(window.raqqaUtil.tip([
        ["b", p.holder === "no reporting" ? "No reporting" : p.holder],
        ["span", Math.round(p.area_km2).toLocaleString("en") + " km²"],
        ["div", p.holder === "no reporting" ? "No place in the ledger is near enough to say who held this ground."
          : rows + " ledger row(s) behind this ground; click a place for its history.", "muted"],
      ]), {sticky: true});
    },
  },
});
