"""Area estimation speed: batched replicates vs a loop, and the windowed draw's memory.

1. 2,000 replicate stratified samples (3 strata, 700 units each) estimated at once through the
   array engine (``cocamonitor.area._core``), against the obvious loop that builds a DataFrame
   per replicate and calls ``cocamonitor.area.estimate_stratified``. Prints times and the ratio.
2. ``cocamonitor.sampling.draw_stratified_sample`` on two synthetic maps (16 and 64 million
   pixels): time and peak traced memory, which should not grow with the raster.

    python benchmarks/area.py
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

from cocamonitor.area import estimate_stratified
from cocamonitor.area._core import ClassLayout, indicator_values, moments
from cocamonitor.area._prepare import summarize
from cocamonitor.sampling import draw_stratified_sample

POP = np.array([[1800, 700], [1800, 7200], [7600, 182400]])
N = np.array([100, 100, 500])
NAMES = ["coca", "buffer", "other"]


def batched(counts: np.ndarray) -> np.ndarray:
    r = counts.shape[0]
    values = np.concatenate([indicator_values(np.array([h, h]), np.array([0, 2]), 3) for h in range(3)])
    strata = np.repeat(np.arange(3), 2)
    m = moments(values, strata, 3, freq=counts.reshape(r, -1), pairs=ClassLayout(3).pairs())
    return summarize(m, POP.sum(axis=1).astype(float), 3)["area"][:, 0]


def looped(counts: np.ndarray) -> np.ndarray:
    out = np.empty(counts.shape[0])
    areas = dict(zip(NAMES, POP.sum(axis=1).astype(float), strict=True))
    for i, c in enumerate(counts):
        rows = [(NAMES[h], ("coca", "other")[j]) for h in range(3) for j in range(2) for _ in range(c[h, j])]
        df = pd.DataFrame(rows, columns=["stratum", "reference_class"])
        out[i] = estimate_stratified(df, areas, classes=NAMES).classes["coca"].area
    return out


def write_map(path: Path, rows: int, cols: int) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="uint8",
                       crs="EPSG:9377", transform=from_origin(4.6e6, 1.6e6, 30, 30), tiled=True,
                       blockxsize=512, blockysize=512, compress="deflate") as dst:
        for r0 in range(0, rows, 512):
            h = min(512, rows - r0)
            block = (np.arange(h)[:, None] + r0 + np.arange(cols)[None, :]) % 40 == 0
            dst.write(block.astype(np.uint8), 1, window=Window(0, r0, cols, h))


def main() -> None:
    rng = np.random.default_rng(0)
    r = 2000
    counts = np.stack([rng.multivariate_hypergeometric(POP[h], int(N[h]), size=r) for h in range(3)], axis=1)
    t0 = time.perf_counter()
    a = batched(counts)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    b = looped(counts[:200])
    t_loop = (time.perf_counter() - t0) * r / 200
    assert np.allclose(a[:200], b)
    print(f"{r} replicates: batched {t_batch:.3f} s, loop of estimate_stratified ~{t_loop:.1f} s "
          f"(timed on 200, scaled), ratio {t_loop / t_batch:.0f}x")
    with tempfile.TemporaryDirectory() as tmp:
        for side in (4096, 8192):
            path = Path(tmp) / f"map{side}.tif"
            write_map(path, side, side)
            tracemalloc.start()
            t0 = time.perf_counter()
            draw_stratified_sample(path, {0: 500, 1: 500}, seed=1)
            dt = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"draw from {side}x{side} ({side * side / 1e6:.0f} Mpx): {dt:.2f} s, peak traced memory "
                  f"{peak:.0f} MiB")


if __name__ == "__main__":
    main()
