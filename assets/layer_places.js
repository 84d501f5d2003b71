/* Places: a dot in the holder's colour on the chosen date; hollow and dashed when the location is estimated. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)

  function placeStyle(holder, estimated, selected) {
    return {radius: selected ? 8 : 4, color: selected ? C("event") : C("place-edge"), weight: selected ? 3 : 1,
      fillColor: holder >= 0 ? E().color(holder) : C("no-holder"), fillOpacity: estimated ? 0.3 : 1, dashArray: estimated ? "2 2" : null};
  }

  function placeTip(p, props) {
    const e = E(), t = e.t, s = e.state;
    if (!t || !s) { return props.name; }
    const row = s.placeRow[p];
    const r = row >= 0 ? t.rows[row] : null;
    return window.raqqaUtil.tip([
      ["b", props.name],
      ["span", (props.alt_names || []).slice(0, 4).join(" · "), "muted"],
      ["div", r ? "Held by " + (t.labels[t.holders[r.holder]] || t.holders[r.holder]) + " since " + e.shortDate(r.day) + " (row " + r.id + ", " + r.confidence + " confidence)" : "No report yet on this date"],
      ["div", r && r.source ? "Source: " + (r.source_title || "") + " (" + r.source.split("/")[2] + ")" : "", "muted"],
      ["div", "Location: " + props.confidence + " confidence" + (props.confidence !== "high" ? " (estimated; drawn hollow)" : ""), "muted"],
      ["div", props.coord_source ? "Coordinate: " + props.coord_source : "", "muted"],
      ["div", props.coord_method && props.coord_method !== props.coord_source ? props.coord_method : "", "muted"],
    ]);
  }

  function placeTipOf(layer) { const p = layer.feature.properties; return placeTip(p.p, p); }
  function placeClick(layer) { E().selectPlace(layer.feature.properties.p); }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    places: {
      kinds: {places: function (t) { return t.places.length; }},
      point: function (feature, latlng) {
        const estimated = feature.properties.confidence !== "high";
        return L.circleMarker(latlng, {radius: 4, color: C("place-edge"), weight: 1, fillColor: C("no-holder"), fillOpacity: estimated ? 0.3 : 1, dashArray: estimated ? "2 2" : null});
      },
      bind: function (feature, layer, context) {
        const p = feature.properties;
        window.raqqaCanvas.adopt(layer, context);
        E().register("places", p.p, layer);
        window.raqqaUtil.groupTip(layer, placeTipOf, {}, placeClick);
      },
      restyle: function (v) {
        const t = v.t, s = v.state, selected = E().selectedPlace;
        v.reg.places.forEach(function (layer, p) {
          if (!layer) { return; }
          const row = s.placeRow[p], h = row >= 0 ? t.rowHolder[row] : -1;
          const key = h * 2 + (selected === p ? 1 : 0);
          if (v.shown.places[p] !== key) {
            layer.setStyle(placeStyle(h, layer.feature.properties.confidence !== "high", selected === p));
            v.shown.places[p] = key;
          }
        });
      },
    },
  });
})();
