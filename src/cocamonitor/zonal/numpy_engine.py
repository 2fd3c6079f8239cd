"""The ``numpy`` engine: one process streams the raster window by window.

For each window the zones whose envelopes meet it are rasterised (one pass per overlap layer)
into zone indices, and :func:`numpy.bincount` of ``zone * span + class`` counts the pixels of
every class in every zone. Windows that no zone reaches are not read. Memory holds one window
(a few tens of MB) plus the sparse counts, whatever the raster's size.
"""

from __future__ import annotations

from collections.abc import Callable

import rasterio

from cocamonitor.io.rasters import (
    DEFAULT_WINDOW_PIXELS,
    PixelArea,
    RasterInfo,
    iter_windows,
    window_transform,
)
from cocamonitor.zonal._kernels import Accumulator, BlockCounts
from cocamonitor.zonal._rasterize import ZoneIndex

__all__ = ["run_numpy"]


def run_numpy(
    info: RasterInfo,
    index: ZoneIndex,
    area: PixelArea,
    *,
    window_pixels: int = DEFAULT_WINDOW_PIXELS,
    progress: Callable[[int, int], None] | None = None,
) -> BlockCounts:
    """Count classes by zone over the whole raster; zone column = 0-based zone index.

    Parameters
    ----------
    info : RasterInfo
        The class raster.
    index : ZoneIndex
        Zones in the raster's CRS.
    area : PixelArea
        Pixel areas (per-row or per-pixel integer units are summed when not constant).
    window_pixels : int
        Approximate pixels per window.
    progress : callable, optional
        Called as ``progress(done, total)`` after each window.

    Returns
    -------
    BlockCounts

    """
    windows = list(iter_windows(info, max_pixels=window_pixels))
    acc = Accumulator(with_units=not area.is_constant)
    with rasterio.open(info.path) as src:
        for k, win in enumerate(windows, start=1):
            t = window_transform(info.transform, win)
            cand = index.candidates(index.window_bounds(t, int(win.width), int(win.height)))
            if cand.size:
                block = src.read(1, window=win)
                units = None
                if not area.is_constant:
                    units = area.window_units(win.row_off, win.col_off, win.height, win.width)
                acc.add(index.count(block, t, row_units=units, candidates=cand))
            if progress is not None:
                progress(k, len(windows))
    return acc.result()


