"""Per-pixel features of a tile: composite bands, spectral indices, temporal statistics, texture.

Features (in this order, see :func:`feature_names`):

1. every band of the best-pixel composite (observation nearest 31 December);
2. indices of that composite: NDVI (B08, B04), NDMI (B08, B11), NBR (B08, B12) and the red-edge
   NDRE (B8A, B05);
3. temporal statistics over the cloud-free observations of the window: median, standard
   deviation, minimum and maximum of NDVI, median of NDMI, and the median of every band;
4. texture: the standard deviation of the composite NDVI in a 3 x 3 window (needs a halo of one
   pixel around the tile).

Pixels without a cloud-free observation have NaN features.

Examples
--------
>>> import numpy as np
>>> bands = ["B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12"]
>>> rng = np.random.default_rng(0)
>>> refl = rng.uniform(0.01, 0.4, (2, 10, 4, 4)).astype(np.float32)
>>> valid = np.ones((2, 4, 4), dtype=bool)
>>> f = compute_features(refl, valid, np.array([-5.0, 5.0]), bands)
>>> f.shape == (len(feature_names(bands)), 4, 4)
True
>>> ndvi = (refl[0, 6] - refl[0, 2]) / (refl[0, 6] + refl[0, 2])
>>> bool(np.allclose(f[feature_names(bands).index("NDVI")], ndvi))
True

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cocamonitor.errors import InputError
from cocamonitor.imagery.composite import best_pixel, median_composite, nanmedian_first_axis

__all__ = ["INDICES", "REQUIRED_BANDS", "SENTINEL2_BANDS", "TileFeatures", "compute_features", "feature_names",
           "ndvi_texture", "tile_features"]

#: The ten 10 m and 20 m Sentinel-2 bands used by default.
SENTINEL2_BANDS = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")

#: Normalised differences ``(a - b) / (a + b)``.
INDICES = {"NDVI": ("B08", "B04"), "NDMI": ("B08", "B11"), "NBR": ("B08", "B12"), "NDRE": ("B8A", "B05")}

#: Bands the indices need.
REQUIRED_BANDS = tuple(sorted({b for pair in INDICES.values() for b in pair}))

#: Asset keys of catalogs that name bands by common name (e.g. Earth Search) -> band ids.
ALIASES = {"blue": "B02", "green": "B03", "red": "B04", "rededge1": "B05", "rededge2": "B06",
           "rededge3": "B07", "nir": "B08", "nir08": "B8A", "swir16": "B11", "swir22": "B12"}


def _canonical(bands: Sequence[str]) -> list[str]:
    return [ALIASES.get(b.lower(), b.upper()) for b in bands]

_TEMPORAL = ("NDVI_median", "NDVI_std", "NDVI_min", "NDVI_max", "NDMI_median")


def _check_bands(bands: Sequence[str]) -> None:
    missing = [b for b in REQUIRED_BANDS if b not in _canonical(bands)]
    if missing:
        raise InputError(f"the features need the band(s) {', '.join(missing)}", where="bands",
                         hint=f"give at least {', '.join(REQUIRED_BANDS)}")


def feature_names(bands: Sequence[str]) -> list[str]:
    """Names of the features :func:`compute_features` returns, in order."""
    _check_bands(bands)
    return ([*bands] + list(INDICES) + list(_TEMPORAL) + [f"{b}_median" for b in bands]
            + ["NDVI_texture"])


def _nd(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a - b, a + b, out=out)


def _nan_spread(x: np.ndarray, *, std: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """Write the standard deviation (ddof 0), minimum and maximum over axis 0, ignoring NaN.

    NaN where a pixel has no value. Unlike :func:`numpy.nanstd` it warns about nothing, so
    it needs no warning filter (filters are process-wide and tiles run on threads).
    """
    ok = ~np.isnan(x)
    n = ok.sum(axis=0, dtype=np.int16)
    none = n == 0
    z = np.where(ok, x, np.float32(0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = z.sum(axis=0) / n
        dev = np.where(ok, x - mean, np.float32(0.0))
        np.sqrt((dev * dev).sum(axis=0) / n, out=std)
    np.min(np.where(ok, x, np.float32(np.inf)), axis=0, out=low)
    np.max(np.where(ok, x, np.float32(-np.inf)), axis=0, out=high)
    for a in (std, low, high):
        a[none] = np.nan


def _box3(a: np.ndarray) -> np.ndarray:
    """Sum ``a`` ``(h + 2, w + 2)`` over 3 x 3 windows -> ``(h, w)``, always in one order.

    Every output pixel is the same sum of the same nine numbers whatever the window it is
    computed in, so tiles and the whole image agree to the bit (a running sum would not).
    """
    rows = a[:-2] + a[1:-1] + a[2:]
    return rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]


def ndvi_texture(padded: np.ndarray) -> np.ndarray:
    """Compute the standard deviation of NDVI in the 3 x 3 window of each pixel, ignoring NaN.

    Parameters
    ----------
    padded : numpy.ndarray, shape (h + 2, w + 2)
        NDVI of the pixels and of a one-pixel frame around them (NaN: no observation).

    Returns
    -------
    numpy.ndarray, shape (h, w), float32
        The texture of the inner pixels; NaN where the pixel itself has no NDVI.

    Examples
    --------
    >>> p = np.array([[0.2, 0.2, 0.2], [0.2, 0.4, 0.2], [0.2, 0.2, np.nan]], dtype=np.float32)
    >>> round(float(ndvi_texture(p)[0, 0]), 4)  # sd of seven 0.2 and one 0.4
    0.0661

    """
    ok = np.isfinite(padded)
    z = np.where(ok, padded, np.float32(0.0)).astype(np.float32, copy=False)
    n = _box3(ok.astype(np.float32))
    s1 = _box3(z)
    s2 = _box3(z * z)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / n
        texture = np.sqrt(np.maximum(s2 / n - mean * mean, np.float32(0.0)))
    return np.where(ok[1:-1, 1:-1], texture, np.float32(np.nan))


@dataclass(frozen=True)
class TileFeatures:
    """Features of a tile and what the best-pixel composite says about each pixel.

    Attributes
    ----------
    values : numpy.ndarray, shape (feature, y, x)
        The features (:func:`feature_names` order), float32; NaN where no observation.
    n_obs : numpy.ndarray of int16, shape (y, x)
        Cloud-free observations in the window.
    obs_day : numpy.ndarray, shape (y, x)
        Signed days from the reference date of the best-pixel observation (NaN where none).

    """

    values: np.ndarray
    n_obs: np.ndarray
    obs_day: np.ndarray


def compute_features(refl: np.ndarray, valid: np.ndarray, days: np.ndarray,
                     bands: Sequence[str]) -> np.ndarray:
    """Features of a tile, ``(feature, y, x)`` float32 (see module docstring).

    Parameters
    ----------
    refl : numpy.ndarray, shape (time, band, y, x)
        Surface reflectance (0-1).
    valid : numpy.ndarray of bool, shape (time, y, x)
        Cloud-free observations.
    days : numpy.ndarray, shape (time,)
        Signed days from the reference date.
    bands : sequence of str
        Band names along ``refl``'s second axis: ``B02`` ... ``B12`` or their common names
        (``red``, ``nir``, ``swir16``..., see :data:`ALIASES`).

    """
    return tile_features(refl, valid, days, bands).values


def tile_features(refl: np.ndarray, valid: np.ndarray, days: np.ndarray, bands: Sequence[str]) -> TileFeatures:
    """:func:`compute_features` with the observation count and best-pixel day of each pixel.

    Same parameters as :func:`compute_features`; the composite is computed once for all three.
    """
    _check_bands(bands)
    pos = {b: i for i, b in enumerate(_canonical(bands))}
    nb = len(bands)
    # every feature is written once into its slice of one float32 array: no concatenation
    out = np.empty((len(feature_names(bands)), *refl.shape[2:]), dtype=np.float32)
    best = best_pixel(refl, valid, days, out=out[:nb])
    comp = out[:nb]
    for i, (a, b) in enumerate(INDICES.values()):
        _nd(comp[pos[a]], comp[pos[b]], out=out[nb + i])
    ndvi_t = np.where(valid, _nd(refl[:, pos["B08"]], refl[:, pos["B04"]]), np.float32(np.nan))
    ndmi_t = np.where(valid, _nd(refl[:, pos["B08"]], refl[:, pos["B11"]]), np.float32(np.nan))
    t0 = nb + len(INDICES)
    out[t0] = nanmedian_first_axis(ndvi_t)
    _nan_spread(ndvi_t, std=out[t0 + 1], low=out[t0 + 2], high=out[t0 + 3])
    out[t0 + 4] = nanmedian_first_axis(ndmi_t)
    del ndvi_t, ndmi_t
    m0 = t0 + len(_TEMPORAL)
    median_composite(refl, valid, out=out[m0:m0 + nb])
    # the window's own edge pixels stand in beyond it (the image edge; a tile's seams are
    # completed from its neighbours by cocamonitor.imagery.seams)
    out[-1] = ndvi_texture(np.pad(out[nb], 1, mode="edge"))
    return TileFeatures(values=out, n_obs=best.n_obs, obs_day=best.obs_day)
