"""Multiplier bootstrap on influence functions: standard errors and simultaneous bands.

Each draw multiplies every cluster's summed influence function by an independent weight with
mean 0 and variance 1 (Mammen's two-point weights or Rademacher ±1) and averages; the spread of
the draws gives a standard error (interquartile range over the normal one, as R's ``did``) and
the quantile of the largest studentised deviation over all estimates gives the critical value of
a band that covers all of them at once (a sup-t band). Draws are made in blocks so memory stays
bounded whatever the number of draws.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from cocamonitor.errors import ParameterError

__all__ = ["cluster_sums", "multiplier_bootstrap"]

_SQ5 = np.sqrt(5.0)


def cluster_sums(psi: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Sum the rows of ``psi`` (units × estimates) within clusters.

    Examples
    --------
    >>> cluster_sums(np.array([[1.0], [2.0], [4.0]]), np.array([0, 1, 0])).ravel().tolist()
    [5.0, 2.0]

    """
    codes, inv = np.unique(cluster, return_inverse=True)
    out = np.zeros((codes.size, psi.shape[1]))
    np.add.at(out, inv, psi)
    return out


def _weights(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape).astype(float) * 2 - 1
    # Mammen: (1 - √5)/2 with probability (√5 + 1)/(2√5), else (1 + √5)/2
    low = rng.random(shape) < (_SQ5 + 1) / (2 * _SQ5)
    return np.where(low, (1 - _SQ5) / 2, (1 + _SQ5) / 2)


def multiplier_bootstrap(
    sums: np.ndarray,
    n: int,
    *,
    n_boot: int = 999,
    confidence: float = 0.95,
    weights: str = "mammen",
    seed: int | None = 0,
    scale: np.ndarray | None = None,
    block: int = 256,
) -> tuple[np.ndarray, float]:
    """Bootstrap standard errors and the sup-t critical value from cluster-summed influence functions.

    Parameters
    ----------
    sums : ndarray, shape (clusters, k)
        Influence functions summed within clusters.
    n : int
        Number of units (the influence functions average over units).
    n_boot : int
        Number of draws.
    confidence : float
        Coverage of the simultaneous band.
    weights : {"mammen", "rademacher"}
        Multiplier distribution.
    seed : int, optional
        Random seed.
    scale : ndarray, shape (k,), optional
        Standard errors that studentise the draws for the band (the analytic ones, whose
        square is the draws' exact variance); default: the bootstrap standard errors.
    block : int
        Draws computed at once.

    Returns
    -------
    se : ndarray, shape (k,)
        Bootstrap standard errors (NaN where an estimate does not vary).
    crit : float
        Critical value: ``estimate ± crit * se`` covers all ``k`` estimates jointly.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> se, crit = multiplier_bootstrap(rng.normal(size=(400, 3)), 400, n_boot=2000)
    >>> bool(np.all(np.abs(se - 0.05) < 0.005)), bool(1.96 < crit < 2.6)
    (True, True)

    """
    if weights not in ("mammen", "rademacher"):
        raise ParameterError(f"unknown bootstrap weights {weights!r}", where="bootstrap_weights",
                             hint="use 'mammen' or 'rademacher'")
    if n_boot < 2:
        raise ParameterError(f"n_boot={n_boot} is too few draws", where="n_boot", hint="use at least 99")
    rng = np.random.default_rng(seed)
    k = sums.shape[1]
    draws = np.empty((n_boot, k))
    for start in range(0, n_boot, block):
        m = min(block, n_boot - start)
        draws[start:start + m] = _weights(rng, (m, sums.shape[0]), weights) @ sums / n
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = se > np.sqrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(draws).max(axis=0))
    se = np.where(ok, se, np.nan)
    sd = se if scale is None else np.where(ok, scale, np.nan)
    if not ok.any():
        return se, float("nan")
    t_max = np.max(np.abs(draws[:, ok] / sd[ok]), axis=1)
    crit = float(np.quantile(t_max, confidence, method="inverted_cdf"))
    return se, crit
