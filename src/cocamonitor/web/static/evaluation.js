// Dashboard view "¿Funcionaron los programas? / Did the programmes work?" (loaded once).
(function () {
  "use strict";
  function load() {
    var panel = document.getElementById("evaluation-panel");
    if (!panel) { return; }
    var lang = (document.documentElement.lang || "es").slice(0, 2);
    fetch("/view/evaluation?lang=" + encodeURIComponent(lang)).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.json();
    }).then(function (res) {
      panel.innerHTML = res.html;
      Object.keys(res.figures).forEach(function (key) {
        var f = res.figures[key];
        Plotly.newPlot("fig-" + key, f.data, f.layout, {displaylogo: false, responsive: true, displayModeBar: false});
        var bar = document.createElement("div");  // PNG and SVG buttons (dashboard.js wires them)
        bar.className = "export";
        bar.setAttribute("data-plot", "fig-" + key);
        bar.setAttribute("data-name", key.replace(/_/g, "-"));
        document.getElementById("fig-" + key).insertAdjacentElement("afterend", bar);
        if (window.cocamonitor) { window.cocamonitor.exportBar(bar); }
      });
      var boot = JSON.parse(document.getElementById("boot").textContent);
      var csv = document.createElement("p");
      csv.className = "files";
      csv.innerHTML = '<a class="csv" href="/download/evaluation.csv" download></a>';
      csv.firstChild.textContent = boot.m.controls.download;
      panel.appendChild(csv);
    }).catch(function (err) { panel.textContent = String(err); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", load); } else { load(); }
})();
