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

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from cocamonitor.errors import InputError
from cocamonitor.imagery.composite import best_pixel, median_composite, nanmedian_first_axis

__all__ = ["INDICES", "REQUIRED_BANDS", "SENTINEL2_BANDS", "compute_features", "feature_names"]

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


def _nd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a - b) / (a + b)


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
    _check_bands(bands)
    pos = {b: i for i, b in enumerate(_canonical(bands))}
    comp = best_pixel(refl, valid, days).values
    idx = [_nd(comp[pos[a]], comp[pos[b]]) for a, b in INDICES.values()]
    ndvi_t = _nd(refl[:, pos["B08"]], refl[:, pos["B04"]])
    ndmi_t = _nd(refl[:, pos["B08"]], refl[:, pos["B11"]])
    ndvi_t = np.where(valid, ndvi_t, np.nan)
    ndmi_t = np.where(valid, ndmi_t, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pixels without observations stay NaN
        temporal = [nanmedian_first_axis(ndvi_t), np.nanstd(ndvi_t, axis=0), np.nanmin(ndvi_t, axis=0),
                    np.nanmax(ndvi_t, axis=0), nanmedian_first_axis(ndmi_t)]
    med = median_composite(refl, valid)
    ndvi = idx[0]
    ok = np.isfinite(ndvi)
    z = np.where(ok, ndvi, 0.0)
    w = ndimage.uniform_filter(ok.astype(np.float32), 3, mode="nearest")
    m1 = ndimage.uniform_filter(z, 3, mode="nearest")
    m2 = ndimage.uniform_filter(z * z, 3, mode="nearest")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = m1 / w
        texture = np.sqrt(np.maximum(m2 / w - mean * mean, 0.0))
    texture = np.where(ok, texture, np.nan)
    out = np.concatenate([comp, np.stack(idx), np.stack(temporal), med, texture[None]]).astype(np.float32)
    return out
