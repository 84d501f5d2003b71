/* Basemap styles: land, governorates, reservoirs, rivers, the border, town labels. Each part carries its
   attribution (hideout.attribution, constant text from layers/core/basemap.py) so the map credits its sources. */
(function () {
  "use strict";
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)
  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    basemap: {
      style: function (feature, context) {
        const part = context.hideout.part;
        const credit = {attribution: context.hideout.attribution};
        if (part === "land") { return Object.assign(credit, {stroke: false, fillColor: C("land"), fillOpacity: 1}); }
        if (part === "governorates") { return Object.assign(credit, {color: C("governorate"), weight: 1, dashArray: "2 4", fill: false}); }
        if (part === "water") { return Object.assign(credit, {stroke: true, color: C("water-edge"), weight: 1, fillColor: C("water"), fillOpacity: 1}); }
        if (part === "rivers") { return Object.assign(credit, {color: C("river"), weight: feature.properties.name ? 3 : 1.5}); }
        if (part === "borders") { return Object.assign(credit, {color: C("border"), weight: 2, dashArray: "8 4 2 4"}); }
        return credit;
      },
      point: function (feature, latlng, context) {
        const m = L.circleMarker(latlng, {radius: 2.5, color: C("town"), weight: 1, fillColor: C("panel"), fillOpacity: 1, attribution: context.hideout.attribution});
        const label = document.createElement("span");  // a town's name is data: text, never HTML
        label.textContent = String(feature.properties.name);
        m.bindTooltip(label, {permanent: true, direction: "right", className: "town-label", offset: [4, 0]});
        return m;
      },
    },
  });
})();
