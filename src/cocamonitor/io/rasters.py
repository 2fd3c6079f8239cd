"""Open and check rasters, walk them window by window, and give the ground area of their pixels.

Everything that reads a map raster goes through this module, so that every command treats
CRSs, nodata and pixel areas the same way and never holds a whole national map in memory.

Pixel areas
-----------
Areas are computed in an equal-area sense, never from degrees:

* **Projected CRS with an equal-area projection** (Albers, Lambert azimuthal or cylindrical
  equal-area, Mollweide, sinusoidal, Equal Earth, ...): the pixel area is the product of the
  pixel sizes (converted to metres), which is exact.
* **Other projected CRS** (Transverse Mercator / UTM, MAGNA-SIRGAS CTM12 ``EPSG:9377``, Lambert
  conformal, ...): by default the *nominal* area, the product of the pixel sizes, is used. For
  a Transverse Mercator projection the true area differs from it by the squared scale factor:
  under 0.2 % inside a UTM zone, but in CTM12 (one projection for all of Colombia, scale
  0.9992 on the 73° W meridian) from -0.16 % there to about +0.8 % in Vichada and +1 % on the
  Pacific coast of Nariño (nominal hectares too large). Pass ``equal_area_crs`` to measure
  every pixel in that CRS instead: the outlines of pixels on a grid of knots (every
  :data:`KNOT_SPACING_M` metres, at most every 256 pixels) are projected exactly, and each
  pixel's area is interpolated bilinearly between the four knots around it. The scale of
  these projections changes smoothly (quadratically across a Transverse Mercator), so the
  interpolation error is below 1e-6 of a pixel's area.
* **Mercator** (including Web Mercator ``EPSG:3857``), whose areas grow with latitude, and
  **geographic CRS** (degrees): ``equal_area_crs`` is required. The area of each raster row is
  computed by projecting the pixel outline (densified) into that CRS. In geographic
  coordinates the area of a pixel depends only on its latitude, so a per-row area is exact.

Varying areas (per row or per pixel) are returned quantised to an integer multiple of a small
unit (see :class:`PixelArea`) so that sums over any number of pixels are exact integers: tallies
do not depend on the order in which windows are added up, and the ``numpy`` and ``dask`` engines
give identical hectares.

Examples
--------
>>> import numpy as np, rasterio, tempfile, os
>>> from rasterio.transform import from_origin
>>> path = os.path.join(tempfile.mkdtemp(), "map.tif")
>>> with rasterio.open(path, "w", driver="GTiff", width=4, height=3, count=1, dtype="uint8",
...                    crs="EPSG:9377", transform=from_origin(5e6, 2e6, 10, 10)) as dst:
...     dst.write(np.ones((1, 3, 4), dtype="uint8"))
>>> info = open_raster(path)
>>> info.shape, info.is_integer
((3, 4), True)
>>> pixel_area(info).constant_m2
100.0

"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.windows import Window

from cocamonitor.errors import InputError

__all__ = [
    "AreaKnots",
    "PixelArea",
    "RasterInfo",
    "check_same_grid",
    "is_equal_area",
    "iter_windows",
    "open_raster",
    "pixel_area",
    "require_integer",
    "window_transform",
]

#: Default target size of a processing window, in pixels (a few MB for uint8 data).
DEFAULT_WINDOW_PIXELS = 1 << 22

#: Ground distance between the knots at which per-pixel areas are measured exactly.
KNOT_SPACING_M = 10_000.0

_EQUAL_AREA_METHODS = (
    "albers equal area",
    "lambert azimuthal equal area",
    "lambert cylindrical equal area",
    "cylindrical equal area",
    "mollweide",
    "sinusoidal",
    "equal earth",
    "eckert iv",
    "eckert vi",
    "goode homolosine",
    "interrupted goode homolosine",
    "quartic authalic",
)


@dataclass(frozen=True)
class RasterInfo:
    """What cocamonitor needs to know about a raster, read once from its header.

    Attributes
    ----------
    path : str
        The file as given.
    crs : pyproj.CRS or None
        Its coordinate reference system (``None`` when the file has none).
    transform : affine.Affine
        Pixel-to-CRS transform of the whole raster.
    width, height : int
        Size in pixels.
    count : int
        Number of bands.
    dtype : str
        Data type of band 1 (``"uint8"``, ``"float32"``, ...).
    nodata : float or None
        The nodata value of band 1.
    block_shape : tuple of int
        Internal block (tile or strip) shape ``(rows, cols)`` of band 1.

    """

    path: str
    crs: CRS | None
    transform: Affine
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None
    block_shape: tuple[int, int]

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``."""
        return (self.height, self.width)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` in the raster's CRS."""
        t = self.transform
        xs = [t.c, t.c + t.a * self.width + t.b * self.height]
        ys = [t.f, t.f + t.d * self.width + t.e * self.height]
        return (min(xs), min(ys), max(xs), max(ys))

    @property
    def is_integer(self) -> bool:
        """Whether band 1 holds integers (a class map can be tallied)."""
        return np.issubdtype(np.dtype(self.dtype), np.integer)

    @property
    def is_rotated(self) -> bool:
        """Whether the transform has rotation/shear terms."""
        return self.transform.b != 0 or self.transform.d != 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-type summary (for provenance and logs)."""
        return {
            "path": self.path,
            "crs": self.crs.to_string() if self.crs else None,
            "transform": list(self.transform)[:6],
            "width": self.width,
            "height": self.height,
            "count": self.count,
            "dtype": self.dtype,
            "nodata": self.nodata,
            "block_shape": list(self.block_shape),
        }


def open_raster(path: str | Path, *, where: str = "raster") -> RasterInfo:
    """Read a raster's header and check it can be processed.

    Parameters
    ----------
    path : str or Path
        A GeoTIFF, COG or anything else GDAL reads.
    where : str, default "raster"
        The parameter the path came from, used in error messages.

    Returns
    -------
    RasterInfo

    Raises
    ------
    InputError
        The file does not exist, GDAL cannot read it, it has no CRS, or it is empty.

    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"raster file not found: {path}", where=where, hint="check the path")
    try:
        with rasterio.open(p) as src:
            crs = CRS.from_user_input(src.crs.to_wkt()) if src.crs else None
            info = RasterInfo(
                path=str(path),
                crs=crs,
                transform=src.transform,
                width=src.width,
                height=src.height,
                count=src.count,
                dtype=src.dtypes[0],
                nodata=src.nodata,
                block_shape=tuple(src.block_shapes[0]),
            )
    except rasterio.errors.RasterioIOError as err:
        raise InputError(
            f"cannot read raster {path}: {err}", where=where, hint="give a GeoTIFF or COG"
        ) from None
    if info.crs is None:
        raise InputError(
            f"raster {path} has no coordinate reference system",
            where=where,
            hint="assign one, e.g. `gdal_edit.py -a_srs EPSG:9377 FILE`",
        )
    if info.width == 0 or info.height == 0:
        raise InputError(f"raster {path} has no pixels", where=where)
    return info


def require_integer(info: RasterInfo, *, where: str = "raster") -> None:
    """Raise :class:`InputError` unless band 1 holds integer classes.

    Examples
    --------
    >>> from affine import Affine
    >>> info = RasterInfo("x.tif", CRS("EPSG:9377"), Affine.identity(), 1, 1, 1, "float32",
    ...                   None, (1, 1))
    >>> require_integer(info)
    Traceback (most recent call last):
    ...
    cocamonitor.errors.InputError: raster: raster x.tif holds float32 values, ...

    """
    if not info.is_integer:
        raise InputError(
            f"raster {info.path} holds {info.dtype} values, not integer classes",
            where=where,
            hint="a categorical tally needs a classified map; convert it with "
            "`gdal_translate -ot Byte` or give the class raster",
        )


def check_same_grid(a: RasterInfo, b: RasterInfo, *, where: str = "raster") -> None:
    """Raise :class:`InputError` unless two rasters share CRS, transform and size."""
    if a.crs != b.crs:
        raise InputError(
            f"rasters {a.path} and {b.path} are in different CRSs", where=where,
            hint="warp them to one grid first (gdalwarp)",
        )
    if a.shape != b.shape or not a.transform.almost_equals(b.transform):
        raise InputError(
            f"rasters {a.path} and {b.path} are not on the same pixel grid", where=where,
            hint="warp them to one grid first (gdalwarp -tap)",
        )


def window_transform(transform: Affine, window: Window) -> Affine:
    """Return the transform of a window's pixel grid.

    Examples
    --------
    >>> window_transform(Affine(10, 0, 0, 0, -10, 100), Window(2, 3, 4, 4))
    Affine(10.0, 0.0, 20.0,
           0.0, -10.0, 70.0)

    """
    return transform @ Affine.translation(window.col_off, window.row_off)


def iter_windows(
    info: RasterInfo, *, max_pixels: int = DEFAULT_WINDOW_PIXELS
) -> Iterator[Window]:
    """Yield windows that tile the raster, aligned with its internal blocks.

    Windows are whole multiples of the block shape (so each block is decoded once), cover the
    raster without overlap in row-major order, and hold about ``max_pixels`` pixels at most
    (at least one block).

    Examples
    --------
    >>> from affine import Affine
    >>> info = RasterInfo("x.tif", CRS("EPSG:9377"), Affine.identity(), 10, 7, 1, "uint8",
    ...                   None, (4, 4))
    >>> [(w.row_off, w.col_off, w.height, w.width) for w in iter_windows(info, max_pixels=32)]
    [(0, 0, 4, 8), (0, 8, 4, 2), (4, 0, 3, 8), (4, 8, 3, 2)]

    """
    rows, cols = window_shape(info, max_pixels=max_pixels)
    for r0 in range(0, info.height, rows):
        h = min(rows, info.height - r0)
        for c0 in range(0, info.width, cols):
            yield Window(c0, r0, min(cols, info.width - c0), h)


def window_shape(info: RasterInfo, *, max_pixels: int = DEFAULT_WINDOW_PIXELS) -> tuple[int, int]:
    """Rows and columns of the processing windows (multiples of the block shape)."""
    brow, bcol = info.block_shape
    brow, bcol = max(1, min(brow, info.height)), max(1, min(bcol, info.width))
    # strips (one block spans the width): stack strips; tiles: as wide as allowed, then tall
    ncol_blocks = max(1, min(math.ceil(info.width / bcol), max_pixels // (brow * bcol) or 1))
    cols = min(info.width, ncol_blocks * bcol)
    nrow_blocks = max(1, max_pixels // max(1, brow * cols))
    rows = min(info.height, nrow_blocks * brow)
    return rows, cols


def is_equal_area(crs: CRS) -> bool:
    """Whether ``crs`` is a projected CRS whose projection preserves area.

    Examples
    --------
    >>> is_equal_area(CRS("EPSG:6933")), is_equal_area(CRS("EPSG:9377"))
    (True, False)

    """
    if not crs.is_projected or crs.coordinate_operation is None:
        return False
    method = crs.coordinate_operation.method_name.lower()
    return any(m in method for m in _EQUAL_AREA_METHODS)


def _linear_unit_m(crs: CRS) -> float:
    return float(crs.axis_info[0].unit_conversion_factor) if crs.axis_info else 1.0


def _is_mercator(crs: CRS) -> bool:
    if not crs.is_projected or crs.coordinate_operation is None:
        return False
    method = crs.coordinate_operation.method_name.lower()
    return "mercator" in method and "transverse" not in method


@dataclass(frozen=True)
class AreaKnots:
    """Exact pixel areas on a grid of knot pixels, for bilinear interpolation in between.

    Attributes
    ----------
    rows, cols : numpy.ndarray of int64
        Increasing knot pixel indices, each of length >= 2 (the first is 0; the last is the
        last row/column, or 1 for a raster one pixel tall/wide).
    m2 : numpy.ndarray of float64, shape (len(rows), len(cols))
        Area in m² of the pixel at each knot.

    """

    rows: np.ndarray
    cols: np.ndarray
    m2: np.ndarray

    def window_m2(self, row_off: int, col_off: int, height: int, width: int) -> np.ndarray:
        """Interpolated area in m² of every pixel of a window, shape ``(height, width)``.

        The value of a pixel depends only on its row and column, never on the window it is
        computed in, so any partition of the raster into windows gives the same areas.
        """
        r = np.arange(row_off, row_off + height)
        c = np.arange(col_off, col_off + width)
        i, t = _bracket(self.rows, r)
        j, u = _bracket(self.cols, c)
        out = np.empty((height, width))
        # rows are increasing, so each knot interval is a run of rows: a few runs per window,
        # filled in place (no window-sized temporaries), never a loop over pixels
        starts = np.r_[0, np.flatnonzero(np.diff(i)) + 1]
        for a, b in zip(starts, np.r_[starts[1:], height], strict=True):
            a0, a1 = self.m2[i[a]], self.m2[i[a] + 1]
            top = a0[j] + (a0[j + 1] - a0[j]) * u
            bottom = a1[j] + (a1[j + 1] - a1[j]) * u
            run = out[a:b]
            np.multiply(t[a:b, None], (bottom - top)[None, :], out=run)
            run += top
        return out


def _bracket(knots: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knot interval of each index and the fraction of the way through it."""
    i = np.clip(np.searchsorted(knots, idx, side="right") - 1, 0, knots.size - 2)
    t = (idx - knots[i]) / (knots[i + 1] - knots[i])
    return i, t


@dataclass(frozen=True)
class PixelArea:
    """Ground area of a raster's pixels.

    One area for every pixel (``constant_m2``); or one area per raster row (``row_units``);
    or one per pixel, interpolated between exactly measured ``knots``. Varying areas are
    integers in units of ``unit_m2`` square metres (quantised to about 1e-7 of a pixel's area
    so that sums are exact integers, see the module notes).

    Attributes
    ----------
    constant_m2 : float or None
        Area of every pixel in m², when it does not vary.
    row_units : numpy.ndarray of int64 or None
        Area of the pixels of each row, in ``unit_m2``, when it varies by row only.
    unit_m2 : float
        The quantum of varying areas in m² (1.0 when the area is constant).
    method : str
        How the area was obtained (for notes and provenance).
    knots : AreaKnots or None
        Exact areas on a knot grid, when the area varies along rows and columns.

    """

    constant_m2: float | None
    row_units: np.ndarray | None
    unit_m2: float
    method: str
    knots: AreaKnots | None = None

    @property
    def is_constant(self) -> bool:
        """Whether all pixels have the same area."""
        return self.constant_m2 is not None

    def rows_m2(self, row_off: int, height: int) -> np.ndarray:
        """Area in m² of the pixels of rows ``row_off .. row_off + height - 1``.

        Only for areas that do not vary along a row (see :meth:`window_m2` otherwise).
        """
        if self.constant_m2 is not None:
            return np.full(height, self.constant_m2)
        if self.row_units is None:
            raise ValueError("pixel area varies along rows; use window_m2")
        return self.row_units[row_off : row_off + height] * self.unit_m2

    def window_units(self, row_off: int, col_off: int, height: int, width: int) -> np.ndarray:
        """Integer areas (in ``unit_m2``) of a window's pixels, for exact sums.

        Returned as integer-valued float64 (what ``numpy.bincount`` weights are; sums stay
        exact below 2**53). Shape ``(height, 1)`` when the area varies by row only, else
        ``(height, width)``; either broadcasts against the window's values.
        """
        if self.row_units is not None:
            return self.row_units[row_off : row_off + height, None].astype(np.float64)
        if self.knots is None:
            raise ValueError("pixel area is constant; use constant_m2")
        m2 = self.knots.window_m2(row_off, col_off, height, width)
        m2 /= self.unit_m2  # in place: a window's temporaries stay few
        return np.rint(m2, out=m2)

    def window_m2(self, row_off: int, col_off: int, height: int, width: int) -> np.ndarray:
        """Area in m² of a window's pixels (as summed by tallies), broadcastable to its shape."""
        if self.constant_m2 is not None:
            return np.full((height, 1), self.constant_m2)
        return self.window_units(row_off, col_off, height, width) * self.unit_m2

    def total_ha(self, pixels: np.ndarray | float) -> np.ndarray:
        """Hectares of ``pixels`` pixels of constant area (fractional pixels allowed)."""
        if self.constant_m2 is None:
            raise ValueError("pixel area varies by row; sum row areas instead")
        # m² first, then one division: 6962 pixels of 900 m² give 626.58, not 626.5799999999999
        return np.asarray(pixels, dtype=float) * self.constant_m2 / 1e4

    def to_dict(self) -> dict[str, Any]:
        """Plain-type summary."""
        out: dict[str, Any] = {"method": self.method}
        if self.constant_m2 is not None:
            out["pixel_area_m2"] = self.constant_m2
        else:
            if self.row_units is not None:
                m2 = self.row_units * self.unit_m2
            else:
                assert self.knots is not None
                m2 = self.knots.m2
            out["pixel_area_m2_min"] = float(m2.min())
            out["pixel_area_m2_max"] = float(m2.max())
        return out


def _quantise(rows_m2: np.ndarray, method: str) -> PixelArea:
    # 2**24 units for the largest pixel: relative precision 6e-8; exact float64 sums of up to
    # 2**29 pixels per bincount call, exact int64 sums of up to 2**39 pixels per tally cell.
    unit = float(rows_m2.max()) / float(1 << 24)
    units = np.rint(rows_m2 / unit).astype(np.int64)
    return PixelArea(constant_m2=None, row_units=units, unit_m2=unit, method=method)


def _outline(x0: float, y0: float, dx: float, dy: float, n: int = 8) -> tuple[np.ndarray, ...]:
    t = np.linspace(0.0, 1.0, n, endpoint=False)
    xs = np.concatenate([x0 + dx * t, np.full(n, x0 + dx), x0 + dx * (1 - t), np.full(n, x0)])
    ys = np.concatenate([np.full(n, y0), y0 + dy * t, np.full(n, y0 + dy), y0 + dy * (1 - t)])
    return xs, ys


def _row_areas_in(
    info: RasterInfo, target: CRS, *, ncols: int, chunk_rows: int = 4096
) -> np.ndarray:
    """Area in m² of the pixels of each row, projected into ``target`` (mean over ``ncols``).

    Rows are measured ``chunk_rows`` at a time, so the temporary outlines stay a few MB
    however tall the raster is (only the result, 8 bytes a row, grows with it).
    """
    tr = Transformer.from_crs(info.crs, target, always_xy=True)
    out = np.empty(info.height)
    for r0 in range(0, info.height, chunk_rows):
        rows = np.arange(r0, min(info.height, r0 + chunk_rows))
        out[rows] = _row_areas_chunk(info, tr, _linear_unit_m(target), rows, ncols, target)
    return out


def _row_areas_chunk(
    info: RasterInfo, tr: Transformer, unit: float, rows: np.ndarray, ncols: int, target: CRS
) -> np.ndarray:
    cols = np.unique(np.linspace(0, info.width - 1, ncols).round().astype(int))
    return _pixel_areas(info, tr, unit, rows, cols, target).mean(axis=1)


def _pixel_areas(
    info: RasterInfo, tr: Transformer, unit: float, rows: np.ndarray, cols: np.ndarray, target: CRS
) -> np.ndarray:
    """Area in m² of the pixels at ``rows`` x ``cols``, projected into ``target``."""
    t = info.transform
    n = 2  # pixels are small: two points per edge follow any curvature closely
    # outlines of all (row, col) sample pixels: shape (rows, cols, 4n)
    xs0 = t.c + t.a * cols[None, :] + 0 * rows[:, None]
    ys0 = t.f + t.e * rows[:, None] + 0 * cols[None, :]
    ox, oy = _outline(0.0, 0.0, t.a, t.e, n)
    px = xs0[..., None] + ox
    py = ys0[..., None] + oy
    qx, qy = tr.transform(px.ravel(), py.ravel())
    qx = np.asarray(qx).reshape(px.shape) * unit
    qy = np.asarray(qy).reshape(py.shape) * unit
    if not (np.all(np.isfinite(qx)) and np.all(np.isfinite(qy))):
        raise InputError(
            f"raster {info.path} cannot be projected into {target.to_string()}",
            where="equal_area_crs",
            hint="choose an equal-area CRS that covers the raster (e.g. EPSG:6933)",
        )
    # shoelace on coordinates relative to each outline's first vertex: products of
    # millions of metres would cancel to a pixel's area with a needless loss of digits
    qx -= qx[..., :1]
    qy -= qy[..., :1]
    return 0.5 * np.abs(
        np.sum(qx * np.roll(qy, -1, axis=-1) - np.roll(qx, -1, axis=-1) * qy, axis=-1)
    )


def _knot_indices(n: int, step: int) -> np.ndarray:
    """Knot positions along an axis of ``n`` pixels: every ``step``, always the last one."""
    if n == 1:
        return np.array([0, 1], dtype=np.int64)  # a virtual second knot: no interpolation
    return np.unique(np.r_[np.arange(0, n, step), n - 1]).astype(np.int64)


def _knot_areas(info: RasterInfo, target: CRS, *, chunk_rows: int = 256) -> PixelArea:
    """Per-pixel areas in ``target``: exact at knots, bilinear in between (module notes)."""
    t = info.transform
    size_m = min(abs(t.a), abs(t.e)) * _linear_unit_m(info.crs) if info.crs else abs(t.a)
    step = int(max(1, min(256, math.floor(KNOT_SPACING_M / size_m))))
    rows, cols = _knot_indices(info.height, step), _knot_indices(info.width, step)
    tr = Transformer.from_crs(info.crs, target, always_xy=True)
    unit = _linear_unit_m(target)
    m2 = np.empty((rows.size, cols.size))
    for k in range(0, rows.size, chunk_rows):  # outlines of a few MB at a time
        part = rows[k : k + chunk_rows]
        m2[k : k + part.size] = _pixel_areas(info, tr, unit, part, cols, target)
    if info.height == 1:
        m2[1] = m2[0]
    if info.width == 1:
        m2[:, 1] = m2[:, 0]
    knots = AreaKnots(rows, cols, m2)
    # 2**24 units for the largest pixel, as for per-row areas; interpolated areas never
    # exceed the largest knot
    return PixelArea(
        None, None, float(m2.max()) / float(1 << 24),
        f"per-pixel area in {target.to_string()} (exact every {step} pixels, bilinear between)",
        knots,
    )


def pixel_area(
    info: RasterInfo, *, equal_area_crs: str | CRS | None = None, where: str = "equal_area_crs"
) -> PixelArea:
    """Return the ground area of the raster's pixels (see the module notes for the rules).

    Parameters
    ----------
    info : RasterInfo
        The raster.
    equal_area_crs : str or pyproj.CRS, optional
        An equal-area CRS (e.g. ``"EPSG:6933"``, World Cylindrical Equal Area) in which to
        measure pixels. Required for rasters in degrees or in Mercator; optional otherwise.
    where : str
        Name of the parameter/option for error messages.

    Raises
    ------
    InputError
        A geographic or Mercator raster without ``equal_area_crs``; an ``equal_area_crs``
        that is not an equal-area projected CRS; a rotated raster.

    Examples
    --------
    >>> from affine import Affine
    >>> geo = RasterInfo("g.tif", CRS("EPSG:4326"), Affine(0.01, 0, -75, 0, -0.01, 5), 10,
    ...                  10, 1, "uint8", None, (10, 10))
    >>> area = pixel_area(geo, equal_area_crs="EPSG:6933")
    >>> round(float(area.rows_m2(0, 1)[0]) / 1e6, 3)   # km² of a 0.01° cell near 5°N
    1.226

    """
    assert info.crs is not None
    if info.is_rotated:
        raise InputError(
            f"raster {info.path} has a rotated geotransform", where="raster",
            hint="warp it to a north-up grid (gdalwarp)",
        )
    target: CRS | None = None
    if equal_area_crs is not None:
        try:
            target = CRS.from_user_input(equal_area_crs)
        except Exception as err:  # pyproj.exceptions.CRSError
            raise InputError(f"unknown CRS {equal_area_crs!r}: {err}", where=where) from None
        if not is_equal_area(target):
            raise InputError(
                f"{equal_area_crs} is not an equal-area projection", where=where,
                hint="use e.g. EPSG:6933 (World Cylindrical Equal Area) or an Albers CRS",
            )
    crs = info.crs
    if crs.is_geographic or _is_mercator(crs):
        if target is None:
            kind = "geographic coordinates (degrees)" if crs.is_geographic else "Mercator"
            raise InputError(
                f"raster {info.path} is in {kind}, so its pixels have no fixed area",
                where=where,
                hint="pass an equal-area CRS to measure them in (e.g. `equal_area_crs` "
                "EPSG:6933), or warp the raster to a projected CRS such as EPSG:9377",
            )
        rows = _row_areas_in(info, target, ncols=1 if crs.is_geographic else 9)
        return _quantise(rows, f"per-row area in {target.to_string()}")
    unit = _linear_unit_m(crs)
    nominal = abs(info.transform.a * info.transform.e) * unit * unit
    if target is not None and not (is_equal_area(crs) and target == crs):
        return _knot_areas(info, target)
    if is_equal_area(crs):
        return PixelArea(nominal, None, 1.0, "pixel size in an equal-area CRS")
    return PixelArea(
        nominal, None, 1.0,
        f"nominal pixel size in {crs.name} (not equal-area: off by the projection's scale, "
        "under 0.2 % in a UTM zone, up to about 1 % at the edges of Colombia in CTM12; "
        "`equal_area_crs` measures pixels in an equal-area CRS)",
    )
