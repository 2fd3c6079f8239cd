// plotly.js looks for window.PlotlyGeoAssets before fetching its world topojson from a CDN:
// register the empty topology the page carries, so nothing is ever fetched.
window.PlotlyGeoAssets = JSON.parse(document.getElementById("geo-assets").textContent);
