"""Mann-Kendall test for a monotonic trend, with tie correction, exact p-values and Hamed-Rao.

The Mann-Kendall statistic counts, over all pairs of years ``i < j``, whether the later value
is larger (+1), smaller (-1) or equal (0) (Mann 1945; Kendall 1975):

    S = sum_{i<j} sign(x_j - x_i)

Under the null hypothesis (independent, identically distributed values) its variance, with
``t_k`` the sizes of the groups of tied values, is

    Var(S) = [n(n-1)(2n+5) - sum_k t_k(t_k-1)(2t_k+5)] / 18

and ``Z = (S - 1)/sqrt(Var(S))`` for ``S > 0``, ``0`` for ``S = 0``, ``(S + 1)/sqrt(Var(S))``
for ``S < 0`` (continuity correction). Kendall's ``tau = S / [n(n-1)/2]`` (tau-a, as in
``reference/methodology.md`` §D.2).

With five or ten annual points the normal approximation is poor, so for ``n <= 10`` the exact
null distribution of ``S`` is computed by recursion: without ties through the number of
inversions of a random permutation (Mahonian numbers); with ties by building the series one
value at a time over the distinct arrangements of the multiset of observed values (all of
which are equally likely under the null). Example from §D.2: UNODC area 2019-2023
(154, 143, 204, 230, 253 thousand ha) has ``S = 8`` and exact two-sided ``p = 10/120``.

Serial correlation inflates the variance of ``S``; :func:`hamed_rao` applies the variance
correction of Hamed & Rao (1998, J. Hydrology 204:182-196), computed from the autocorrelation
of the ranks of the Sen-detrended series at the lags that are significant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.results import Estimate, numbers
from cocamonitor.trends._series import MissingPolicy, as_annual_series

__all__ = [
    "HamedRaoResult",
    "MannKendallResult",
    "hamed_rao",
    "mann_kendall",
    "mk_null_distribution",
    "mk_p_exact",
]

#: Largest ``n`` for which ``exact="auto"`` uses the exact null distribution.
EXACT_MAX_N = 10
# Cap on the number of multiset compositions walked by the exact recursion with ties.
_MAX_STATES = 200_000


def _s_and_ties(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return S and the tie sum ``sum t(t-1)(2t+5)`` for each row of a 2-D array (vectorised).

    A tie group of size ``t`` has ``t`` members each equal to ``t`` values (itself included),
    so ``sum_groups t(t-1)(2t+5) = sum_members (c-1)(2c+5)`` with ``c`` the member's count.
    """
    diff = x[:, None, :] - x[:, :, None]  # diff[r, i, j] = x[r, j] - x[r, i]
    n = x.shape[1]
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    s = np.sign(diff[:, upper]).sum(axis=1)
    counts = (diff == 0).sum(axis=2)
    tie_sum = ((counts - 1) * (2 * counts + 5)).sum(axis=1)
    return s.astype(np.int64), tie_sum.astype(np.int64)


def _var_s(n: int | np.ndarray, tie_sum: int | np.ndarray) -> np.ndarray:
    return (np.asarray(n) * (np.asarray(n) - 1) * (2 * np.asarray(n) + 5) - tie_sum) / 18.0


def _z_from_s(s: np.ndarray, var_s: np.ndarray) -> np.ndarray:
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var_s > 0, (s - np.sign(s)) / np.sqrt(np.where(var_s > 0, var_s, 1.0)), 0.0)
    return z


@lru_cache(maxsize=256)
def _null_counts(tie_sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Count each value of S over all distinct arrangements (tie_sizes in value order)."""
    n = int(sum(tie_sizes))
    m = n * (n - 1) // 2
    if all(t == 1 for t in tie_sizes):
        # Mahonian numbers: inv_{k}(j) = sum_{i=0}^{k-1} inv_{k-1}(j - i); S = m - 2 * inversions.
        inv = np.array([1.0])
        for k in range(2, n + 1):
            new = np.zeros(inv.size + k - 1)
            for i in range(k):
                new[i : i + inv.size] += inv
            inv = new
        s_values = m - 2 * np.arange(inv.size)
        order = np.argsort(s_values)
        return s_values[order].astype(np.int64), inv[order]
    n_states = int(np.prod([t + 1 for t in tie_sizes]))
    if n_states > _MAX_STATES:
        raise ParameterError(
            f"the exact distribution of S with these ties needs {n_states:,} states",
            where="exact", hint="use the normal approximation (exact=False)",
        )
    g = len(tie_sizes)
    # layer: composition (count placed per group) -> counts over S in [-m, m] (offset m)
    layer: dict[tuple[int, ...], np.ndarray] = {(0,) * g: np.zeros(2 * m + 1)}
    layer[(0,) * g][m] = 1.0
    for _ in range(n):
        nxt: dict[tuple[int, ...], np.ndarray] = {}
        for comp, dist in layer.items():
            below = 0
            above = sum(comp)
            for v in range(g):
                above -= comp[v]
                if comp[v] < tie_sizes[v]:
                    inc = below - above  # earlier smaller values count +1, larger -1
                    key = comp[:v] + (comp[v] + 1,) + comp[v + 1 :]
                    shifted = np.roll(dist, inc)
                    if key in nxt:
                        nxt[key] += shifted
                    else:
                        nxt[key] = shifted.copy()
                below += comp[v]
        layer = nxt
    (dist,) = layer.values()
    support = np.arange(-m, m + 1)
    keep = dist > 0
    return support[keep].astype(np.int64), dist[keep]


def mk_null_distribution(tie_sizes: tuple[int, ...] | int) -> pd.Series:
    """Exact null distribution of the Mann-Kendall S.

    Parameters
    ----------
    tie_sizes : int or tuple of int
        ``n`` (no ties), or the sizes of the groups of equal values in increasing order of
        value (e.g. ``(1, 2, 1)`` for ``[5, 7, 7, 9]``).

    Returns
    -------
    pandas.Series
        Probability of each attainable value of S (index), summing to 1.

    Examples
    --------
    >>> d = mk_null_distribution(3)
    >>> (d * 6).round().astype(int).to_dict()
    {-3: 1, -1: 2, 1: 2, 3: 1}

    """
    sizes = _group_sizes(tie_sizes)
    support, counts = _null_counts(sizes)
    return pd.Series(counts / counts.sum(), index=pd.Index(support, name="s"), name="probability")


def _group_sizes(tie_sizes: tuple[int, ...] | int) -> tuple[int, ...]:
    """``n`` (no ties) or the sizes of the tie groups, as a tuple of group sizes."""
    if isinstance(tie_sizes, int | np.integer):
        return (1,) * int(tie_sizes)
    return tuple(int(t) for t in tie_sizes)


def mk_p_exact(s: int, tie_sizes: tuple[int, ...] | int) -> float:
    """Exact two-sided p-value ``P(|S| >= |s|)`` under the null of no trend.

    Examples
    --------
    >>> round(mk_p_exact(8, 5), 6)  # 10 of the 120 orderings have |S| >= 8
    0.083333

    """
    sizes = _group_sizes(tie_sizes)
    support, counts = _null_counts(sizes)
    tail = counts[np.abs(support) >= abs(int(s))].sum()
    return float(min(1.0, tail / counts.sum()))


def _tie_sizes(x: np.ndarray) -> tuple[int, ...]:
    _, counts = np.unique(x, return_counts=True)
    return tuple(int(c) for c in counts)


def _decide(p: float, s: int, alpha: float) -> str:
    if np.isfinite(p) and p < alpha and s != 0:
        return "increasing" if s > 0 else "decreasing"
    return "no trend"


@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall test of a monotonic trend.

    Attributes
    ----------
    n : int
        Number of years.
    s : int
        The statistic ``S``.
    var_s : float
        ``Var(S)`` under the null, corrected for ties.
    z : float
        Normal score with continuity correction.
    p_value : float
        Two-sided p-value from the normal approximation.
    p_exact : float or None
        Two-sided exact p-value ``P(|S| >= |s|)`` (``None`` when not computed).
    tau : float
        Kendall's tau-a, ``S / [n(n-1)/2]``.
    trend : {"increasing", "decreasing", "no trend"}
        Decision at level ``alpha``, on ``p_exact`` when available, else ``p_value``.
    alpha : float
        Significance level of the decision.
    tie_sizes : tuple of int
        Sizes of the groups of equal values (all ones without ties).
    years : tuple of int
        The years tested.
    missing_years : tuple of int
        Years absent between the first and last year (only with ``missing="skip"``).

    """

    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    p_exact: float | None
    tau: float
    trend: str
    alpha: float
    tie_sizes: tuple[int, ...]
    years: tuple[int, ...] = field(default=())
    missing_years: tuple[int, ...] = field(default=())

    @property
    def p(self) -> float:
        """The p-value the decision uses (exact when available)."""
        return self.p_exact if self.p_exact is not None else self.p_value

    def to_dict(self) -> dict[str, Any]:
        """Return the ``mann_kendall`` object of the Trend JSON contract (plus ``n``, ``alpha``)."""
        d = asdict(self)
        d["tie_sizes"] = list(self.tie_sizes)
        d["years"] = list(self.years)
        d["missing_years"] = list(self.missing_years)
        return d

    def estimates(self) -> Iterator[Estimate]:
        """Yield the statistic's numbers (``n``, ``s``, ``var_s``, ``z``, p-values, ``tau``, ``alpha``)."""
        yield from numbers("", self.to_dict())

    def to_frame(self) -> pd.DataFrame:
        """Return one row with the result's fields."""
        d = self.to_dict()
        d["tie_sizes"] = ",".join(map(str, self.tie_sizes))
        d["years"] = f"{self.years[0]}-{self.years[-1]}" if self.years else ""
        d["missing_years"] = ",".join(map(str, self.missing_years))
        return pd.DataFrame([d])


def mann_kendall(
    values: Any,
    years: Any = None,
    *,
    alpha: float = 0.05,
    exact: bool | Literal["auto"] = "auto",
    missing: MissingPolicy = "error",
) -> MannKendallResult:
    """Mann-Kendall test for a monotonic trend in an annual series.

    Parameters
    ----------
    values : array-like or pandas.Series
        Annual values (a Series indexed by year gives its own years).
    years : array-like of int, optional
        The year of each value.
    alpha : float, default 0.05
        Significance level for the ``trend`` decision.
    exact : bool or "auto", default "auto"
        Compute the exact null distribution of S: ``"auto"`` does so for ``n <= 10``.
    missing : {"error", "skip"}, default "error"
        Years missing inside the range raise :class:`InputError` naming them, unless
        ``"skip"``: then the test runs on the years present (S only uses their order).

    Returns
    -------
    MannKendallResult

    Raises
    ------
    InputError
        Fewer than 3 years, duplicate years, missing years (see ``missing``).

    Examples
    --------
    >>> r = mann_kendall([154, 143, 204, 230, 253], years=range(2019, 2024))
    >>> r.s, round(r.var_s, 4), round(r.p_exact, 4), round(r.p_value, 4), r.trend
    (8, 16.6667, 0.0833, 0.0864, 'no trend')

    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1, got {alpha}", where="alpha")
    series = as_annual_series(values, years, missing=missing)
    x = series.values
    n = series.n
    s_arr, tie_arr = _s_and_ties(x[None, :])
    s, tie_sum = int(s_arr[0]), int(tie_arr[0])
    var_s = float(_var_s(n, tie_sum))
    z = float(_z_from_s(s_arr, np.array([var_s]))[0])
    p_value = float(2.0 * stats.norm.sf(abs(z)))
    ties = _tie_sizes(x)
    use_exact = (n <= EXACT_MAX_N) if exact == "auto" else bool(exact)
    p_exact = mk_p_exact(s, ties) if use_exact else None
    tau = s / (n * (n - 1) / 2.0)
    p_decide = p_exact if p_exact is not None else p_value
    return MannKendallResult(
        n=n, s=s, var_s=var_s,
        z=z, p_value=p_value, p_exact=p_exact, tau=float(tau),
        trend=_decide(p_decide, s, alpha), alpha=float(alpha), tie_sizes=ties,
        years=tuple(int(y) for y in series.years), missing_years=series.missing_years,
    )


@dataclass(frozen=True)
class HamedRaoResult:
    """Mann-Kendall test with the Hamed-Rao (1998) variance correction for autocorrelation.

    Attributes
    ----------
    s : int
        Mann-Kendall S.
    var_s : float
        Uncorrected null variance of S (with ties).
    correction : float
        Variance inflation ``n / n*_s`` from the significant rank autocorrelations.
    var_s_corrected : float
        ``var_s * correction``.
    z : float
        Normal score using the corrected variance (continuity-corrected).
    p_value : float
        Two-sided p-value.
    trend : {"increasing", "decreasing", "no trend"}
        Decision at ``alpha``.
    significant_lags : tuple of int
        Lags whose rank autocorrelation was significant (and entered the correction).
    alpha : float
        Significance level of the decision (and of the lags, unless ``lag_alpha`` was given).
    note : str or None
        Says when the correction could not be applied: ``n / n*_s <= 0`` (strong negative
        autocorrelation) leaves the variance uncorrected (``correction`` 1).

    """

    s: int
    var_s: float
    correction: float
    var_s_corrected: float
    z: float
    p_value: float
    trend: str
    significant_lags: tuple[int, ...]
    alpha: float
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        d = asdict(self)
        d["significant_lags"] = list(self.significant_lags)
        return d

    def estimates(self) -> Iterator[Estimate]:
        """Yield the corrected test's numbers (``s``, variances, ``correction``, ``z``, ``p_value``, ``alpha``)."""
        yield from numbers("", self.to_dict())

    def to_frame(self) -> pd.DataFrame:
        """Return one row with the result's fields."""
        d = self.to_dict()
        d["significant_lags"] = ",".join(map(str, self.significant_lags))
        return pd.DataFrame([d])


def hamed_rao(
    values: Any,
    years: Any = None,
    *,
    alpha: float = 0.05,
    lag_alpha: float | None = None,
) -> HamedRaoResult:
    """Mann-Kendall test with the Hamed & Rao (1998) correction for serial correlation.

    The series is detrended with the Theil-Sen slope, its values are replaced by their ranks,
    and the autocorrelation ``rho_k`` of the ranks is computed at every lag ``k``. Lags with
    ``|rho_k| > z_{1 - lag_alpha/2} / sqrt(n)`` enter the variance inflation

        n / n*_s = 1 + 2 / [n(n-1)(n-2)] * sum_k (n-k)(n-k-1)(n-k-2) rho_k

    and ``Var*(S) = Var(S) * n / n*_s`` (Hamed & Rao 1998, J. Hydrology 204:182-196).

    Parameters
    ----------
    values, years
        The annual series; years must be consecutive (lags are in years).
    alpha : float, default 0.05
        Significance level of the trend decision.
    lag_alpha : float, optional
        Significance level for keeping an autocorrelation lag (default: ``alpha``).

    Notes
    -----
    The detrended values ``x_i - b t_i`` are ranked in exact rational arithmetic (the values as
    written in decimal, the slope as the exact median of the pairwise slopes): a tie between two
    detrended values is a pairwise slope equal to ``b``, which floating-point rounding would keep
    or break at random, changing the ranks, ``n / n*_s`` and the decision.

    Returns
    -------
    HamedRaoResult

    Raises
    ------
    InputError
        As :func:`mann_kendall`; also when years are missing (the lags would be wrong).

    Examples
    --------
    >>> r = hamed_rao([1, 2, 3, 2, 4, 5, 4, 6, 7, 6])
    >>> r.s, r.correction >= 0
    (36, True)

    """
    series = as_annual_series(values, years, missing="error")
    x = series.values
    n = series.n
    if n < 4:
        raise InputError("the Hamed-Rao correction needs at least 4 years", where="values")
    s_arr, tie_arr = _s_and_ties(x[None, :])
    s = int(s_arr[0])
    var_s = float(_var_s(n, int(tie_arr[0])))
    ranks = _exact_detrended_ranks(x, series.years)
    dev = ranks - ranks.mean()
    denom = float(np.sum(dev**2))
    lags = np.arange(1, n - 1)  # (n-k-2) vanishes at k = n-2 and n-1
    if denom == 0:
        rho = np.zeros(lags.size)
    else:
        rho = np.array([np.sum(dev[: n - k] * dev[k:]) / denom for k in lags])
    bound = stats.norm.ppf(1 - (alpha if lag_alpha is None else lag_alpha) / 2) / np.sqrt(n)
    sig = np.abs(rho) > bound
    k = lags[sig]
    factor = 1.0 + 2.0 / (n * (n - 1) * (n - 2)) * float(
        np.sum((n - k) * (n - k - 1) * (n - k - 2) * rho[sig])
    )
    note = None
    if factor <= 0:  # strongly negative autocorrelation: the correction is undefined
        note = (f"n/n* = {factor:.3g} <= 0 (strong negative autocorrelation at lags "
                f"{', '.join(map(str, k))}): the variance is left uncorrected")
        factor = 1.0
    var_c = var_s * factor
    z = float(_z_from_s(np.array([s]), np.array([var_c]))[0])
    p = float(2.0 * stats.norm.sf(abs(z)))
    return HamedRaoResult(
        s=s, var_s=var_s, correction=float(factor), var_s_corrected=float(var_c), z=z,
        p_value=p, trend=_decide(p, s, alpha), significant_lags=tuple(int(v) for v in k),
        alpha=float(alpha), note=note,
    )


def _exact_detrended_ranks(x: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Average ranks of ``x_i - b t_i`` with ``b`` the Theil-Sen slope, in exact arithmetic.

    Each value is read as the shortest decimal that prints it (``10.6`` is 106/10, not the
    binary double nearest to it) and scaled to an integer; every pairwise slope times
    ``L = lcm(1, ..., t_n - t_1)`` is then an integer too, and so is ``2 L (x_i - b t_i)``:
    ties are exact, and sorting integers is fast. Below, ``b = 0.3`` and the detrended values
    are 10.6, 10.1, 11.2, 10.1, 10.5, 10.5: two exact ties.

    >>> _exact_detrended_ranks(np.array([10.6, 10.4, 11.8, 11.0, 11.7, 12.0]), np.arange(2010, 2016)).tolist()
    [5.0, 1.5, 6.0, 1.5, 3.5, 3.5]
    """
    from decimal import Decimal
    from math import lcm

    decs = [Decimal(repr(float(v))) for v in x]
    scale = max(0, *(-int(d.as_tuple().exponent) for d in decs))
    xs = [int(d.scaleb(scale)) for d in decs]  # exact: at most 17 significant digits
    ts = [int(v) - int(years[0]) for v in years]
    n = len(xs)
    big = lcm(*range(1, max(ts[-1], 1) + 1))
    slopes = sorted((xs[j] - xs[i]) * (big // (ts[j] - ts[i])) for i in range(n) for j in range(i + 1, n))
    m = len(slopes)
    twice_b = 2 * slopes[m // 2] if m % 2 else slopes[m // 2 - 1] + slopes[m // 2]  # 2 L b
    d = [2 * big * xi - twice_b * ti for xi, ti in zip(xs, ts, strict=True)]
    order = sorted(range(n), key=d.__getitem__)
    ranks = np.empty(n)
    i = 0
    while i < n:  # average ranks over runs of equal values
        j = i
        while j + 1 < n and d[order[j + 1]] == d[order[i]]:
            j += 1
        ranks[[order[k] for k in range(i, j + 1)]] = (i + j) / 2 + 1
        i = j + 1
    return ranks
