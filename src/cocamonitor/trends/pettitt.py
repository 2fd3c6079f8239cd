"""Pettitt test for a single change point in the level of an annual series (Pettitt 1979).

With ``r_i`` the (mid-)ranks of the values, the Mann-Whitney statistic comparing the first
``t`` years with the rest is

    U_t = sum_{i<=t} sum_{j>t} sign(x_i - x_j) = 2 sum_{i<=t} r_i - t (n + 1)

and ``K = max_t |U_t|`` over ``t = 1 .. n-1``. The most probable break is after the year that
maximises ``|U_t|``. Pettitt's approximate two-sided p-value is ``p ~ 2 exp(-6 K^2 / (n^3 +
n^2))`` (Pettitt 1979, Applied Statistics 28:126-135, eq. 2.6; conservative for small ``n``),
capped at 1. With ``permutations > 0`` a Monte Carlo permutation p-value
``(1 + #{K* >= K}) / (permutations + 1)`` is also returned (seeded, reproducible).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import ParameterError
from cocamonitor.results import Estimate, numbers
from cocamonitor.trends._series import MissingPolicy, as_annual_series

__all__ = ["PettittResult", "pettitt"]


@dataclass(frozen=True)
class PettittResult:
    """Pettitt change-point test.

    Attributes
    ----------
    k : float
        ``max_t |U_t|``.
    change_index : int
        Number of years in the first segment (``t`` maximising ``|U_t|``).
    last_year_before : int
        Last year of the first segment.
    first_year_after : int
        First year of the second segment.
    p_value : float
        Pettitt's approximate two-sided p-value.
    p_permutation : float or None
        Monte Carlo permutation p-value (``None`` when not computed).
    permutations : int
        Number of permutations used.
    shift : {"up", "down", "none"}
        Direction of the change in level.
    median_before, median_after : float
        Medians of the two segments.
    u : tuple of float
        ``U_t`` for ``t = 1 .. n-1``.
    years : tuple of int
        Years tested.

    """

    k: float
    change_index: int
    last_year_before: int
    first_year_after: int
    p_value: float
    p_permutation: float | None
    permutations: int
    shift: str
    median_before: float
    median_after: float
    u: tuple[float, ...]
    years: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        return {
            "k": self.k, "change_index": self.change_index,
            "last_year_before": self.last_year_before, "first_year_after": self.first_year_after,
            "p_value": self.p_value, "p_permutation": self.p_permutation,
            "permutations": self.permutations, "shift": self.shift,
            "median_before": self.median_before, "median_after": self.median_after,
            "u": list(self.u), "years": list(self.years),
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield the change point's numbers (``k``, years, p-values, ``shift``, medians)."""
        yield from numbers("", self.to_dict())

    def to_frame(self) -> pd.DataFrame:
        """Return one row per candidate split with ``U_t`` (the chosen split flagged)."""
        t = np.arange(1, len(self.years))
        return pd.DataFrame({
            "last_year_before": list(self.years[:-1]), "u": list(self.u),
            "abs_u": np.abs(self.u), "chosen": t == self.change_index,
        })


def _u_from_ranks(ranks: np.ndarray) -> np.ndarray:
    """U_t for t = 1..n-1 along the last axis of a (..., n) array of ranks."""
    n = ranks.shape[-1]
    t = np.arange(1, n)
    return 2.0 * np.cumsum(ranks, axis=-1)[..., :-1] - t * (n + 1)


def pettitt(
    values: Any,
    years: Any = None,
    *,
    permutations: int = 0,
    seed: int | None = None,
    missing: MissingPolicy = "error",
) -> PettittResult:
    """Pettitt test for one change point in an annual series.

    Parameters
    ----------
    values : array-like or pandas.Series
        Annual values.
    years : array-like of int, optional
        Year of each value.
    permutations : int, default 0
        Number of random permutations for a Monte Carlo p-value (0: none).
    seed : int, optional
        Seed of the permutations.
    missing : {"error", "skip"}, default "error"
        Years missing inside the range raise :class:`InputError` unless ``"skip"``.

    Returns
    -------
    PettittResult

    Examples
    --------
    >>> r = pettitt([1, 2, 1, 2, 1, 9, 8, 9, 8, 9], years=range(2011, 2021))
    >>> r.last_year_before, r.first_year_after, r.shift, r.k
    (2015, 2016, 'up', 25.0)

    """
    if permutations < 0:
        raise ParameterError("permutations must be >= 0", where="permutations")
    series = as_annual_series(values, years, missing=missing)
    x, yrs, n = series.values, series.years, series.n
    ranks = stats.rankdata(x)
    u = _u_from_ranks(ranks)
    k = float(np.abs(u).max())
    t_star = int(np.argmax(np.abs(u))) + 1
    p = float(min(1.0, 2.0 * np.exp(-6.0 * k**2 / (n**3 + n**2))))
    p_perm = None
    if permutations:
        rng = np.random.default_rng(seed)
        perm = rng.permuted(np.broadcast_to(ranks, (permutations, n)), axis=1)
        k_perm = np.abs(_u_from_ranks(perm)).max(axis=1)
        p_perm = float((1 + np.count_nonzero(k_perm >= k - 1e-9)) / (permutations + 1))
    before, after = np.median(x[:t_star]), np.median(x[t_star:])
    shift = "none" if k == 0 else ("up" if u[t_star - 1] < 0 else "down")
    return PettittResult(
        k=k, change_index=t_star, last_year_before=int(yrs[t_star - 1]),
        first_year_after=int(yrs[t_star]), p_value=p, p_permutation=p_perm,
        permutations=int(permutations), shift=shift, median_before=float(before),
        median_after=float(after), u=tuple(float(v) for v in u),
        years=tuple(int(y) for y in yrs),
    )
