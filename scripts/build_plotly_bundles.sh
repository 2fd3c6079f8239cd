#!/usr/bin/env bash
# Build the plotly.js partial bundles that the report and the dashboard embed, from npm.
#
#   bash scripts/build_plotly_bundles.sh        (needs node and npm; writes report/static/)
#
# The report and the dashboard draw only a few trace types, so they need only the parts of
# plotly.js that draw those: "charts" (scatter, bar), "geo" (scatter, choropleth: the dashboard)
# and "maps" (scatter, bar, heatmap, choropleth, scattergeo: the report's department names and
# scale bar). Each bundle is built with esbuild from the plotly.js package of the version
# that the installed plotly (Python) package writes figures for, minified, prefixed with
# plotly.js's MIT licence notice, and stored gzipped (the report inlines it base64-encoded and
# unpacks it in the browser; the dashboard serves it with Content-Encoding: gzip).
# Re-run after upgrading plotly: tests/report/test_plotly_bundles.py fails until you do.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
VERSION="$("$PY" -c 'from plotly.offline import get_plotlyjs_version as v; print(v())')"
OUT="$ROOT/src/cocamonitor/report/static"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "plotly.js@$VERSION" esbuild@0.28 esbuild-plugin-inline-css@0.0.1 \
    esbuild-plugin-environment@0.5
cat > build.js <<'JS'
const fs = require('fs');
const zlib = require('zlib');
const esbuild = require('esbuild');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { environmentPlugin } = require('esbuild-plugin-environment');
const [version, out] = process.argv.slice(2);
const BUNDLES = { charts: ['bar'], geo: ['choropleth'], maps: ['bar', 'heatmap', 'choropleth', 'scattergeo'] };  // + scatter (core)
const banner = `/* plotly.js v${version} partial bundle for cocamonitor: traces TRACES.\n` +
  ' * Copyright 2012-2026, Plotly, Inc. Licensed under the MIT license (https://github.com/plotly/plotly.js). */';
(async () => {
  for (const [name, traces] of Object.entries(BUNDLES)) {
    const entry = `entry-${name}.js`;
    fs.writeFileSync(entry, "var Plotly = require('plotly.js/lib/core');\nPlotly.register([" +
      traces.map((t) => `require('plotly.js/lib/${t}')`).join(', ') + ']);\nmodule.exports = Plotly;\n');
    const result = await esbuild.build({
      entryPoints: [entry], write: false, format: 'iife', globalName: 'Plotly', bundle: true, minify: true,
      legalComments: 'none', banner: { js: banner.replace('TRACES', ['scatter', ...traces].join(', ')) },
      plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
      alias: { stream: 'stream-browserify' }, define: { global: 'window', 'define.amd': 'false' },
      target: 'es2016', logLevel: 'warning',
    });
    const code = Buffer.from(result.outputFiles[0].contents);
    const gz = zlib.gzipSync(code, { level: 9, mtime: 0 });
    fs.writeFileSync(`${out}/plotly-${name}.min.js.gz`, gz);
    console.log(`plotly-${name}.min.js: ${code.length} bytes, ${gz.length} gzipped`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
JS
node build.js "$VERSION" "$OUT"
