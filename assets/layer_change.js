/* Ground that changed hands between the compare date and the chosen date: hatched, outlined in the gainer's colour. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };

  function changeStyle(toH) { return {stroke: true, color: E().color(toH), weight: 2.5, opacity: 1, fill: true, fillColor: "url(#hatch-gain)", fillOpacity: 1}; }

  function changeTip(i) {
    const e = E(), t = e.t, s = e.state;
    if (!t || !s || e.compare === null) { return ""; }
    const before = e.stateOn(e.compare);
    return window.raqqaUtil.tip([
      ["b", t.holders[before.cellHolder[i]] + " → " + t.holders[s.cellHolder[i]]],
      ["span", "between " + e.shortDate(Math.min(e.compare, e.day)) + " and " + e.shortDate(Math.max(e.compare, e.day))],
      ["div", Math.round(t.cell_km2[i]).toLocaleString("en") + " km²", "muted"],
    ]);
  }

  function changeTipOf(layer) { return changeTip(layer.feature.properties.i); }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    change: {
      kinds: {change: function (t) { return t.cell_places.length; }},
      style: function () { return {stroke: false, fill: false}; },
      bind: function (feature, layer, context) {
        const i = feature.properties.i;
        window.raqqaCanvas.adopt(layer, context);
        if (i < 0) { layer.options.interactive = false; return; }
        E().register("change", i, layer);
        window.raqqaUtil.groupTip(layer, changeTipOf, {sticky: true});
      },
      restyle: function (v) {
        const s = v.state, cmp = v.compare;
        v.reg.change.forEach(function (layer, c) {
          if (!layer) { return; }
          const key = cmp && cmp.cellHolder[c] !== s.cellHolder[c] ? s.cellHolder[c] : -1;
          if (v.shown.change[c] !== key) { layer.setStyle(key >= 0 ? window.raqqaCanvas.style(layer, changeStyle(key)) : E().HIDDEN); v.shown.change[c] = key; }
        });
      },
    },
  });
})();
