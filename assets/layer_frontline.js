/* Frontlines between two factions' ground. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  frontline: {
    style: function (feature) {
      const contested = feature.properties.between.indexOf("contested") >= 0;
      return {color: "#b00020", weight: contested ? 2 : 3, dashArray: contested ? "3 5" : null, opacity: 0.9};
    },
    bind: function (feature, layer) {
      const p = feature.properties;
      layer.bindTooltip(window.raqqaUtil.tip([["b", "Front: " + p.between.join(" / ")], ["span", p.length_km + " km"]]), {sticky: true});
    },
  },
});
