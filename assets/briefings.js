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
    /* The page's query string, passed on only when the ?briefing=<id> in it differs from the one passed
       before: a page without one costs no request to the server. */
    wanted: function (search, previous) {
      const id = function (q) { return new URLSearchParams(q || "").get("briefing") || ""; };
      return id(search) === id(previous) ? window.dash_clientside.no_update : search;
    },
    /* Opening the tab that shows a list (saved briefings; the audit log on the Data tab) asks the server for
       it afresh, so the first view of the page waits on no request for a list it does not show. */
    refreshSaved: function (tab) { return tab === "briefings" ? Date.now() : window.dash_clientside.no_update; },
    refreshData: function (tab) { return tab === "data" ? Date.now() : window.dash_clientside.no_update; },
  },
});
