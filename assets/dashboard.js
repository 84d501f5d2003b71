/* Dashboard behaviour that needs no server: keep the current event visible in the feed. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  dashboard: {
    scrollToCurrent: function (dateText) {
      window.requestAnimationFrame(function () {
        const item = document.querySelector(".feed-item.current") || Array.from(document.querySelectorAll(".feed-item.past")).pop();
        if (item) { item.scrollIntoView({block: "nearest"}); }
      });
      return dateText;
    },
  },
});
