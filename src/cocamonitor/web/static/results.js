// Results page: draws the small multiples (a script file: the page's CSP allows no inline script)
// and wires the PNG (2x) and SVG buttons to plotly's own image export (offline).
(function () {
  "use strict";
  function draw() {
    var fig = JSON.parse(document.getElementById("results-figure").textContent);
    Plotly.newPlot("results-multiples", fig.data, fig.layout, {responsive: true, displaylogo: false}).then(function () {
      document.body.setAttribute("data-ready", "1");
    });
    ["png", "svg"].forEach(function (format) {
      document.querySelector(".export-" + format).addEventListener("click", function () {
        Plotly.downloadImage("results-multiples", {format: format, scale: format === "png" ? 2 : 1,
                                                   filename: "counternarcotics-results"});
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
