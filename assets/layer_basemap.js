/* Basemap styles: land, governorates, reservoirs, rivers, the border, town labels. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  basemap: {
    style: function (feature, context) {
      const part = context.hideout.part;
      if (part === "syria") { return {stroke: false, fillColor: "#efe9dc", fillOpacity: 1}; }
      if (part === "governorates") { return {color: "#8d8577", weight: 1, dashArray: "2 4", fill: false}; }
      if (part === "water") { return {stroke: true, color: "#6fa3c4", weight: 1, fillColor: "#9cc3da", fillOpacity: 1}; }
      if (part === "rivers") { return {color: "#5b9bc4", weight: feature.properties.name ? 3 : 1.5}; }
      if (part === "borders") { return {color: "#333333", weight: 2, dashArray: "8 4 2 4"}; }
      return {};
    },
    point: function (feature, latlng) {
      const m = L.circleMarker(latlng, {radius: 2.5, color: "#333", weight: 1, fillColor: "#fff", fillOpacity: 1});
      m.bindTooltip(String(feature.properties.name), {permanent: true, direction: "right", className: "town-label", offset: [4, 0]});
      return m;
    },
  },
});
