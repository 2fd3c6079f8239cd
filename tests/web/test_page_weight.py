"""The dashboard's first load stays light and its heavy parts are cached by the browser.

Issue 18: the first load (page, stylesheet, scripts, plotly.js, map geometry and the first
views, as compressed on the wire) under 800 kB; plotly.js and the geometry under immutable,
content-named URLs with an ETag, so a second visit sends neither.
"""

from __future__ import annotations

import gzip
import json
import re

GZ = {"Accept-Encoding": "gzip"}


def _wire_size(client, url: str) -> int:
    """Bytes on the wire for ``url`` (compressed when the server compresses)."""
    r = client.get(url, headers=GZ)
    assert r.status_code == 200, url
    body = r.content  # httpx decodes: measure what the server sent
    if r.headers.get("content-encoding") == "gzip":
        return len(gzip.compress(body, 6)) if "content-length" not in r.headers else int(r.headers["content-length"])
    return len(body)


def test_first_load_is_under_800_kb_compressed(client):
    page = client.get("/?lang=es", headers=GZ)
    html = page.text
    boot = json.loads(re.search(r'<script id="boot" type="application/json">(.*?)</script>', html, re.S).group(1))
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html)
    assert any("/assets/plotly-geo-" in a for a in assets)
    views = [boot["map_figure"], "/view/map?lang=es", "/view/profile?lang=es", "/view/national?lang=es"]
    sizes = {u: _wire_size(client, u) for u in ["/?lang=es", *assets, *views]}
    total = sum(sizes.values())
    assert total < 800_000, "; ".join(f"{u}: {n}" for u, n in sizes.items())


def test_plotly_and_geometry_are_cached_for_good(client):
    html = client.get("/?lang=en").text
    url = re.search(r'<script src="(/assets/plotly-geo-[0-9a-f]{16}\.min\.js)"', html).group(1)
    js = client.get(url, headers=GZ)
    assert js.headers["content-encoding"] == "gzip"
    assert "immutable" in js.headers["cache-control"]
    assert js.text.startswith("/* plotly.js v")
    again = client.get(url, headers={"If-None-Match": js.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == js.text
    assert client.get(url.replace("-geo-", "-charts-")).status_code == 404  # only the current bundle

    boot = json.loads(re.search(r'<script id="boot" type="application/json">(.*?)</script>', html, re.S).group(1))
    fig = client.get(boot["map_figure"])
    assert "immutable" in fig.headers["cache-control"] and fig.headers["etag"]
    assert client.get(boot["map_figure"], headers={"If-None-Match": fig.headers["etag"]}).status_code == 304
    stale = client.get("/view/map-figure?lang=en&v=0000")
    assert "immutable" not in stale.headers["cache-control"] and stale.json() == fig.json()
