"""Good practice designed as a careful analyst would: rings, target SE, Neyman allocation.

The reference sample of year *t* is designed from the census map of year *t* and the reference
sample of year *t − 1* (:func:`plan_good_practice`):

1. **Strata.** Mapped coca; ``buffer_rings`` rings of non-coca pixels by their distance to
   mapped coca (on a grid of ``ring_block_m`` blocks); the rest. Omitted coca clusters near
   mapped coca, and buffer strata are how Olofsson et al. (2020) and the OpenMRV sampling
   module keep rare omission out of the large rest stratum. The ring edges are *sized from last
   year's omission*: at the weighted quantiles ``omission_quantile · k / buffer_rings`` of the
   distances of last year's omitted reference points (map "other", reference coca), so that
   the rings enclose that share of the omitted area; with fewer than ``min_omissions`` such
   points, the edges divide ``buffer_m`` evenly.
2. **Anticipated coca shares** ``q_h`` per new stratum from last year's points re-binned by
   their distance (design weights kept), Jeffreys-smoothed, ``(x_w + ½ w̄) / (n_w + w̄)``, so a
   stratum whose sample found no coca is not anticipated to have none. For strata that are map
   classes, ``q_h`` is the user's accuracy of the coca stratum and one minus it elsewhere.
3. **Sample size** from a target standard error of the coca area (``target_rel_se`` of the
   anticipated area), Olofsson et al. (2014) eq. 13 / Cochran (1977) eq. 5.25:
   ``n = (Σ W_h S_h / SE)²``, ``S_h = √(q_h (1 − q_h))``; or the points a budget buys.
4. **Neyman allocation** ``n_h ∝ W_h S_h`` (Cochran 1977 eq. 5.26), at least two per stratum.

The estimate (:func:`stratified_total`) is the usual stratified estimator of the coca area.
With ``smooth_variance``, a stratum whose sample found no coca (or only coca) enters the
variance with ``(x_h + ½)/(n_h + 1)`` -- half a unit in the empty cell, the Jeffreys prior
mean; Brown, Cai & DasGupta (2001) show why Wald intervals fail for small counts -- instead of
a zero variance: the point estimate is unchanged and unbiased, but a stratum that happened to
draw no coca no longer claims to know it has none, the degenerate intervals that made good
practice cover the truth a fraction of the time.

Examples
--------
Nine coca points of ten in a 100-pixel stratum, none of 100 in a 1,000-pixel one: the Wald
standard error ignores the second stratum, the smoothed one does not:

>>> import numpy as np
>>> hits, n, size = np.array([9, 0]), np.array([10, 100]), np.array([100.0, 1000.0])
>>> total, se = stratified_total(hits, n, size, smooth=False)
>>> total, round(se, 2)
(90.0, 10.0)
>>> round(stratified_total(hits, n, size)[1], 2)
12.24

"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage

from cocamonitor.errors import ParameterError
from cocamonitor.sampling import allocate, sample_size_stratified
from cocamonitor.simulate.config import SimulationConfig

__all__ = [
    "GoodPracticeDesign",
    "anticipated_shares",
    "block_distance_m",
    "omission_edges",
    "plan_good_practice",
    "stratified_total",
]


@dataclass(frozen=True)
class GoodPracticeDesign:
    """A good-practice sample design for one year.

    Attributes
    ----------
    edges_m : tuple of float
        Outer edge of each buffer ring (distance to mapped coca, metres).
    n : dict of str to int
        Sample size per stratum (``coca``, ``buffer_1`` ..., ``other``).
    source : str
        ``pilot`` (fixed sizes), ``target_se`` (eq. 13) or ``budget``.
    rings_from : str
        ``omission`` (last year's omitted points) or ``fallback`` (``buffer_m``).
    anticipated : dict of str to float
        Anticipated coca share per stratum (empty for the pilot).
    target_se_ha : float
        Target standard error (NaN unless ``source == "target_se"``).

    """

    edges_m: tuple[float, ...]
    n: dict[str, int]
    source: str
    rings_from: str
    anticipated: dict[str, float] = field(default_factory=dict)
    target_se_ha: float = float("nan")

    @property
    def total(self) -> int:
        """Total sample size."""
        return int(sum(self.n.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain-type summary."""
        return {"edges_m": list(self.edges_m), "n": dict(self.n), "source": self.source,
                "rings_from": self.rings_from, "anticipated": dict(self.anticipated),
                "target_se_ha": self.target_se_ha, "total": self.total}


def stratified_total(hits: np.ndarray, n: np.ndarray, size: np.ndarray, *,
                     smooth: bool = True) -> tuple[float, float]:
    """Stratified estimate of a class total and its standard error.

    Parameters
    ----------
    hits, n : array of int
        Sample units of the class, and all sample units, per stratum (``n >= 2`` unless the
        stratum is sampled whole).
    size : array of float
        Size of each stratum (pixels, or area: the total comes out in the same unit).
    smooth : bool, default True
        In a stratum whose sample found no unit of the class (or only such units), the
        variance uses ``(x + ½)/(n + 1)`` instead of ``x/n`` (half a unit added to the empty
        cell; the estimate is not changed).

    Returns
    -------
    total, se : float
        ``Σ N_h x_h/n_h`` and ``√Σ N_h² p_h (1 − p_h)/(n_h − 1)`` (Cochran 1977 eq. 5.57,
        no finite population correction, as in Olofsson et al. 2014); a stratum of one
        unit, sampled with certainty, adds no variance.

    """
    hits = np.asarray(hits, dtype=float)
    n = np.asarray(n, dtype=float)
    size = np.asarray(size, dtype=float)
    total = float(np.sum(size * hits / n))
    p = hits / n
    if smooth:
        edge = (hits == 0) | (hits == n)
        p = np.where(edge, (hits + 0.5) / (n + 1.0), p)
    var = np.where(n > 1, size**2 * p * (1 - p) / np.maximum(n - 1, 1), 0.0)
    return total, float(np.sqrt(var.sum()))


def block_distance_m(has_coca: np.ndarray, block_m: float) -> np.ndarray:
    """Distance (m) of each block to the nearest block holding mapped coca.

    Parameters
    ----------
    has_coca : numpy.ndarray of bool, 2-D
        Blocks that hold mapped coca (at distance 0).
    block_m : float
        Side of a block in metres.

    Returns
    -------
    numpy.ndarray of float
        Same shape; ``inf`` everywhere when no block holds mapped coca.

    Examples
    --------
    >>> block_distance_m(np.array([[True, False, False]]), 50.0).tolist()
    [[0.0, 50.0, 100.0]]

    """
    if not has_coca.any():
        return np.full(has_coca.shape, np.inf)
    return ndimage.distance_transform_edt(~has_coca) * block_m


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return v[np.minimum(np.searchsorted(cum, q, side="left"), v.size - 1)]


def omission_edges(previous: pd.DataFrame | None, cfg: SimulationConfig) -> tuple[tuple[float, ...], str]:
    """Ring edges (m) sized from last year's omitted reference points (see module docstring).

    Examples
    --------
    >>> prev = pd.DataFrame({"map_class": ["other"] * 4, "reference_class": ["coca"] * 4,
    ...                      "distance_m": [0.0, 100.0, 200.0, 800.0], "weight": [1.0] * 4})
    >>> omission_edges(prev, SimulationConfig())
    ((100.0, 800.0), 'omission')
    >>> omission_edges(None, SimulationConfig())
    ((500.0, 1000.0), 'fallback')

    """
    g = cfg.good_practice
    k = np.arange(1, g.buffer_rings + 1)
    fallback = tuple(float(e) for e in g.buffer_m * k / g.buffer_rings)
    if previous is None or previous.empty:
        return fallback, "fallback"
    om = previous[(previous["map_class"] == "other") & (previous["reference_class"] == "coca")]
    if len(om) < g.min_omissions:
        return fallback, "fallback"
    d = om["distance_m"].to_numpy(float)
    d = np.where(np.isfinite(d), d, g.buffer_m)
    q = _weighted_quantile(d, om["weight"].to_numpy(float), g.omission_quantile * k / g.buffer_rings)
    edges = np.unique(q)
    return tuple(float(e) for e in edges), "omission"


def stratum_of_distance(d: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Ring number (1-based) of each distance; ``len(edges) + 1`` is the rest."""
    return np.searchsorted(np.asarray(edges, float), d, side="left") + 1


def ring_names(edges: tuple[float, ...]) -> list[str]:
    """Stratum names: ``coca``, ``buffer_1`` ..., ``other``."""
    return ["coca", *[f"buffer_{k}" for k in range(1, len(edges) + 1)], "other"]


def anticipated_shares(previous: pd.DataFrame, edges: tuple[float, ...]) -> dict[str, float]:
    """Anticipated coca share per stratum from last year's points (see module docstring).

    Examples
    --------
    >>> prev = pd.DataFrame({"map_class": ["coca", "coca", "other", "other", "other"],
    ...                      "reference_class": ["coca", "other", "coca", "other", "other"],
    ...                      "distance_m": [0.0, 0.0, 50.0, 50.0, 900.0],
    ...                      "weight": [1.0, 1.0, 10.0, 10.0, 100.0]})
    >>> {k: round(v, 3) for k, v in anticipated_shares(prev, (100.0,)).items()}
    {'coca': 0.5, 'buffer_1': 0.5, 'other': 0.25}

    """
    names = ring_names(edges)
    is_coca_map = (previous["map_class"] == "coca").to_numpy()
    ring = stratum_of_distance(previous["distance_m"].to_numpy(float), edges)
    ring = np.where(is_coca_map, 0, ring)
    y = (previous["reference_class"] == "coca").to_numpy(float)
    w = previous["weight"].to_numpy(float)
    out = {}
    for k, name in enumerate(names):
        m = ring == k
        wbar = float(w[m].mean()) if m.any() else 1.0
        out[name] = (float((w * y)[m].sum()) + 0.5 * wbar) / (float(w[m].sum()) + wbar)
    return out


def plan_good_practice(cfg: SimulationConfig, sizes: dict[str, int], edges: tuple[float, ...],
                       rings_from: str, previous: pd.DataFrame | None,
                       points: int | None = None) -> GoodPracticeDesign:
    """Sample size and allocation for this year's strata.

    Parameters
    ----------
    cfg : SimulationConfig
        Simulator parameters (``[good_practice]``).
    sizes : dict of str to int
        Pixels in each stratum (``coca``, ``buffer_k``, ``other``), empty strata included.
    edges : tuple of float
        Ring edges (from :func:`omission_edges`).
    rings_from : str
        How the edges were set.
    previous : pandas.DataFrame or None
        Last year's reference sample (``None``: pilot design with the fixed sizes).
    points : int, optional
        Total points a budget buys (instead of the target standard error).

    Returns
    -------
    GoodPracticeDesign

    Raises
    ------
    ParameterError
        ``points`` smaller than two per non-empty stratum.

    """
    g = cfg.good_practice
    live = {k: v for k, v in sizes.items() if v > 0}
    ha = cfg.pixel_area_ha
    if previous is None or (g.target_rel_se == 0 and points is None):
        nb = len([k for k in live if k.startswith("buffer_")])
        want = {"coca": g.n_coca, "other": g.n_other}
        for k in live:
            if k.startswith("buffer_"):
                want[k] = max(2, g.n_buffer // max(nb, 1))
        n = {k: int(min(want[k], v)) for k, v in live.items()}
        if points is not None:
            n = _allocate(points, live, {k: 0.5 for k in live}, "points")
            return GoodPracticeDesign(edges_m=edges, n=n, source="budget", rings_from=rings_from)
        return GoodPracticeDesign(edges_m=edges, n=n, source="pilot", rings_from=rings_from)
    q = anticipated_shares(previous, edges)
    q = {k: q[k] for k in live}
    if points is None:
        anticipated_ha = sum(live[k] * q[k] for k in live) * ha
        target_se_ha = g.target_rel_se * anticipated_ha
        total_px = sum(live.values())
        n_total = sample_size_stratified(live, proportions=q,
                                         target_se=target_se_ha / (total_px * ha))
        n_total = min(max(n_total, 2 * len(live)), g.max_points)
        n = _allocate(n_total, live, q, "target_rel_se")
        return GoodPracticeDesign(edges_m=edges, n=n, source="target_se", rings_from=rings_from,
                                  anticipated=q, target_se_ha=target_se_ha)
    n = _allocate(points, live, q, "points")
    return GoodPracticeDesign(edges_m=edges, n=n, source="budget", rings_from=rings_from,
                              anticipated=q)


def _allocate(n_total: int, sizes: dict[str, int], q: dict[str, float], where: str) -> dict[str, int]:
    need = sum(min(2, v) for v in sizes.values())
    if n_total < need:
        raise ParameterError(f"{n_total} reference points are fewer than the {need} the design "
                             "needs (two per stratum)", where=where,
                             hint="raise the budget or lower the cost per point")
    sd = {k: float(np.sqrt(q[k] * (1 - q[k]))) for k in sizes}
    alloc = allocate(min(n_total, sum(sizes.values())), sizes, method="neyman", sd=sd,
                     sizes=sizes)
    return dict(alloc.n)
