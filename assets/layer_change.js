/* Ground that changed hands: outlined in the gaining faction's colour over a hatch. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  change: {
    style: function (feature, context) {
      const to = feature.properties.to;
      return {color: context.hideout.colors[to] || "#555", weight: 2.5, fillColor: "url(#hatch-gain)", fillOpacity: 1};
    },
    bind: function (feature, layer) {
      const p = feature.properties;
      layer.bindTooltip(window.raqqaUtil.tip([
        ["b", p.from + " → " + p.to], ["span", p.area_km2.toLocaleString("en") + " km²"],
      ]), {sticky: true});
    },
  },
});
