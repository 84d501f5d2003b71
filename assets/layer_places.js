/* Places: a dot in the holder's colour on the chosen date; hollow and dashed when the location is estimated. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  places: {
    point: function (feature, latlng) {
      const estimated = feature.properties.confidence !== "high";
      return L.circleMarker(latlng, {radius: 4, color: "#111", weight: 1, fillColor: "#ffffff", fillOpacity: estimated ? 0.3 : 1, dashArray: estimated ? "2 2" : null});
    },
    bind: function (feature, layer) {
      const E = window.raqqaEngine;
      const p = feature.properties;
      E.register("places", feature, layer);
      layer.bindTooltip(function () { return E.placeTip(p.p, p); });
      layer.on("click", function () { E.selectPlace(p.p); });
    },
  },
});
