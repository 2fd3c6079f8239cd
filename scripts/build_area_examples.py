"""Build the example files of `cocamonitor area` (src/cocamonitor/data/examples/).

* olofsson2013_sample.csv / olofsson2013_areas.csv: Example 1 of Olofsson et al. (2013),
  Remote Sens. Environ. 129:122-131 (500 sample pixels in 3 strata; areas in pixels).
* coca_map.tif / coca_reference.tif: a small synthetic landscape (600 x 600 pixels of 30 m in
  MAGNA-SIRGAS / CTM12, EPSG:9377, placed in Putumayo) with coca fields in the reference and a
  map of them that omits and invents some fields; class 1 = coca, 0 = other, 255 = nodata.
  Deterministic (seed 2024).

Run: python scripts/build_area_examples.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

OUT = Path(__file__).resolve().parents[1] / "src" / "cocamonitor" / "data" / "examples"


def olofsson() -> None:
    cells = {
        ("1", "1"): 97,
        ("1", "3"): 3,
        ("2", "1"): 3,
        ("2", "2"): 279,
        ("2", "3"): 18,
        ("3", "1"): 2,
        ("3", "2"): 1,
        ("3", "3"): 97,
    }
    rows = [(m, r) for (m, r), n in cells.items() for _ in range(n)]
    df = pd.DataFrame(rows, columns=["stratum", "reference_class"])
    df.insert(0, "sample_id", np.arange(1, len(df) + 1))
    df["map_class"] = df["stratum"]
    df.to_csv(OUT / "olofsson2013_sample.csv", index=False)
    pd.DataFrame({"stratum": ["1", "2", "3"], "area": [22353, 1122543, 610228], "unit": "pixels"}).to_csv(
        OUT / "olofsson2013_areas.csv", index=False
    )


def landscape(size: int = 600, seed: int = 2024) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = np.zeros((size, size), dtype=np.uint8)
    mapped = np.zeros((size, size), dtype=np.uint8)
    n_fields = 260
    r0 = rng.integers(0, size - 20, n_fields)
    c0 = rng.integers(0, size - 20, n_fields)
    h = rng.integers(3, 14, n_fields)
    w = rng.integers(3, 14, n_fields)
    detected = rng.random(n_fields) > 0.2  # 20 % of fields are missed by the map
    for i in range(n_fields):
        truth[r0[i] : r0[i] + h[i], c0[i] : c0[i] + w[i]] = 1
        if detected[i]:  # the map draws detected fields one pixel short on one side
            mapped[r0[i] : r0[i] + h[i] - 1, c0[i] : c0[i] + w[i]] = 1
    n_false = 60  # fields the map invents (e.g. other crops)
    fr = rng.integers(0, size - 10, n_false)
    fc = rng.integers(0, size - 10, n_false)
    for i in range(n_false):
        mapped[fr[i] : fr[i] + rng.integers(2, 8), fc[i] : fc[i] + rng.integers(2, 8)] = 1
    for a in (truth, mapped):  # outside the study area
        a[:, :12] = 255
        a[-8:, :] = 255
    return truth, mapped


def write(path: Path, data: np.ndarray) -> None:
    x0, y0 = Transformer.from_crs(4326, 9377, always_xy=True).transform(-76.6, 0.7)
    x0, y0 = round(x0 / 30) * 30, round(y0 / 30) * 30
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype="uint8",
        nodata=255,
        crs="EPSG:9377",
        transform=from_origin(x0, y0, 30, 30),
        compress="deflate",
        tiled=True,
        blockxsize=256,
        blockysize=256,
    ) as dst:
        dst.write(data, 1)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    olofsson()
    truth, mapped = landscape()
    write(OUT / "coca_reference.tif", truth)
    write(OUT / "coca_map.tif", mapped)


if __name__ == "__main__":
    main()
