"""Per-municipality trends: cocamonitor's vectorised panel vs a per-row scipy loop.

Runs Mann-Kendall + Theil-Sen (with Sen's interval) on every municipality of the bundled SIMCI
table (and on a synthetic panel 10x larger), once with ``cocamonitor.trends.series_trends``
and once with the obvious loop over rows calling ``scipy.stats.kendalltau`` (MK's S and p
via tau-b's normal test) and ``scipy.stats.theilslopes``. Prints times and the ratio.

    python benchmarks/trends.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy import stats

from cocamonitor import datasets
from cocamonitor.trends import series_trends


def _loop(x: np.ndarray, years: np.ndarray) -> np.ndarray:
    out = np.empty((x.shape[0], 4))
    for i, row in enumerate(x):
        kt = stats.kendalltau(years, row)
        ts = stats.theilslopes(row, years, alpha=0.95)
        out[i] = kt.pvalue, ts.slope, ts.low_slope, ts.high_slope
    return out


def _time(fn, *args, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    coca = datasets.load("coca-municipal")
    wide = coca.pivot(index="divipola", columns="year", values="hectares").fillna(0.0)
    years = wide.columns.to_numpy(dtype=float)
    x = wide.to_numpy()
    rng = np.random.default_rng(0)
    big = np.vstack([x] * 10) * rng.uniform(0.9, 1.1, size=(10 * x.shape[0], 1))
    for name, data in (("SIMCI panel", x), ("10x synthetic", big)):
        ours = _time(series_trends, data, years)
        peer = _time(_loop, data, years)
        # same slopes and intervals as the scipy loop
        ref = _loop(data[:50], years)
        got = series_trends(data[:50], years)
        assert np.allclose(got[["slope", "slope_low", "slope_high"]].to_numpy(), ref[:, 1:])
        print(f"{name}: {data.shape[0]} series x {data.shape[1]} years | cocamonitor "
              f"{ours * 1e3:8.1f} ms | scipy loop {peer * 1e3:8.1f} ms | ratio {peer / ours:5.1f}x")


if __name__ == "__main__":
    main()
