/* Ground that changed hands between the compare date and the chosen date: hatched, outlined in the gainer's colour. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  change: {
    style: function () { return {stroke: false, fill: false}; },
    bind: function (feature, layer) {
      const E = window.raqqaEngine;
      const i = feature.properties.i;
      if (i < 0) { layer.options.interactive = false; return; }
      E.register("change", feature, layer);
      layer.bindTooltip(function () { return E.changeTip(i); }, {sticky: true});
    },
  },
});
