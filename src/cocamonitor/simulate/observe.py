"""Observation: image acquisition dates, clouds, and classified maps with realistic errors.

* Acquisitions fall every ``revisit_days``, phased so that one falls
  ``acquisition_offset_days`` after 31 December noon.
* Each acquisition has a cloud fraction drawn from a Beta distribution (mean ``cloud_mean``,
  concentration ``cloud_concentration``) and a spatially correlated cloud pattern: a smoothed
  Gaussian random field (correlation length ``cloud_correlation_m``) thresholded so that the
  cloud fraction is met.
* The classified map of an acquisition marks coca where (a) a standing field is detected --
  each field independently with probability
  ``detection_max * (1 - exp(-size / size_scale)) * (1 - exp(-age / age_scale))``, so small and
  young fields are missed more often (omission); (b) a field cleared less than
  ``fallow_confusion_months`` earlier is confused with coca (probability ``fallow_confusion``);
  (c) a persistent look-alike patch is confused with coca (probability ``lookalike_confusion``)
  (commission). Errors are whole-field: a field is either mapped or not.

With ``detection_max = 1``, both scales 0 and both confusions 0 the map equals the truth.

Examples
--------
>>> import numpy as np
>>> from cocamonitor.simulate.config import SimulationConfig
>>> from cocamonitor.simulate.dynamics import simulate_history
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> hist = simulate_history(cfg, [2020], seed=1)
>>> days = acquisition_days(hist, 2020)
>>> float(days[0] - hist.dec31(2020))
5.0
>>> m = classified_map(hist, days[0], np.random.default_rng(0))
>>> m.shape, m.dtype
((200, 200), dtype('uint8'))

"""

from __future__ import annotations

import numpy as np

from cocamonitor.simulate.dynamics import DAYS_PER_MONTH, History
from cocamonitor.simulate.landscape import coarse_random_field, footprint_pixels, upsample

__all__ = ["acquisition_days", "classified_map", "cloud_mask", "detection_probability"]


def acquisition_days(hist: History, year: int, window_days: float | None = None,
                     max_images: int | None = None) -> np.ndarray:
    """Acquisition days around 31 Dec of ``year``, nearest first.

    Parameters
    ----------
    hist : History
        The simulated true history.
    year : int
        The survey year (truth on its 31 December).
    window_days : float, optional
        Largest distance from 31 Dec (default: the census window).
    max_images : int, optional
        Keep at most this many (default: the census ``max_images``).

    Returns
    -------
    numpy.ndarray of float
        Days (from the history origin), sorted by distance to 31 Dec (ties: earlier first).

    """
    o = hist.config.observation
    c = hist.config.census
    window = c.window_days if window_days is None else window_days
    keep = c.max_images if max_images is None else max_images
    s1 = hist.dec31(year)
    anchor = s1 + o.acquisition_offset_days
    k_lo = int(np.ceil((s1 - window - anchor) / o.revisit_days))
    k_hi = int(np.floor((s1 + window - anchor) / o.revisit_days))
    days = anchor + np.arange(k_lo, k_hi + 1) * o.revisit_days
    days = days[np.abs(days - s1) <= window]
    order = np.lexsort((days, np.abs(days - s1)))
    return days[order][:keep]


def cloud_mask(hist: History, rng: np.random.Generator) -> tuple[np.ndarray | None, float]:
    """Cloud mask of one acquisition (``True`` = cloud) and its cloud fraction.

    Returns ``(None, 0.0)`` when the drawn fraction is zero (clear image), so callers can skip
    work.
    """
    o = hist.config.observation
    if o.cloud_mean <= 0:
        return None, 0.0
    a = o.cloud_mean * o.cloud_concentration
    b = (1 - o.cloud_mean) * o.cloud_concentration
    frac = float(rng.beta(a, b))
    size = hist.landscape.size
    corr_px = o.cloud_correlation_m / hist.landscape.pixel_size_m
    cell = max(1, int(corr_px // 8))
    nc = -(-size // cell)
    grf = coarse_random_field((nc, nc), corr_px / cell, rng)
    thr = np.quantile(grf, 1.0 - frac)
    coarse = grf > thr
    if not coarse.any():
        return None, 0.0
    return upsample(coarse, cell, size), frac


def detection_probability(hist: History, size_ha: np.ndarray, age_days: np.ndarray) -> np.ndarray:
    """Probability that a standing field of this size and age is mapped as coca."""
    o = hist.config.observation
    p = np.full(np.shape(size_ha), o.detection_max, dtype=float)
    if o.detection_size_scale_ha > 0:
        p *= 1.0 - np.exp(-np.asarray(size_ha) / o.detection_size_scale_ha)
    if o.detection_age_scale_months > 0:
        age_m = np.maximum(np.asarray(age_days), 0.0) / DAYS_PER_MONTH
        p *= 1.0 - np.exp(-age_m / o.detection_age_scale_months)
    return p


def mapped_fields(hist: History, t: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Fields and look-alike patches mapped as coca at instant ``t``.

    Returns
    -------
    fields : numpy.ndarray of int
        Indices into ``hist.fields`` of the fields mapped as coca (detected standing fields
        and confused recently cleared ones).
    lookalikes : numpy.ndarray of int
        Indices into ``hist.lookalikes`` of the patches mapped as coca.

    """
    o = hist.config.observation
    ep = hist.episodes
    stand = ep.standing(t)
    f = ep.field[stand]
    size = hist.fields.pixels[f] * hist.config.pixel_area_ha
    p = detection_probability(hist, size, t - ep.start[stand])
    detected = f[rng.random(f.size) < p]
    parts = [detected]
    if o.fallow_confusion > 0 and o.fallow_confusion_months > 0:
        recent = (ep.end <= t) & (ep.end > t - o.fallow_confusion_months * DAYS_PER_MONTH)
        cand = np.setdiff1d(np.unique(ep.field[recent]), f)
        parts.append(cand[rng.random(cand.size) < o.fallow_confusion])
    look = np.zeros(0, np.intp)
    if o.lookalike_confusion > 0 and len(hist.lookalikes):
        n = len(hist.lookalikes)
        look = np.flatnonzero(rng.random(n) < o.lookalike_confusion)
    return np.concatenate(parts), look


def classified_map(hist: History, t: float, rng: np.random.Generator,
                   out: np.ndarray | None = None) -> np.ndarray:
    """uint8 classified map at instant ``t``: 1 coca, 0 not coca (clouds are applied apart)."""
    fields, look = mapped_fields(hist, t, rng)
    shape = hist.shape
    if out is None:
        out = np.zeros(shape, dtype=np.uint8)
    else:
        out.fill(0)
    flat_out = out.reshape(-1)
    if look.size:
        _, flat = footprint_pixels(*hist.lookalikes.rects(look), ncols=shape[1])
        flat_out[flat] = 1
    _, flat = footprint_pixels(*hist.fields.rects(fields), ncols=shape[1])
    flat_out[flat] = 1
    return out
