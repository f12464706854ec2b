/*
 * Gradient Lab site: draws every plotly figure of the page from the JSON written next to its
 * <div> by `npm run export`, with the site's shared plotly.min.js (loaded just before this file).
 */
(function () {
  "use strict";
  function drawAll() {
    var figures = document.querySelectorAll(".plotly-figure");
    if (!window.Plotly) {
      for (var i = 0; i < figures.length; i++) {
        figures[i].textContent = "This figure needs assets/plotly.min.js, which did not load.";
      }
      return;
    }
    // One after another, so the page stays responsive while a long lesson draws its figures.
    var queue = Array.prototype.slice.call(figures);
    function next() {
      var el = queue.shift();
      if (!el) return;
      var spec = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
      var config = Object.assign({ responsive: true, displaylogo: false }, spec.config);
      Promise.resolve(window.Plotly.newPlot(el, spec.data, spec.layout, config)).then(
        function () {
          el.setAttribute("data-drawn", "true");
          setTimeout(next, 0);
        },
        function (err) {
          el.setAttribute("data-drawn", "failed");
          console.error("Gradient Lab: figure " + el.id + " could not be drawn: " + err);
          setTimeout(next, 0);
        },
      );
    }
    next();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
