/* The page's query string is passed to the server only when its ?theatre=<slug> differs from the theatre the
   page shows: moving the date rewrites the query string and costs no request. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  page: {
    theatreWanted: function (search, current) {
      const slug = new URLSearchParams(search || "").get("theatre") || "";
      return slug === (current || "") ? window.dash_clientside.no_update : search;
    },
  },
});
