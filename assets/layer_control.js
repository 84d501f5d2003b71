/* Ground held: the cells (coloured per day by the engine) and authored override polygons.
   Contested, unreported and low-confidence ground are hatched, so they read without colour. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  control: {
    style: function (feature, context) {
      const E = window.raqqaEngine;
      if (context.hideout.part === "overrides") { return {stroke: false, fill: false}; }  // the engine shows it on its days
      return E.initialStyle("cells", feature);
    },
    bind: function (feature, layer, context) {
      const E = window.raqqaEngine;
      const i = feature.properties.i;
      if (context && context.hideout && context.hideout.part === "overrides") {
        E.register("overrides", feature, layer);
        layer.bindTooltip(function () {
          const p = feature.properties;
          return window.raqqaUtil.tip([["b", p.holder + " (authored outline)"], ["span", "Rows: " + p.rows.join(", ")], ["div", p.note, "muted"]]);
        }, {sticky: true});
        return;
      }
      E.register("cells", feature, layer);
      layer.bindTooltip(function () { return E.cellTip(i); }, {sticky: true});
      if (i >= 0) { layer.on("click", function () { E.selectPlace(E.placeOfCell(i)); }); }
    },
  },
});
