/* Events: large on their own date, small for the fortnight after; the engine shows and hides them. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  events: {
    point: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 7, color: "#0b3d91", weight: 2, fillColor: "#ffffff", fillOpacity: 0.4, className: "event-marker"});
    },
    bind: function (feature, layer) {
      const E = window.raqqaEngine;
      const p = feature.properties;
      E.register("events", feature, layer);
      layer.bindTooltip(function () {
        return window.raqqaUtil.tip([["b", p.title], ["span", p.date + " · " + p.place], ["div", p.kind + ", " + p.confidence + " confidence", "muted"]]);
      });
      layer.on("click", function () { E.goToEvent(p.id, {noFly: true}); });
    },
  },
});
