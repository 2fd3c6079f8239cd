"""Whole-raster class areas: how many pixels and hectares of each class a map holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from pyproj import CRS

from cocamonitor.io.rasters import (
    DEFAULT_WINDOW_PIXELS,
    PixelArea,
    iter_windows,
    open_raster,
    pixel_area,
    require_integer,
)
from cocamonitor.zonal._kernels import Accumulator, BlockCounts, count_block

__all__ = ["class_areas", "counts_to_hectares"]


def counts_to_hectares(counts: BlockCounts, area: PixelArea) -> np.ndarray:
    """Hectares of each row of ``counts`` (exact integer sums turned into floats once)."""
    if area.is_constant:
        return np.asarray(area.total_ha(counts.pixels), dtype=float)
    assert counts.units is not None
    return counts.units.astype(np.float64) * (area.unit_m2 / 1e4)


def class_areas(
    raster_path: str | Path,
    *,
    equal_area_crs: str | CRS | None = None,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
    where: str = "raster",
) -> pd.DataFrame:
    """Count the pixels and hectares of every class of a classified raster.

    The raster is read window by window (memory does not grow with its size). Pixels equal to
    the nodata value are left out; their number is in ``df.attrs["nodata_pixels"]``. Pixel
    areas follow :func:`cocamonitor.io.rasters.pixel_area`: exact for equal-area projections,
    the nominal pixel size for other projected CRSs (e.g. UTM, under 0.2 % off; EPSG:9377,
    up to about 1 % off at the edges of Colombia) unless ``equal_area_crs`` is given, in which
    every pixel is then measured; rasters in degrees need it (measured row by row).

    Parameters
    ----------
    raster_path : str or Path
        A single-band integer GeoTIFF/COG (a class map).
    equal_area_crs : str or pyproj.CRS, optional
        Equal-area CRS to measure pixels in; required when the raster is in degrees.
    window_pixels : int
        Approximate pixels per window read.
    where : str, default "raster"
        The parameter that named the raster, in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``class`` (int), ``pixels`` (int), ``area_ha`` (float), one row per class
        present, sorted by class. ``attrs`` holds ``nodata_pixels``, ``pixel_area`` (how areas
        were computed) and ``raster``.

    Raises
    ------
    InputError
        Missing/unreadable file, non-integer raster, raster in degrees without
        ``equal_area_crs``.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os
    >>> from rasterio.transform import from_origin
    >>> path = os.path.join(tempfile.mkdtemp(), "map.tif")
    >>> data = np.array([[1, 1, 2], [0, 2, 2]], dtype="uint8")
    >>> with rasterio.open(path, "w", driver="GTiff", width=3, height=2, count=1,
    ...                    dtype="uint8", nodata=0, crs="EPSG:9377",
    ...                    transform=from_origin(5e6, 2e6, 10, 10)) as dst:
    ...     dst.write(data, 1)
    >>> df = class_areas(path)
    >>> df.to_dict("records")
    [{'class': 1, 'pixels': 2, 'area_ha': 0.02}, {'class': 2, 'pixels': 3, 'area_ha': 0.03}]
    >>> df.attrs["nodata_pixels"]
    1

    """
    info = open_raster(raster_path, where=where)
    require_integer(info, where=where)
    area = pixel_area(info, equal_area_crs=equal_area_crs)
    acc = Accumulator(with_units=not area.is_constant)
    with rasterio.open(info.path) as src:
        for win in iter_windows(info, max_pixels=window_pixels):
            block = src.read(1, window=win)
            units = None
            if not area.is_constant:
                units = area.window_units(win.row_off, win.col_off, win.height, win.width)
            acc.add(count_block(block, row_units=units))
    counts = acc.result()
    hectares = counts_to_hectares(counts, area)
    df = pd.DataFrame(
        {"class": counts.value, "pixels": counts.pixels, "area_ha": hectares}
    )
    nodata_pixels = 0
    if info.nodata is not None and float(info.nodata).is_integer():
        is_nd = df["class"].to_numpy() == int(info.nodata)
        nodata_pixels = int(df.loc[is_nd, "pixels"].sum())
        df = df.loc[~is_nd]
    df = df.sort_values("class").reset_index(drop=True)
    df.attrs.update(
        {"nodata_pixels": nodata_pixels, "pixel_area": area.to_dict(), "raster": info.path}
    )
    return df
