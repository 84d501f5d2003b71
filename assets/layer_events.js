/* Events: large on their own date, small for the days after (tables.recent_days), hidden otherwise. */
(function () {
  "use strict";
  const E = function () { return window.raqqaEngine; };
  const C = window.raqqaUtil.color;  // the palette (assets/00_theme.css)

  /* Indices of the event markers to look at for ``day``: all after a (re)registration or a highlight change
     (E.eventsDay null), else those dated within recent_days before the previous or the new day. */
  function eventsToUpdate(v) {
    const e = E(), reg = v.reg.events, recent = v.t.recent_days, bisect = window.raqqaState.bisect;
    let n = 0;
    for (let i = 0; i < reg.length; i++) { if (reg[i]) { n++; } }
    if (!e.evIndex || e.evIndex.length !== n) {
      e.evIndex = [];
      reg.forEach(function (layer, i) { if (layer) { e.evIndex.push([layer.feature.properties.day, i]); } });
      e.evIndex.sort(function (a, b) { return a[0] - b[0]; });
      e.eventsDay = null;
    }
    if (e.eventsDay === null || e.eventsDay === undefined || v.shown.events.length === 0) {
      return e.evIndex.map(function (p) { return p[1]; });
    }
    const out = [];
    [e.eventsDay, v.day].forEach(function (d) {
      const k0 = bisect(e.evIndex, d - recent, function (p) { return p[0]; }, false);
      const k1 = bisect(e.evIndex, d, function (p) { return p[0]; }, true);
      for (let k = k0; k < k1; k++) { out.push(e.evIndex[k][1]); }
    });
    return out;
  }

  window.raqqaLayers = Object.assign({}, window.raqqaLayers, {
    events: {
      kinds: {events: function (t) { return t.events.filter(function (e) { return e.lat !== null; }).length; }},
      point: function (feature, latlng) {
        return L.circleMarker(latlng, {radius: 7, color: C("event"), weight: 2, fillColor: C("panel"), fillOpacity: 0.4, className: "event-marker"});
      },
      bind: function (feature, layer) {
        const p = feature.properties;
        E().register("events", p.i, layer);
        layer.bindTooltip(function () {
          return window.raqqaUtil.tip([["b", p.title], ["span", p.date + " · " + p.place], ["div", p.kind + ", " + p.confidence + " confidence", "muted"]]);
        });
        layer.on("click", function () { E().goToEvent(p.id, {noFly: true}); });
      },
      restyle: function (v) {
        const day = v.day, highlight = E().highlightEvent;
        eventsToUpdate(v).forEach(function (i) {
          const layer = v.reg.events[i];
          if (!layer) { return; }
          const ed = layer.feature.properties.day;
          const key = ed === day ? 2 : (ed < day && day - ed <= v.t.recent_days ? 1 : 0);
          if (v.shown.events[i] !== key) {
            const el = layer.getElement && layer.getElement();
            if (el) { el.style.display = key > 0 ? "" : "none"; }
            if (key > 0) { layer.setStyle({weight: key === 2 ? 3 : 2, fillOpacity: key === 2 ? 0.9 : 0.4}); layer.setRadius(key === 2 ? 11 : 7); }
            v.shown.events[i] = key;
          }
          const el = layer.getElement && layer.getElement();
          if (el) { el.classList.toggle("event-highlight", highlight === layer.feature.properties.id && key > 0); }
        });
        E().eventsDay = day;
      },
    },
  });
})();
