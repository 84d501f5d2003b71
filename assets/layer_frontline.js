/* Frontlines: the edges between neighbouring cells whose holders differ; the engine shows the ones in force. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  frontline: {
    style: function () { return {stroke: false, fill: false}; },
    bind: function (feature, layer) {
      const E = window.raqqaEngine;
      E.register("edges", feature, layer);
      layer.bindTooltip(function () { return E.edgeTip(feature.properties.i); }, {sticky: true});
    },
  },
});
