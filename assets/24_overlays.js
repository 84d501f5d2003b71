/* Layers named in the URL, for overlays with several parts: a layer's parts join the layer control one by one
   as the map mounts, some after the URL's layers were applied (21_url.js) and with the "checked" they were
   created with. Each part that joins later follows the layers last applied. */
(function () {
  "use strict";
  const E = window.raqqaEngine;

  function wrapApply() {
    if (!E.applyLayers || E.applyLayers.remembers) { return; }
    const apply = E.applyLayers;
    E.applyLayers = function (names) { E.wantedLayers = names.slice(); return apply(names); };
    E.applyLayers.remembers = true;
  }

  function follow(layer, title) {
    if (!E.wantedLayers || !E.map || !E.t || !(title in E.t.layers)) { return; }
    const on = E.wantedLayers.indexOf(E.t.layers[title]) >= 0;
    if (E.map.hasLayer(layer) !== on) { if (on) { E.map.addLayer(layer); } else { E.map.removeLayer(layer); } }
  }

  function hook() {
    wrapApply();
    if (!window.L || hook.done) { return; }
    hook.done = true;
    L.Control.Layers.addInitHook(function () {
      const add = this._addLayer;
      this._addLayer = function (layer, name, overlay) {
        const out = add.apply(this, arguments);
        // the part is added to the map (if it was created checked) just after it joins the control
        if (overlay) { Promise.resolve().then(function () { follow(layer, name); }); }
        return out;
      };
    });
    L.Map.addInitHook(function () { E.wantedLayers = null; });  // a new page: its URL applies its layers
  }
  hook();
  document.addEventListener("DOMContentLoaded", hook);
})();
