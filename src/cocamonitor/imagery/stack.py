"""A window of acquisitions around the reference date, read tile by tile.

:func:`open_stack` finds the items of the window (static catalog or item list), checks their
bands, and opens them lazily with ``odc-stac`` (:func:`cocamonitor.imagery.stac.load_stack`).
:meth:`ImageStack.read` returns one tile as numpy arrays (reflectance, validity from SCL);
:meth:`ImageStack.features` computes the features of a tile, reading a one-pixel halo for the
texture. Only one tile is in memory at a time, whatever the size of the mosaic.

Examples
--------
>>> import datetime as dt, tempfile
>>> from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes
>>> hist = scene_history(size=64, seed=1)
>>> cat = write_scenes(render_scenes(hist, 2021, seed=2, scene=SceneConfig(dates=3)), tempfile.mkdtemp())
>>> stack = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30)
>>> stack.shape, stack.days.tolist()
((64, 64), [-10, 0, 10])
>>> refl, valid = stack.read(0, 16, 0, 16)
>>> refl.shape, valid.shape
((3, 10, 16, 16), (3, 16, 16))

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cocamonitor.errors import CocamonitorError, DataError, ParameterError
from cocamonitor.imagery.features import SENTINEL2_BANDS, feature_names, tile_features
from cocamonitor.imagery.reader import DirectLayout, WindowReader, direct_layout
from cocamonitor.imagery.stac import DEFAULT_CRS, SCL_INVALID, check_items, load_stack, read_items

__all__ = ["ImageStack", "open_stack", "tiles"]


def tiles(height: int, width: int, tile: int) -> Iterator[tuple[int, int, int, int]]:
    """``(r0, r1, c0, c1)`` of square tiles covering a grid, row-major.

    Examples
    --------
    >>> list(tiles(3, 5, 4))
    [(0, 3, 0, 4), (0, 3, 4, 5)]

    """
    for r0 in range(0, height, tile):
        for c0 in range(0, width, tile):
            yield r0, min(r0 + tile, height), c0, min(c0 + tile, width)


@dataclass(frozen=True)
class ImageStack:
    """Lazily loaded acquisitions of a window.

    Attributes
    ----------
    ds : xarray.Dataset
        ``odc-stac`` result (dask-backed), bands and ``SCL``.
    bands : list of str
    dates : list of datetime.date
        Acquisition dates (one per solar day).
    reference_date : datetime.date
    scale, offset : float
        Stored value to reflectance: ``value * scale + offset``.
    scl_invalid : tuple of int
        SCL codes masked as no observation.
    scl_band : str
        Asset key of the scene classification.
    cloud_band : str, optional
        Asset key of a cloud probability in per cent (L2A ``MSK_CLDPRB``, an ``s2cloudless``
        map x 100); ``None``: the SCL alone masks clouds.
    cloud_max : float
        Observations whose cloud probability is ``cloud_max`` or more are masked.
    items : tuple of pystac.Item
        The items behind ``ds``: :meth:`read` loads a window of them (only the blocks it
        touches).
    layout : DirectLayout, optional
        Where the files lie on the grid when they can be read without ``odc-stac``
        (:func:`~cocamonitor.imagery.reader.direct_layout`); ``None``: through ``odc-stac``.

    """

    ds: Any
    bands: list[str]
    dates: list[dt.date]
    reference_date: dt.date
    scale: float = 1e-4
    offset: float = 0.0
    scl_invalid: tuple[int, ...] = SCL_INVALID
    scl_band: str = "SCL"
    cloud_band: str | None = None
    cloud_max: float = 40.0
    items: tuple[Any, ...] = ()
    layout: DirectLayout | None = None

    @property
    def days(self) -> np.ndarray:
        """Signed days of each acquisition from the reference date."""
        return np.array([(d - self.reference_date).days for d in self.dates], dtype=np.int64)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` of the grid."""
        return int(self.ds.sizes["y"]), int(self.ds.sizes["x"])

    @property
    def transform(self) -> Any:
        """Affine transform of the grid."""
        return self.ds.odc.geobox.affine

    @property
    def crs(self) -> str:
        """CRS of the grid (``EPSG:code`` when it has one, else WKT)."""
        crs = self.ds.odc.geobox.crs
        return f"EPSG:{crs.epsg}" if crs.epsg else str(crs.to_wkt())

    @property
    def pixel_area_ha(self) -> float:
        """Area of one pixel (projected CRS), hectares."""
        t = self.transform
        return abs(t.a * t.e - t.b * t.d) / 10_000.0

    @property
    def feature_names(self) -> list[str]:
        """Names of :meth:`features`' output, in order."""
        return feature_names(self.bands)

    def reader(self, *, reuse: bool = False) -> WindowReader:
        """Open a :class:`~cocamonitor.imagery.reader.WindowReader` of this stack (one per thread; close it).

        It reads the files directly when :attr:`layout` allows, else through ``odc-stac``;
        ``reuse``: see :class:`~cocamonitor.imagery.reader.WindowReader`.
        """
        return WindowReader(self, self.layout, reuse=reuse)

    def read(self, r0: int, r1: int, c0: int, c1: int, *,
             reader: WindowReader | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Reflectance ``(time, band, y, x)`` float32 and validity ``(time, y, x)`` of a window.

        ``reader``: an open :meth:`reader` to reuse (its files stay open between windows);
        default, one opened and closed for this window.
        """
        try:
            if reader is not None:
                return reader.read(r0, r1, c0, c1)
            with self.reader() as own:
                return own.read(r0, r1, c0, c1)
        except CocamonitorError:
            raise
        except Exception as err:  # rasterio / GDAL errors of one asset: name it, no traceback
            msg = " ".join(str(err).split())
            raise DataError(f"cannot read the imagery ({msg})", where="catalog",
                            hint="check that every asset of the catalog exists and is readable") from None

    def features(self, r0: int, r1: int, c0: int, c1: int, *, reader: WindowReader | None = None,
                 halo: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features ``(feature, y, x)``, cloud-free observation counts and best-pixel days ``(y, x)``.

        ``halo``: read one pixel around the window, so the texture of its outer ring is exact;
        ``False`` reads the window alone and that ring's texture treats the window's edge as
        the image's (:class:`~cocamonitor.imagery.seams.SeamTexture` completes it from the
        neighbouring windows, as :func:`~cocamonitor.imagery.mapping.predict_map` does).
        """
        h, w = self.shape
        a0, a1, b0, b1 = max(r0 - 1, 0), min(r1 + 1, h), max(c0 - 1, 0), min(c1 + 1, w)
        if not halo:
            a0, a1, b0, b1 = max(r0, 0), min(r1, h), max(c0, 0), min(c1, w)
        refl, valid = self.read(a0, a1, b0, b1, reader=reader)
        tf = tile_features(refl, valid, self.days, self.bands)
        del refl, valid
        rs, cs = slice(r0 - a0, r0 - a0 + (r1 - r0)), slice(c0 - b0, c0 - b0 + (c1 - c0))
        return tf.values[:, rs, cs], tf.n_obs[rs, cs], tf.obs_day[rs, cs]

    def pixel_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the pixels holding map coordinates (may fall outside the grid)."""
        inv = ~self.transform
        col = np.floor(inv.a * x + inv.b * y + inv.c).astype(np.int64)
        row = np.floor(inv.d * x + inv.e * y + inv.f).astype(np.int64)
        return row, col


def _scale_offset(items: Sequence[Any], band: str) -> tuple[float, float]:
    """Scale and offset of a band from the items' ``raster:bands`` (default 1e-4, 0)."""
    rb = (items[0].assets[band].extra_fields.get("raster:bands") or [{}])[0]
    return float(rb.get("scale", 1e-4)), float(rb.get("offset", 0.0))


def open_stack(catalog: str | Path | Sequence[Any], *, reference_date: dt.date, window_days: int = 60,
               bands: Sequence[str] = SENTINEL2_BANDS, crs: str = DEFAULT_CRS, resolution: float = 10.0,
               bbox: Sequence[float] | None = None, chunk: int = 1024,
               scl_invalid: Sequence[int] = SCL_INVALID, scl_band: str = "SCL",
               cloud_band: str | None = None, cloud_max: float = 40.0,
               where: str = "catalog") -> ImageStack:
    """Open the acquisitions within ``window_days`` of ``reference_date``.

    Parameters
    ----------
    catalog : path or sequence of pystac.Item
        A static catalog / item collection file, or items (e.g. from a STAC API search).
    reference_date : datetime.date
        Usually 31 December of the survey year.
    window_days : int
        Half-width of the window.
    bands : sequence of str
        Reflectance assets; ``SCL`` is always loaded too.
    crs, resolution, bbox, chunk
        See :func:`cocamonitor.imagery.stac.load_stack`.
    scl_invalid : sequence of int
        SCL codes masked as no observation.
    scl_band : str
        Asset key of the scene classification (``SCL``; ``scl`` in Earth Search).
    cloud_band : str, optional
        Asset key of a cloud probability in per cent, e.g. ``CLD`` (Sentinel-2 L2A
        ``MSK_CLDPRB``) or ``s2cloudless`` maps x 100 saved as assets of the items; masks the
        observations at or above ``cloud_max`` on top of the SCL.
    cloud_max : float
        Cloud probability (per cent) from which an observation is masked.
    where : str
        Name of the catalog parameter in error messages.

    Returns
    -------
    ImageStack

    """
    if not 0 < cloud_max <= 100:
        raise ParameterError(f"the cloud probability threshold is in per cent (above 0, at most 100), got {cloud_max}",
                             where="cloud_max", hint="e.g. 40")
    extra = [scl_band] if cloud_band is None else [scl_band, cloud_band]
    items = read_items(catalog, where=where) if isinstance(catalog, str | Path) else list(catalog)
    items = check_items(items, bands=[*bands, *extra], reference_date=reference_date, window_days=window_days,
                        where=where)
    scales = {_scale_offset(items, b) for b in bands}
    if len(scales) > 1:
        raise DataError("the bands have different scales or offsets", where=where,
                        hint="give bands stored alike (e.g. all Sentinel-2 L2A reflectance)")
    scale, offset = scales.pop()
    ds = load_stack(items, bands=[*bands, *extra], crs=crs, resolution=resolution, bbox=bbox, chunk=chunk,
                    where=where)
    dates = [dt.date.fromisoformat(str(t)[:10]) for t in ds.time.values]
    layout = direct_layout(items, bands=[*bands, *extra], geobox=ds.odc.geobox, times=ds.time.values)
    return ImageStack(ds=ds, bands=list(bands), dates=dates, reference_date=reference_date, scale=scale,
                      offset=offset, scl_invalid=tuple(scl_invalid), scl_band=scl_band, cloud_band=cloud_band,
                      cloud_max=float(cloud_max), items=tuple(items), layout=layout)
