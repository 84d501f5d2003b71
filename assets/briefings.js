/* Saved briefings: turn a click on "Add this view" into a save request carrying the map's current view. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  briefings: {
    /* {name, nonce, ...view}; the nonce makes a retried or doubled request save once. */
    saveRequest: function (nClicks, name) {
      if (!nClicks) { return window.dash_clientside.no_update; }
      let view = {};
      try {
        view = (window.raqqaEngine && window.raqqaEngine.view()) || {};
      } catch (err) {
        view = {};
      }
      const bytes = new Uint8Array(12);
      window.crypto.getRandomValues(bytes);
      const nonce = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      return Object.assign({}, view, {name: name || "", nonce: nonce});
    },
  },
});
