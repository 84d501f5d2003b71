/* Gates that keep server round trips off the first view and off every date change: the page's query string
   is passed to the server only when its ?theatre=<slug> differs from the theatre the page shows (moving the
   date rewrites the query string), and the settled view only while the Compare tab is open. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  page: {
    theatreWanted: function (search, current) {
      const slug = new URLSearchParams(search || "").get("theatre") || "";
      return slug === (current || "") ? window.dash_clientside.no_update : search;
    },
    onCompareTab: function (settled, tab) {
      if (tab !== "compare") { return window.dash_clientside.no_update; }
      return Object.assign({}, settled, {shown: Date.now()});  // a new value even when the view is the same
    },
  },
});
