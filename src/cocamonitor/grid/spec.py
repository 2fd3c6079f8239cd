"""The grid itself: square cells aligned to multiples of their size, their ids and file writers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from affine import Affine

from cocamonitor.errors import InputError

__all__ = ["GridSpec", "cell_ids"]


@dataclass(frozen=True)
class GridSpec:
    """A north-up grid of square cells.

    Attributes
    ----------
    crs : str
        Projected CRS (as text, e.g. ``"EPSG:9377"``).
    cell : float
        Cell size in CRS units (metres).
    x0, y0 : float
        Upper-left corner (multiples of ``cell``).
    nrows, ncols : int
        Grid size.

    """

    crs: str
    cell: float
    x0: float
    y0: float
    nrows: int
    ncols: int

    @classmethod
    def covering(cls, bounds: Sequence[float], cell: float, crs: str) -> GridSpec:
        """Return the smallest aligned grid covering ``(xmin, ymin, xmax, ymax)``.

        Examples
        --------
        >>> GridSpec.covering((1500.0, 200.0, 3200.0, 2100.0), 1000.0, "EPSG:9377")
        GridSpec(crs='EPSG:9377', cell=1000.0, x0=1000.0, y0=3000.0, nrows=3, ncols=3)

        """
        if not (math.isfinite(cell) and cell > 0):
            raise InputError(f"cell size {cell:g} must be a positive number of metres",
                             where="cell", hint="e.g. `cell` 1000 for 1 km cells")
        xmin, ymin, xmax, ymax = bounds
        x0 = math.floor(xmin / cell) * cell
        y0 = math.ceil(ymax / cell) * cell
        ncols = max(1, math.ceil((xmax - x0) / cell))
        nrows = max(1, math.ceil((y0 - ymin) / cell))
        return cls(crs, float(cell), float(x0), float(y0), int(nrows), int(ncols))

    @property
    def transform(self) -> Affine:
        """Cell-to-CRS transform."""
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y0)

    @property
    def cell_km2(self) -> float:
        """Area of one cell in km² (CRS units are metres)."""
        return self.cell * self.cell / 1e6

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X and y of every cell centre, shape ``(nrows, ncols)``."""
        xs = self.x0 + (np.arange(self.ncols) + 0.5) * self.cell
        ys = self.y0 - (np.arange(self.nrows) + 0.5) * self.cell
        return np.meshgrid(xs, ys)

    def boxes(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Polygons of the cells at ``rows``, ``cols``."""
        x = self.x0 + cols * self.cell
        y = self.y0 - rows * self.cell
        return shapely.box(x, y - self.cell, x + self.cell, y)


def cell_ids(spec: GridSpec, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return stable text ids of cells: the lower-left corner in km, e.g. ``"E4987N2001"``.

    Examples
    --------
    >>> spec = GridSpec("EPSG:9377", 1000.0, 4_987_000.0, 2_003_000.0, 3, 3)
    >>> cell_ids(spec, np.array([0, 2]), np.array([0, 1])).tolist()
    ['E4987N2002', 'E4988N2000']

    """
    x = (spec.x0 + cols * spec.cell) / 1000.0
    y = (spec.y0 - (rows + 1) * spec.cell) / 1000.0
    fmt = np.vectorize(lambda a, b: f"E{a:g}N{b:g}", otypes=[object])
    return fmt(x, y) if len(rows) else np.zeros(0, dtype=object)


def _write_geotiff(path: str | Path, spec: GridSpec, bands: np.ndarray, *, nodata: float,
                   dtype: str, descriptions: Sequence[str]) -> None:
    import rasterio

    bands = np.asarray(bands)
    if bands.ndim == 2:
        bands = bands[None]
    with rasterio.open(
        path, "w", driver="GTiff", width=spec.ncols, height=spec.nrows, count=bands.shape[0],
        dtype=dtype, crs=spec.crs, transform=spec.transform, nodata=nodata,
        compress="deflate", tiled=spec.ncols >= 256 and spec.nrows >= 256,
    ) as dst:
        dst.write(bands.astype(dtype))
        for i, d in enumerate(descriptions, start=1):
            dst.set_band_description(i, d)


def _write_geoparquet(path: str | Path, spec: GridSpec, frame: pd.DataFrame) -> None:
    import geopandas as gpd

    geom = spec.boxes(frame["row"].to_numpy(), frame["col"].to_numpy())
    gpd.GeoDataFrame(frame, geometry=geom, crs=spec.crs).to_parquet(path)
