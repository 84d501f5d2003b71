/* Export buttons: a click becomes the export request, with the map's current view from the engine. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  export: {
    request: function () {
      const cc = window.dash_clientside.callback_context;
      const trigger = cc && cc.triggered_id;
      if (!trigger || !trigger.kind) { return window.dash_clientside.no_update; }
      const engine = window.raqqaEngine;
      const view = (engine && typeof engine.view === "function" && engine.view()) || {};
      return Object.assign({}, view, {kind: trigger.kind, nonce: Date.now()});
    },
  },
});
