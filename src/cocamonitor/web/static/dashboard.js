// cocamonitor dashboard: keeps the view state in the URL, draws the map once and then only
// updates its values and colours; every text and number comes formatted from the server.
(function () {
  "use strict";
  var BOOT = JSON.parse(document.getElementById("boot").textContent);
  var M = BOOT.m;
  var state = BOOT.state;
  var mapFig = null;
  var pending = 0;
  var CONFIG = {displaylogo: false, responsive: true, displayModeBar: false};

  function $(id) { return document.getElementById(id); }

  function query(s) {
    var p = new URLSearchParams();
    p.set("lang", s.lang); p.set("year", s.year); p.set("mode", s.mode); p.set("from", s.from);
    if (s.municipality) { p.set("municipality", s.municipality); }
    if (s.layers && s.layers.length) { p.set("layers", s.layers.join(",")); }
    return p.toString();
  }

  function getJSON(url) {
    pending += 1;
    document.body.setAttribute("data-busy", String(pending));
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.detail || r.statusText); }
        return body;
      });
    }).finally(function () {
      pending -= 1;
      document.body.setAttribute("data-busy", String(pending));
    });
  }

  function fail(el) {
    return function (err) {
      el.innerHTML = "";
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = M.meta.error + ": " + err.message;
      el.appendChild(p);
    };
  }

  function syncUrl() {
    var q = query(state);
    history.replaceState(null, "", "/?" + q);
    $("share").href = "/?" + q;
    var other = Object.assign({}, state, {lang: state.lang === "es" ? "en" : "es"});
    $("other-lang").href = "/?" + query(other);
    $("year").value = state.year;
    $("year-label").textContent = state.year;
    $("from").value = state.from;
    document.querySelector(".from").hidden = state.mode !== "compare";
    $("municipality").value = state.municipality || "";
  }

  function wirePicks(root) {
    root.querySelectorAll("a.pick").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        setState({municipality: a.getAttribute("data-divipola")});
      });
    });
  }

  function updateMap() {
    return getJSON("/view/map?" + query(state)).then(function (res) {
      Object.assign(mapFig.data[1], res.trace);
      mapFig.layout.datarevision = (mapFig.layout.datarevision || 0) + 1;
      $("map-title").textContent = res.title;
      $("map-panel").innerHTML = res.html;
      wirePicks($("map-panel"));
      return Plotly.react("map", mapFig.data, mapFig.layout, CONFIG);
    }).catch(fail($("map-panel")));
  }

  // the bounding box [lon0, lon1, lat0, lat1] of one municipality of the map's geometry
  function featureBounds(code) {
    var feats = mapFig.data[1].geojson.features;
    var box = [Infinity, -Infinity, Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.max(box[1], c[0]);
        box[2] = Math.min(box[2], c[1]); box[3] = Math.max(box[3], c[1]);
      } else { c.forEach(walk); }
    }
    for (var i = 0; i < feats.length; i++) {
      if (String(feats[i].id) === String(code)) { walk(feats[i].geometry.coordinates); return box; }
    }
    return null;
  }

  var home = null;  // the country view, to come back to

  // outline the chosen municipality and zoom the map to it (or back to the country)
  function focusMap() {
    if (!mapFig) { return Promise.resolve(); }
    var code = state.municipality;
    var locs = mapFig.data[1].locations;
    var widths = locs.map(function (l) { return String(l) === String(code) ? 3 : 0.25; });
    var colors = locs.map(function (l) { return String(l) === String(code) ? "#000000" : "#555555"; });
    mapFig.data[1].marker = {line: {width: widths, color: colors}};
    var box = code ? featureBounds(code) : null;
    var geo = mapFig.layout.geo;
    if (!home) { home = {lon: geo.lonaxis.range.slice(), lat: geo.lataxis.range.slice()}; }
    if (box) {
      var pad = Math.max(box[1] - box[0], box[3] - box[2], 0.4) * 1.2;
      geo.lonaxis = {range: [box[0] - pad, box[1] + pad]};
      geo.lataxis = {range: [box[2] - pad, box[3] + pad]};
    } else {
      geo.lonaxis = {range: home.lon.slice()};
      geo.lataxis = {range: home.lat.slice()};
    }
    mapFig.layout.uirevision = "focus-" + (code || "country");
    mapFig.layout.datarevision = (mapFig.layout.datarevision || 0) + 1;
    return Plotly.react("map", mapFig.data, mapFig.layout, CONFIG);
  }

  function updateProfile() {
    return getJSON("/view/profile?" + query(state)).then(function (res) {
      $("profile-panel").innerHTML = res.html;
      $("profile-chart").parentNode.hidden = !res.figure;
      if (res.figure) {
        return Plotly.react("profile-chart", res.figure.data, res.figure.layout, CONFIG);
      }
      Plotly.purge("profile-chart");
    }).catch(fail($("profile-panel")));
  }

  function updateNational() {
    return getJSON("/view/national?" + query(state)).then(function (res) {
      $("national-panel").innerHTML = res.html;
      return Promise.all([
        Plotly.react("national-area", res.figures.area.data, res.figures.area.layout, CONFIG),
        Plotly.react("national-production", res.figures.production.data, res.figures.production.layout, CONFIG)
      ]);
    }).catch(fail($("national-panel")));
  }

  // ---------------------------------------------------------------- extra map layers
  // each layer: shapes fetched once (immutable URL), traces (values only) per year
  var LAYER_ORDER = ["departments", "labs", "spraying", "pdet", "grid", "basemap"];
  var shapes = {};   // URL -> promise of the GeoJSON (layers sharing shapes share the URL)
  var drawn = {};    // layer -> {traces, legend, year}

  function layerBoxes() { return Array.prototype.slice.call(document.querySelectorAll("input[name=layer]")); }

  function shapesOf(url) {
    if (!shapes[url]) {
      shapes[url] = getJSON(url).catch(function (err) { delete shapes[url]; throw err; });
    }
    return shapes[url];
  }

  function drawLayers() {
    if (!mapFig) { return Promise.resolve(); }
    var extra = [];
    var legends = [];
    var slot = 0;
    LAYER_ORDER.forEach(function (name) {
      var d = drawn[name];
      if (!d || state.layers.indexOf(name) < 0) { return; }
      d.traces.forEach(function (t) {
        if (t.colorbar && t.showscale !== false) {  // stacked on the left, over the Pacific
          Object.assign(t.colorbar, {x: 0.01, xanchor: "left", y: 0.98 - 0.32 * slot, yanchor: "top"});
          slot += 1;
        }
        extra.push(t);
      });
      legends.push(d.legend);
    });
    mapFig.data = mapFig.data.slice(0, 2).concat(extra);
    mapFig.data[1].visible = state.layers.indexOf("-coca") < 0;
    $("layer-legend").innerHTML = legends.join("");
    mapFig.layout.datarevision = (mapFig.layout.datarevision || 0) + 1;
    return Plotly.react("map", mapFig.data, mapFig.layout, CONFIG);
  }

  function loadLayer(name) {
    var q = new URLSearchParams({lang: state.lang, year: state.year});
    return getJSON("/view/layer/" + name + "?" + q.toString()).then(function (res) {
      return shapesOf(res.geometry).then(function (gj) {
        res.traces.forEach(function (t) { t.geojson = gj; });
        drawn[name] = {traces: res.traces, legend: res.legend, year: res.year};
      });
    });
  }

  function updateLayers() {
    var names = state.layers.filter(function (n) { return LAYER_ORDER.indexOf(n) >= 0; });
    return Promise.all(names.map(loadLayer)).then(drawLayers).catch(fail($("layer-legend")));
  }

  function onLayerBox(box) {
    var on = layerBoxes().filter(function (b) { return b.checked && b.value !== "coca"; })
      .map(function (b) { return b.value; });
    var coca = layerBoxes().filter(function (b) { return b.value === "coca"; })[0];
    if (coca && !coca.checked) { on.push("-coca"); }
    state.layers = on;
    syncUrl();
    if (LAYER_ORDER.indexOf(box.value) >= 0 && box.checked && !drawn[box.value]) {
      return updateLayers();
    }
    return drawLayers();
  }

  // ---------------------------------------------------------------- chart export
  // PNG (2x) and SVG of any chart through plotly's own toImage (in the dashboard's bundle, offline)
  function exportImage(plot, format, name) {
    var gd = typeof plot === "string" ? $(plot) : plot;
    var opts = {format: format, scale: format === "png" ? 2 : 1, filename: name + "-" + state.year};
    return Plotly.downloadImage(gd, opts);
  }

  function exportBar(bar) {
    if (bar.getAttribute("data-wired")) { return; }
    bar.setAttribute("data-wired", "1");
    var plot = bar.getAttribute("data-plot");
    var name = bar.getAttribute("data-name") || plot;
    ["png", "svg"].forEach(function (format) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "export-" + format;
      b.textContent = M["export"][format];
      b.title = M["export"][format + "_title"];
      b.addEventListener("click", function () { exportImage(plot, format, name); });
      bar.appendChild(b);
    });
  }

  function setState(change) {
    var before = Object.assign({}, state);
    Object.assign(state, change);
    syncUrl();
    var jobs = [];
    if (before.year !== state.year || before.mode !== state.mode || before.from !== state.from) {
      jobs.push(updateMap());
    }
    if (before.year !== state.year) { jobs.push(updateNational(), updateLayers()); }
    if (before.municipality !== state.municipality) { jobs.push(updateProfile(), focusMap()); }
    return Promise.all(jobs);
  }

  var timer = null;
  function onSlide() {
    $("year-label").textContent = $("year").value;
    clearTimeout(timer);
    timer = setTimeout(function () { setState({year: parseInt($("year").value, 10)}); }, 120);
  }

  var playing = null;
  function play() {
    if (playing) { clearInterval(playing); playing = null; return; }
    var years = BOOT.years;
    if (state.year >= years[years.length - 1]) { setState({year: years[0]}); }
    playing = setInterval(function () {
      if (state.year >= years[years.length - 1]) { clearInterval(playing); playing = null; return; }
      setState({year: state.year + 1});
    }, 900);
  }

  var searchTimer = null;
  var hits = {};
  function onSearch() {
    var text = $("search").value.trim();
    if (hits[text]) {
      setState({municipality: hits[text]}).then(function () {
        $("profile-section").scrollIntoView({block: "start"});
      });
      return;
    }
    clearTimeout(searchTimer);
    if (text.length < 2) { return; }
    searchTimer = setTimeout(function () {
      fetch("/api/territory?q=" + encodeURIComponent(text)).then(function (r) {
        return r.ok ? r.json() : [];
      }).then(function (rows) {
        var list = $("search-hits");
        list.innerHTML = "";
        rows.slice(0, 12).forEach(function (r) {
          var label = r.municipality + ", " + r.department + " (" + r.divipola + ")";
          hits[label] = r.divipola;
          var o = document.createElement("option");
          o.value = label;
          list.appendChild(o);
        });
      });
    }, 200);
  }

  function init() {
    $("year").addEventListener("input", onSlide);
    $("from").addEventListener("change", function () { setState({from: parseInt($("from").value, 10)}); });
    document.querySelectorAll("input[name=mode]").forEach(function (r) {
      r.addEventListener("change", function () { if (r.checked) { setState({mode: r.value}); } });
    });
    $("play").addEventListener("click", play);
    $("search").addEventListener("input", onSearch);
    $("controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
    $("controls-toggle").addEventListener("click", function () {
      var open = $("controls").classList.toggle("open");
      $("controls-toggle").setAttribute("aria-expanded", String(open));
    });
    var asked = new URLSearchParams(location.search).get("layers");
    state.layers = asked ? asked.split(",").filter(function (n) { return n; }) : [];
    layerBoxes().forEach(function (b) {
      b.checked = b.value === "coca" ? state.layers.indexOf("-coca") < 0
        : (state.layers.indexOf(b.value) >= 0 && !b.disabled);
      b.addEventListener("change", function () { onLayerBox(b); });
    });
    state.layers = state.layers.filter(function (n) {
      return n === "-coca" || layerBoxes().some(function (b) { return b.value === n && !b.disabled; });
    });
    document.querySelectorAll(".export[data-plot]").forEach(exportBar);
    syncUrl();
    var first = getJSON(BOOT.map_figure || "/view/map-figure?lang=" + state.lang).then(function (fig) {
      mapFig = fig;
      return Plotly.newPlot("map", fig.data, fig.layout, Object.assign({}, CONFIG, {displayModeBar: "hover"}));
    }).then(function () {
      $("map").on("plotly_click", function (ev) {
        var pt = ev && ev.points && ev.points[0];
        if (pt && pt.location && pt.curveNumber === 1) { setState({municipality: String(pt.location)}); }
      });
      return updateMap();
    }).then(function () { return state.municipality ? focusMap() : null; })
      .then(function () { return state.layers.length ? updateLayers() : null; });
    Promise.all([first, updateProfile(), updateNational()]).then(function () {
      window.cocamonitorReady = true;
      document.body.setAttribute("data-ready", "1");
    }).catch(function (err) { window.cocamonitorError = String(err); });
  }

  window.cocamonitor = {setState: setState, state: state, pending: function () { return pending; },
                        exportImage: exportImage, exportBar: exportBar};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
