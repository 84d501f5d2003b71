/* Basemap styles: land, governorates, reservoirs, rivers, the border, town labels. */
(function () {
  "use strict";
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)
  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    basemap: {
      style: function (feature, context) {
        const part = context.hideout.part;
        if (part === "syria") { return {stroke: false, fillColor: C("land"), fillOpacity: 1}; }
        if (part === "governorates") { return {color: C("governorate"), weight: 1, dashArray: "2 4", fill: false}; }
        if (part === "water") { return {stroke: true, color: C("water-edge"), weight: 1, fillColor: C("water"), fillOpacity: 1}; }
        if (part === "rivers") { return {color: C("river"), weight: feature.properties.name ? 3 : 1.5}; }
        if (part === "borders") { return {color: C("border"), weight: 2, dashArray: "8 4 2 4"}; }
        return {};
      },
      point: function (feature, latlng) {
        const m = L.circleMarker(latlng, {radius: 2.5, color: C("town"), weight: 1, fillColor: C("panel"), fillOpacity: 1});
        m.bindTooltip(String(feature.properties.name), {permanent: true, direction: "right", className: "town-label", offset: [4, 0]});
        return m;
      },
    },
  });
})();
