/* Events of the chosen date (large) and of the fortnight before it (small). */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  events: {
    point: function (feature, latlng) {
      const cur = feature.properties.current;
      return L.circleMarker(latlng, {radius: cur ? 11 : 7, color: "#0b3d91", weight: cur ? 3 : 2, fillColor: "#ffffff", fillOpacity: cur ? 0.9 : 0.4});
    },
    bind: function (feature, layer) {
      const p = feature.properties;
      layer.bindTooltip(window.raqqaUtil.tip([["b", p.title], ["span", p.date + " · " + p.place], ["div", p.kind + ", " + p.confidence + " confidence", "muted"]]));
    },
  },
});
