/* Dashboard behaviour that needs no server: keep the current event visible in the feed. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  dashboard: {
    /* Fit the area of interest once the page has its final size (at mount the map may not). */
    fitArea: function (bounds) {
      return new Promise(function (resolve) {
        window.requestAnimationFrame(function () { resolve({bounds: bounds, transition: "fitBounds"}); });
      });
    },
    scrollToCurrent: function (dateText) {
      window.requestAnimationFrame(function () {
        const item = document.querySelector(".feed-item.current") || Array.from(document.querySelectorAll(".feed-item.past")).pop();
        if (item) { item.scrollIntoView({block: "nearest"}); }
      });
      return dateText;
    },
  },
});
