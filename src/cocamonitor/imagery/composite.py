"""Cloud masking and per-pixel composites of a stack of acquisitions (numpy, one tile at a time).

Arrays follow one layout: reflectance ``(time, band, y, x)`` float32, a validity mask
``(time, y, x)`` (``True`` = cloud-free observation) and ``days``, the signed distance of each
acquisition from the reference date (31 December) in days.

* :func:`valid_mask` turns the scene classification (SCL) and nodata into the validity mask.
* :func:`best_pixel` takes, per pixel, the cloud-free observation nearest the reference date
  and keeps its date (ties: the earlier one), because an area on 31 December depends on how
  old the image is.
* :func:`median_composite` is the per-band median of the cloud-free observations.

Pixels without any cloud-free observation are NaN in both and ``n_obs == 0``: they are never
filled.

Examples
--------
>>> import numpy as np
>>> refl = np.array([[[[0.1, 0.2]]], [[[0.3, 0.4]]], [[[0.5, 0.6]]]], dtype=np.float32)  # 3 dates, 1 band, 1x2
>>> valid = np.array([[[False, False]], [[True, False]], [[True, False]]])
>>> comp = best_pixel(refl, valid, np.array([-10.0, 5.0, 15.0]))
>>> comp.values[0].tolist(), comp.obs_day.tolist(), comp.n_obs.tolist()
([[0.30000001192092896, nan]], [[5.0, nan]], [[2, 0]])
>>> median_composite(refl, valid)[0].tolist()
[[0.4000000059604645, nan]]

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cocamonitor.errors import ParameterError

__all__ = ["BestPixel", "best_pixel", "median_composite", "nanmedian_first_axis", "valid_mask"]


def valid_mask(scl: np.ndarray, refl_raw: np.ndarray | None = None, *,
               invalid: Sequence[int] = (0, 1, 3, 8, 9, 10)) -> np.ndarray:
    """Cloud-free observations: SCL not in ``invalid`` and, if given, no band at nodata (0).

    Parameters
    ----------
    scl : numpy.ndarray, shape (time, y, x)
        Scene classification codes.
    refl_raw : numpy.ndarray, shape (time, band, y, x), optional
        Stored reflectance; 0 is nodata.
    invalid : sequence of int
        SCL codes that are not an observation of the ground (default: nodata, defective,
        cloud shadow, clouds, cirrus).

    """
    ok = ~np.isin(scl, np.asarray(invalid))
    if refl_raw is not None:
        ok &= (refl_raw != 0).all(axis=1)
    return ok


@dataclass(frozen=True)
class BestPixel:
    """Best-pixel composite of a tile.

    Attributes
    ----------
    values : numpy.ndarray, shape (band, y, x)
        Reflectance of the chosen observation (NaN where none).
    obs_day : numpy.ndarray, shape (y, x)
        Its signed distance from the reference date, days (NaN where none).
    n_obs : numpy.ndarray of int, shape (y, x)
        Cloud-free observations in the window.

    """

    values: np.ndarray
    obs_day: np.ndarray
    n_obs: np.ndarray


def _check_out(out: np.ndarray | None, shape: tuple[int, ...]) -> None:
    """Refuse an output array the results could not be written into in place."""
    if out is not None and (out.shape != shape or out.dtype != np.float32 or not out.flags.c_contiguous):
        raise ParameterError(f"out must be a C-contiguous float32 array of shape {shape}, got {out.dtype} "
                             f"{out.shape}", where="out")


def best_pixel(refl: np.ndarray, valid: np.ndarray, days: np.ndarray, *,
               out: np.ndarray | None = None) -> BestPixel:
    """Per pixel, the cloud-free observation nearest the reference date (see module docstring).

    ``out``: a C-contiguous float32 array ``(band, y, x)`` to write the values into.
    """
    _check_out(out, refl.shape[1:])
    days = np.asarray(days, dtype=float)
    valid = np.asarray(valid, dtype=bool)
    t, nb = refl.shape[:2]
    p = int(np.prod(refl.shape[2:], dtype=np.int64))
    order = np.lexsort((days, np.abs(days)))  # nearest first, earlier first on ties
    # the preferred clear date of each pixel: from the least to the most preferred, each clear
    # date overwrites the last (t elementwise passes over the pixels, no (time, y, x) key array)
    k = np.full(p, t, dtype=np.intp)
    flat_valid = valid.reshape(t, p)
    for i in order[::-1]:
        np.copyto(k, i, where=flat_valid[i])
    has = k < t
    if t == 0:  # no acquisition at all: nothing observed
        values = np.full(refl.shape[1:], np.nan, dtype=np.float32) if out is None else out
        values[...] = np.nan
        return BestPixel(values=values,
                         obs_day=np.full(valid.shape[1:], np.nan, dtype=np.float32),
                         n_obs=np.zeros(valid.shape[1:], dtype=np.int16))
    # gather band by band from the flat stack: index of (date k, band b, pixel) in C order
    at = np.where(has, k, 0) * (nb * p) + np.arange(p)
    flat = np.ascontiguousarray(refl, dtype=np.float32).reshape(-1)
    values = (np.empty((nb, p), dtype=np.float32) if out is None else out).reshape(nb, p)  # a view of out
    for b in range(nb):
        np.take(flat, at + b * p, out=values[b])
    values[:, ~has] = np.nan
    obs = np.where(has, np.append(days, np.nan)[k], np.nan).astype(np.float32)
    n_obs = valid.sum(axis=0, dtype=np.int16)
    return BestPixel(values=values.reshape(refl.shape[1:]), obs_day=obs.reshape(valid.shape[1:]), n_obs=n_obs)


#: Longest time axis sorted by the compare-exchange network (longer axes use :func:`numpy.sort`).
_NETWORK_MAX = 16


def _median_of_layers(layers: list[np.ndarray], n: np.ndarray) -> np.ndarray:
    """Median of the first ``n`` values of each element across ``layers`` once sorted.

    ``layers`` hold the values with NaN already replaced by ``+inf`` (so they sort last) and are
    sorted in place by odd-even transposition (``len(layers)`` rounds of elementwise
    ``minimum``/``maximum``): no per-pixel Python and no copy of the whole stack.
    """
    t = len(layers)
    tmp = np.empty_like(layers[0])
    for r in range(t):
        for i in range(r % 2, t - 1, 2):
            a, b = layers[i], layers[i + 1]
            np.minimum(a, b, out=tmp)
            np.maximum(a, b, out=b)
            layers[i], tmp = tmp, a
    n = n.astype(np.int8)  # at most 16 dates
    i_lo, i_hi = np.maximum((n - 1) // 2, 0), n // 2
    lo, hi = layers[0].copy(), layers[0].copy()
    for k in range(1, t):  # np.choose is several times slower
        np.copyto(lo, layers[k], where=i_lo == k)
        np.copyto(hi, layers[k], where=i_hi == k)
    out = (lo + hi) / 2
    out[n == 0] = np.nan
    return out


#: Elements per block of the network (its layers stay in the CPU cache).
_BLOCK = 1 << 15


def _network_median(values: np.ndarray, ok: np.ndarray | None) -> np.ndarray:
    """Median over axis 0 of ``values`` (t, p) where ``ok`` (t, p) and not NaN, block by block."""
    t, p = values.shape
    out = np.empty(p, dtype=values.dtype)
    inf = values.dtype.type(np.inf)
    for s in range(0, p, _BLOCK):
        e = min(s + _BLOCK, p)
        v = values[:, s:e]
        m = ~np.isnan(v) if ok is None else ok[:, s:e] & ~np.isnan(v)
        out[s:e] = _median_of_layers([np.where(m[i], v[i], inf) for i in range(t)], m.sum(axis=0, dtype=np.int8))
    return out


def nanmedian_first_axis(a: np.ndarray) -> np.ndarray:
    """Median over the first axis ignoring NaN (NaN where all are NaN); vectorised, not a loop.

    :func:`numpy.nanmedian` is many times slower on a short first axis (a few dates) and many
    pixels; up to 16 dates the values are sorted by a compare-exchange network of elementwise
    minima and maxima on cache-sized blocks, beyond that by :func:`numpy.sort`.

    Examples
    --------
    >>> a = np.array([[1.0, np.nan, np.nan], [3.0, 2.0, np.nan], [10.0, np.nan, np.nan]])
    >>> nanmedian_first_axis(a).tolist()
    [3.0, 2.0, nan]

    """
    a = np.asarray(a)
    if a.shape[0] == 0:
        return np.full(a.shape[1:], np.nan, dtype=a.dtype)
    if a.shape[0] <= _NETWORK_MAX and a.dtype.kind == "f":
        return _network_median(a.reshape(a.shape[0], -1), None).reshape(a.shape[1:])
    s = np.sort(np.moveaxis(a, 0, -1), axis=-1)  # contiguous along time; NaN sort last
    n = (~np.isnan(s)).sum(axis=-1)
    lo = np.take_along_axis(s, np.maximum((n - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(s, (n // 2)[..., None], axis=-1)[..., 0]
    out = (lo + hi) / 2
    out[n == 0] = np.nan
    return out


def median_composite(refl: np.ndarray, valid: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """Per-band median of the cloud-free observations, ``(band, y, x)``; NaN where none.

    ``out``: a C-contiguous float32 array ``(band, y, x)`` to write the medians into.
    """
    refl = np.asarray(refl, dtype=np.float32)
    _check_out(out, refl.shape[1:])
    res = np.empty(refl.shape[1:], dtype=np.float32) if out is None else out
    if refl.shape[0] == 0 or refl.shape[0] > _NETWORK_MAX:
        masked = np.where(valid[:, None], refl, np.float32(np.nan))
        res[...] = nanmedian_first_axis(masked)
        return res
    t, b = refl.shape[:2]
    ok = np.asarray(valid, dtype=bool).reshape(t, -1)
    flat = refl.reshape(t, b, -1)
    flat_out = res.reshape(b, -1)  # a view: res must be contiguous
    for k in range(b):
        flat_out[k] = _network_median(flat[:, k], ok)
    return res
