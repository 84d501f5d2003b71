/* Places: a dot in the holder's colour; hollow when the coordinates are estimated. */
window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
  places: {
    point: function (feature, latlng, context) {
      const p = feature.properties;
      const fill = context.hideout.colors[p.holder] || "#ffffff";
      const estimated = p.confidence !== "high";
      return L.circleMarker(latlng, {radius: 4, color: "#111", weight: 1, fillColor: fill, fillOpacity: estimated ? 0.25 : 1, dashArray: estimated ? "2 2" : null});
    },
    bind: function (feature, layer) {
      const p = feature.properties;
      layer.bindTooltip(window.raqqaUtil.tip([
        ["b", p.name],
        ["span", (p.alt_names || []).slice(0, 4).join(" · "), "muted"],
        ["div", p.holder ? "Held by " + p.holder + " since " + p.since + " (row " + p.row + ", " + p.row_confidence + " confidence)" : "No ledger row yet"],
        ["div", p.source_url ? "Source: " + p.source_url : "", "muted"],
        ["div", "Location: " + p.confidence + " confidence", "muted"],
      ]));
    },
  },
});
