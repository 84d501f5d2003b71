/* Sets document.body.dataset.renderedDay once a plotly figure has been drawn: the day is the figure's
   layout.meta.day. plotly_afterplot fires after the map's first render with the new data (MapLibre). */
(function () {
  function attach(gd) {
    if (gd.__renderedDayAttached || typeof gd.on !== "function") { return; }
    gd.__renderedDayAttached = true;
    gd.on("plotly_afterplot", function () {
      const meta = gd.layout && gd.layout.meta;
      if (meta && meta.day !== undefined) { document.body.dataset.renderedDay = String(meta.day); }
    });
  }
  new MutationObserver(function () {
    document.querySelectorAll(".js-plotly-plot").forEach(attach);
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["class"]});
})();
