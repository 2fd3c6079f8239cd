"""Web dashboard and JSON API (FastAPI): ``cocamonitor serve`` or ``create_app()``.

Requires the ``web`` extra (``pip install 'cocamonitor[web]'``). Everything is served by the
app itself — plotly.js from the installed plotly package, the map geometry from the bundled
boundaries — so the dashboard works with no network.
"""

from cocamonitor.web.app import create_app

__all__ = ["create_app"]
