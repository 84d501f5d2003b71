/* In a figure with animation frames, ArrowRight/ArrowLeft step to the next/previous frame, drawn at once. */
(function () {
  let day = 0;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") { return; }
    const gd = document.querySelector(".js-plotly-plot");
    const frames = gd && gd._transitionData && gd._transitionData._frames;
    if (!frames || !frames.length) { return; }
    day = Math.min(Math.max(day + (e.key === "ArrowRight" ? 1 : -1), 0), frames.length - 1);
    window.Plotly.animate(gd, [String(day)], {
      frame: {duration: 0, redraw: true}, transition: {duration: 0}, mode: "immediate",
    });
  });
})();
