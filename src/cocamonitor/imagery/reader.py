"""Read windows of a stack straight from its files when they already sit on the stack's grid.

``odc-stac`` can read any catalog onto any grid, but every window it loads opens each asset
again, reads into a temporary array and fuses it. When every asset of a local catalog is
already on the output grid (same CRS and pixel size, whole-pixel offset) and every date is one
item, nothing needs resampling or fusing: :class:`WindowReader` reads each band straight into
its slice of the output, keeps the files open between windows (so GDAL's block cache serves the
halo blocks a neighbouring tile has just decoded) and turns stored values into reflectance and
the scene classification into validity band by band, without a ``(time, band, y, x)`` integer
copy. :func:`direct_layout` decides; catalogs it refuses (remote files, several tiles per day,
other grids) are read by ``odc-stac`` exactly as before. Both give the same arrays (tested).

A reader holds open files: use one per thread and close it (it is a context manager).

Examples
--------
>>> import datetime as dt, tempfile
>>> from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes
>>> from cocamonitor.imagery.stack import open_stack
>>> hist = scene_history(size=64, seed=1)
>>> cat = write_scenes(render_scenes(hist, 2021, seed=2, scene=SceneConfig(dates=3)), tempfile.mkdtemp())
>>> stack = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30)
>>> with stack.reader() as reader:
...     refl, valid = reader.read(0, 16, 0, 16)
>>> reader.direct, refl.shape, valid.shape
(True, (3, 10, 16, 16), (3, 16, 16))

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import numpy as np

__all__ = ["BLOCK_CACHE_BYTES", "DirectLayout", "WindowReader", "block_cache", "direct_layout", "scl_lookup"]


#: GDAL block cache while a map is read tile by tile (bytes). Each block is decoded once (tiles
#: take no halo), so a larger cache only holds memory; GDAL's default is 5 % of the RAM.
BLOCK_CACHE_BYTES = 256 * 2**20


def block_cache(nbytes: int = BLOCK_CACHE_BYTES) -> Any:
    """Context manager that holds GDAL's block cache to ``nbytes`` (restored on exit).

    GDAL's cache is one per process: enter it on the thread that starts the tile workers, not
    in each worker.
    """
    import rasterio

    return rasterio.Env(GDAL_CACHEMAX=int(nbytes))


def scl_lookup(invalid: Sequence[int]) -> np.ndarray:
    """Table of 256 booleans: ``True`` for the SCL codes that are an observation of the ground.

    Indexing it with a ``uint8`` SCL array gives the validity in one gather, several times
    faster than :func:`numpy.isin`.

    Examples
    --------
    >>> lut = scl_lookup([0, 3, 8])
    >>> lut[np.array([0, 4, 8, 5], dtype=np.uint8)].tolist()
    [False, True, False, True]

    """
    lut = np.ones(256, dtype=bool)
    lut[[int(v) for v in invalid if 0 <= int(v) < 256]] = False
    return lut


@dataclass(frozen=True)
class DirectLayout:
    """Where each asset of each date lies on the stack grid.

    Attributes
    ----------
    paths : tuple of tuple of str
        ``paths[t][k]``: file of band ``k`` at date ``t`` (after the bands: SCL, then the cloud
        probability if the stack has one).
    offsets : tuple of tuple of (int, int)
        Row and column of the stack grid where each file's first pixel falls.
    shapes : tuple of tuple of (int, int)
        Height and width of each file.

    """

    paths: tuple[tuple[str, ...], ...]
    offsets: tuple[tuple[tuple[int, int], ...], ...]
    shapes: tuple[tuple[tuple[int, int], ...], ...]


def _local_path(href: str) -> str | None:
    parsed = urlparse(href)
    if parsed.scheme in ("", "file") and (parsed.scheme == "file" or not parsed.netloc):
        path = Path(parsed.path if parsed.scheme == "file" else href)
        return str(path) if path.is_file() else None
    return None


def direct_layout(items: Sequence[Any], *, bands: Sequence[str], geobox: Any,
                  times: Sequence[Any]) -> DirectLayout | None:
    """Locate every asset on ``geobox`` if all can be read without resampling (else ``None``).

    Direct reading needs: one item per time step (in the order of ``times``), every asset a
    local file in the grid's CRS with the grid's pixel size, unrotated, at a whole-pixel offset.
    """
    import rasterio
    import rasterio.errors
    from rasterio.crs import CRS

    if len(items) != len(times) or not items:
        return None
    grid = geobox.affine
    if grid.b or grid.d:
        return None
    crs = CRS.from_wkt(geobox.crs.to_wkt())
    paths, offsets, shapes = [], [], []
    for it, t in zip(items, times, strict=True):
        when = it.datetime or it.common_metadata.start_datetime
        if when is not None and when.tzinfo is not None:  # odc-stac's times are naive UTC
            when = when.astimezone(dt.UTC).replace(tzinfo=None)
        if when is None or np.datetime64(when, "ns") != np.datetime64(t, "ns"):
            return None  # odc-stac grouped or ordered the items otherwise
        row_p, row_o, row_s = [], [], []
        for band in bands:
            path = _local_path(it.assets[band].href)
            if path is None:
                return None
            try:
                src = rasterio.open(path)
            except rasterio.errors.RasterioError:  # unreadable: odc-stac names it when a window is read
                return None
            with src:
                a = src.transform
                if src.count != 1 or src.crs is None or src.crs != crs:
                    return None
                if a.b or a.d or not np.isclose(a.a, grid.a) or not np.isclose(a.e, grid.e):
                    return None
                col = (a.c - grid.c) / grid.a
                row = (a.f - grid.f) / grid.e
                if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
                    return None
                row_p.append(path)
                row_o.append((int(round(row)), int(round(col))))
                row_s.append((src.height, src.width))
        paths.append(tuple(row_p))
        offsets.append(tuple(row_o))
        shapes.append(tuple(row_s))
    return DirectLayout(paths=tuple(paths), offsets=tuple(offsets), shapes=tuple(shapes))


class WindowReader:
    """Reads windows of an :class:`~cocamonitor.imagery.stack.ImageStack` (one thread at a time).

    Parameters
    ----------
    stack : ImageStack
        The stack to read.
    layout : DirectLayout, optional
        Read the files directly (see :func:`direct_layout`); ``None``: read through ``odc-stac``.
    reuse : bool
        Return the same arrays from every direct read of the same window shape, overwritten by
        the next read (a tile's hundreds of megabytes are then not mapped and zeroed afresh);
        for a caller done with each window before it reads the next.

    """

    def __init__(self, stack: Any, layout: DirectLayout | None, *, reuse: bool = False) -> None:
        self.stack = stack
        self.layout = layout
        self.reuse = reuse
        self._open: dict[str, Any] = {}
        self._lut = scl_lookup(stack.scl_invalid)
        self._buffers: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def direct(self) -> bool:
        """Whether windows are read straight from the files."""
        return self.layout is not None

    def __enter__(self) -> WindowReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the files this reader opened."""
        for src in self._open.values():
            src.close()
        self._open.clear()
        self._buffers = None

    def _dataset(self, path: str) -> Any:
        src = self._open.get(path)
        if src is None:
            import rasterio

            src = self._open[path] = rasterio.open(path)
        return src

    def _observed(self, scl: np.ndarray) -> np.ndarray:
        if scl.dtype == np.uint8:
            return self._lut[scl]
        return ~np.isin(scl, np.asarray(self.stack.scl_invalid))

    def read(self, r0: int, r1: int, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray]:
        """Reflectance ``(time, band, y, x)`` float32 and validity ``(time, y, x)`` of a window.

        A pixel is valid when its SCL code is an observation, no band is at nodata (0) and, if
        the stack has a cloud probability, it is below ``cloud_max``.
        """
        stack = self.stack
        h, w = stack.shape
        r0, r1, c0, c1 = max(r0, 0), min(r1, h), max(c0, 0), min(c1, w)
        if self.layout is None:
            return self._read_odc(r0, r1, c0, c1)
        from rasterio.windows import Window

        nt, nb = len(stack.dates), len(stack.bands)
        shape = (nt, nb, r1 - r0, c1 - c0)
        if self.reuse and self._buffers is not None and self._buffers[0].shape == shape:
            refl, valid = self._buffers
        else:
            refl = np.empty(shape, dtype=np.float32)
            valid = np.empty((nt, r1 - r0, c1 - c0), dtype=bool)
            if self.reuse:
                self._buffers = (refl, valid)
        scale, offset = np.float32(stack.scale), np.float32(stack.offset)
        buf: np.ndarray | None = None
        masks = 1 if stack.cloud_band is None else 2
        for t in range(nt):
            for k in range(nb + masks):
                path = self.layout.paths[t][k]
                (orow, ocol), (fh, fw) = self.layout.offsets[t][k], self.layout.shapes[t][k]
                src = self._dataset(path)
                if buf is None or buf.dtype != src.dtypes[0]:
                    buf = np.empty((r1 - r0, c1 - c0), dtype=src.dtypes[0])
                # the part of the window the file covers, in the file's pixels
                fr0, fr1 = max(r0 - orow, 0), min(r1 - orow, fh)
                fc0, fc1 = max(c0 - ocol, 0), min(c1 - ocol, fw)
                if (fr1 - fr0, fc1 - fc0) != buf.shape:
                    buf[...] = 0  # outside the file: nodata, no observation
                if fr1 > fr0 and fc1 > fc0:
                    dst = buf[fr0 + orow - r0:fr1 + orow - r0, fc0 + ocol - c0:fc1 + ocol - c0]
                    if dst.flags.c_contiguous:
                        src.read(1, window=Window(fc0, fr0, fc1 - fc0, fr1 - fr0), out=dst)
                    else:
                        dst[...] = src.read(1, window=Window(fc0, fr0, fc1 - fc0, fr1 - fr0))
                if k == nb:  # the scene classification
                    valid[t] &= self._observed(buf)
                    continue
                if k == nb + 1:  # the cloud probability, per cent
                    valid[t] &= buf < stack.cloud_max
                    continue
                if k == 0:
                    np.not_equal(buf, 0, out=valid[t])
                else:
                    valid[t] &= buf != 0
                np.multiply(buf, scale, out=refl[t, k], dtype=np.float32)
                if offset:
                    refl[t, k] += offset
        return refl, valid

    def _read_odc(self, r0: int, r1: int, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray]:
        from cocamonitor.imagery.stac import load_window

        stack = self.stack
        names = [*stack.bands, stack.scl_band] + ([stack.cloud_band] if stack.cloud_band else [])
        if stack.items:  # only the blocks of the assets the window touches
            sub = load_window(stack.items, bands=names, geobox=stack.ds.odc.geobox[r0:r1, c0:c1])
            if not np.array_equal(sub.time.values, stack.ds.time.values):  # an item missing this window
                sub = sub.reindex(time=stack.ds.time.values, fill_value=0)  # 0: nodata, no observation
        else:  # a stack built from a dataset alone: cut from its dask chunks
            sub = stack.ds[names].isel(y=slice(r0, r1), x=slice(c0, c1)).compute(scheduler="synchronous")
        nt, nb = len(stack.dates), len(stack.bands)
        refl = np.empty((nt, nb, r1 - r0, c1 - c0), dtype=np.float32)
        valid = self._observed(sub[stack.scl_band].values)
        if stack.cloud_band:
            valid &= sub[stack.cloud_band].values < stack.cloud_max
        scale, offset = np.float32(stack.scale), np.float32(stack.offset)
        for k, band in enumerate(stack.bands):
            raw = sub[band].values
            valid &= raw != 0
            np.multiply(raw, scale, out=refl[:, k], dtype=np.float32)
            if offset:
                refl[:, k] += offset
        return refl, valid
