"""The plotly.js partial bundles that the report and the dashboard embed.

The full plotly.js is 4.8 MB; the report and the dashboard draw five trace types (scatter,
bar, heatmap, choropleth, scattergeo), so they carry only the parts of plotly.js that draw those, built
by ``scripts/build_plotly_bundles.sh`` from the plotly.js release that the installed plotly
package writes figures for and kept gzipped in ``report/static``:

* ``charts``: scatter and bar (1.2 MB, 0.41 MB gzipped), for pages without maps;
* ``geo``: scatter and choropleth (1.45 MB, 0.48 MB gzipped), the dashboard's;
* ``maps``: scatter, bar, heatmap, choropleth and scattergeo (1.5 MB, 0.51 MB gzipped; scattergeo,
  the maps' department names and scale bar, adds 2.6 kB gzipped to the geo code it shares).

:func:`bundle_for` picks the smallest bundle that draws a page's figures. The report inlines
it base64-encoded and unpacks it in the browser (:data:`LOADER_JS`); the dashboard serves it
with ``Content-Encoding: gzip``.

Examples
--------
>>> bundle_for([{"data": [{"type": "bar"}, {"y": [1]}], "layout": {}}])
'charts'
>>> bundle_for([{"data": [{"type": "choropleth"}]}])
'geo'
>>> bundle_for([{"data": [{"type": "choropleth"}, {"type": "bar"}]}])
'maps'
>>> traces_of("maps")
('scatter', 'bar', 'heatmap', 'choropleth', 'scattergeo')

"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from cocamonitor.errors import InputError

__all__ = [
    "BUNDLES",
    "LOADER_JS",
    "bundle_for",
    "bundle_gz",
    "bundle_js",
    "bundle_version",
    "trace_types",
    "traces_of",
]

#: Bundle name -> the trace types it draws (scatter comes with plotly.js's core), smallest first.
BUNDLES: dict[str, tuple[str, ...]] = {
    "charts": ("scatter", "bar"),
    "geo": ("scatter", "choropleth"),
    "maps": ("scatter", "bar", "heatmap", "choropleth", "scattergeo"),
}

#: JavaScript that unpacks the bundle inlined in ``<script type="application/gzip;base64"
#: id="plotly-js">`` (DecompressionStream: Chrome 80, Firefox 113, Safari 16.4) and runs it;
#: ``window.cocamonitorPlotly`` is a promise of the ``Plotly`` object.
LOADER_JS = (
    "window.cocamonitorPlotly=(function(){"
    "var b=atob(document.getElementById('plotly-js').textContent.trim()),a=new Uint8Array(b.length);"
    "for(var i=0;i<b.length;i++)a[i]=b.charCodeAt(i);"
    "return new Response(new Blob([a]).stream().pipeThrough(new DecompressionStream('gzip'))).text()"
    ".then(function(js){(0,eval)(js);return window.Plotly;});})();"
)


def traces_of(name: str) -> tuple[str, ...]:
    """Return the trace types bundle ``name`` draws."""
    return BUNDLES[name]


def trace_types(figures: Iterable[Mapping[str, Any]]) -> set[str]:
    """Return the trace types of plotly figures given as dicts (a trace without a type is a scatter)."""
    return {str(t.get("type") or "scatter") for fig in figures for t in fig.get("data") or ()}


def bundle_for(figures: Iterable[Mapping[str, Any]]) -> str:
    """Return the name of the smallest bundle that draws every trace of ``figures``.

    Raises
    ------
    InputError
        A trace type that no bundle draws: add it to ``BUNDLES`` and to
        ``scripts/build_plotly_bundles.sh`` and rebuild.

    """
    needed = trace_types(figures)
    for name, traces in BUNDLES.items():
        if needed <= set(traces):
            return name
    raise InputError(f"no plotly.js bundle draws trace types {sorted(needed - set(BUNDLES['maps']))}",
                     where="figures", hint="add them to scripts/build_plotly_bundles.sh and rebuild")


@cache
def bundle_gz(name: str) -> bytes:
    """Return bundle ``name`` gzipped, as stored in the package."""
    return resources.files("cocamonitor.report").joinpath(f"static/plotly-{name}.min.js.gz").read_bytes()


def bundle_js(name: str) -> str:
    """Return bundle ``name`` as JavaScript text."""
    return gzip.decompress(bundle_gz(name)).decode("utf-8")


def bundle_version(name: str) -> str:
    """Return the plotly.js version bundle ``name`` was built from (read from its banner)."""
    head = gzip.decompress(bundle_gz(name))[:200].decode("utf-8", "replace")
    found = re.search(r"plotly\.js v(\S+) partial bundle", head)
    return found.group(1) if found else ""
