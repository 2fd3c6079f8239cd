"""Dashboard year change: values only vs re-sending the whole map (the naive peer).

Changing the year on the dashboard sends ``/view/map`` (values, hover texts, colours). The naive
way — what a server-rendered plotly choropleth does — re-sends the figure with its geometry for
every year (holoviz/holoviews #4453, plotly.py #2392). Both are measured here through the app
(FastAPI TestClient) over the 24 census years: time, JSON bytes (before gzip) and the ratios.

    python benchmarks/web.py
"""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from cocamonitor import datasets
from cocamonitor.report.maps import choropleth
from cocamonitor.web import create_app, state


def main() -> None:
    client = TestClient(create_app(lang="es", warm=True))
    with client:
        years = state.years()
        client.get(f"/view/map?year={years[-1]}")  # warm the caches of the view itself
        headers = {"Accept-Encoding": "gzip"}
        t0 = time.perf_counter()
        ours = sum(len(client.get(f"/view/map?year={y}", headers=headers).content) for y in years)
        t_ours = time.perf_counter() - t0
        geometry = len(client.get("/view/map-figure", headers=headers).content)

        mun, dep = datasets.boundaries("municipality"), datasets.boundaries("department")
        t0 = time.perf_counter()
        naive = 0
        for y in years:
            v = state.year_values(y).fillna({"hectares": 0.0})
            fig = choropleth(mun, dep, v, value_col="hectares", hover=[""] * len(v), colorscale="YlOrRd",
                             zmin=0, zmax=float(v["hectares"].max()), colorbar_title="ha")
            naive += len(json.dumps(fig, separators=(",", ":")).encode())
        t_naive = time.perf_counter() - t0
    n = len(years)
    print(f"{n} year changes (sizes before gzip)")
    print(f"  values only (cocamonitor): {t_ours / n * 1000:7.1f} ms/year, {ours / n / 1024:8.1f} KiB/year "
          f"(+ geometry once: {geometry / 1024:.0f} KiB)")
    print(f"  whole figure (naive peer): {t_naive / n * 1000:7.1f} ms/year, {naive / n / 1024:8.1f} KiB/year "
          "(build only, no HTTP)")
    print(f"  ratio naive/ours: time {t_naive / t_ours:.1f}x, bytes {naive / ours:.1f}x")


if __name__ == "__main__":
    main()
