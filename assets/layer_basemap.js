/* Basemap styles: land, governorates, reservoirs, rivers, the border, town labels. Each part carries its
   attribution (hideout.attribution, constant text from layers/core/basemap.py) so the map credits its sources. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  basemap: {
    style: function (feature, context) {
      const part = context.hideout.part;
      const credit = {attribution: context.hideout.attribution};
      if (part === "land") { return Object.assign(credit, {stroke: false, fillColor: "#efe9dc", fillOpacity: 1}); }
      if (part === "governorates") { return Object.assign(credit, {color: "#8d8577", weight: 1, dashArray: "2 4", fill: false}); }
      if (part === "water") { return Object.assign(credit, {stroke: true, color: "#6fa3c4", weight: 1, fillColor: "#9cc3da", fillOpacity: 1}); }
      if (part === "rivers") { return Object.assign(credit, {color: "#5b9bc4", weight: feature.properties.name ? 3 : 1.5}); }
      if (part === "borders") { return Object.assign(credit, {color: "#333333", weight: 2, dashArray: "8 4 2 4"}); }
      return credit;
    },
    town: function (feature, latlng, context) {
      const m = L.circleMarker(latlng, {radius: 2.5, color: "#333", weight: 1, fillColor: "#fff", fillOpacity: 1, attribution: context.hideout.attribution});
      m.bindTooltip(String(feature.properties.name), {permanent: true, direction: "right", className: "town-label", offset: [4, 0]});
      return m;
    },
  },
});
