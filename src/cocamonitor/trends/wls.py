"""Linear trend that respects how each year's number was measured.

Each year's estimate ``z_j`` carries a sampling variance ``V_j`` (and, when the same sample
units were revisited, covariances between years). The trend of the *estimated quantities*
is then fitted by generalised least squares (Aitken 1935):

    b = (X' C^-1 X)^-1 X' C^-1 z,    Cov(b) = (X' C^-1 X)^-1,     X = [1, t - mean(t)]

with ``C = diag(V_j)`` when only standard errors are known (weighted least squares) and the
full matrix when the covariance is known (design-based GLS, ``reference/methodology.md``
§D.1-D.2, after Brus' *Spatial sampling with R*, chapter on repeated surveys). With
``weighting="ols"`` the slope is the ordinary least-squares slope ``b = sum w_j z_j``,
``w_j = (t_j - mean t)/sum (t_j - mean t)^2``, with design variance ``w' C w`` (§D.2).

These variances describe measurement error only: they answer "is the trend of the measured
quantity distinguishable from zero given how precisely each year was measured". Whether the
years scatter around a straight line *more* than their measurement error allows is checked
by the lack-of-fit statistic ``chi2 = r' C^-1 r`` on ``n - 2`` degrees of freedom; when it is
large, ``slope_se_inflated`` scales the standard error by ``sqrt(chi2 / (n - 2))``.

Without standard errors (census figures) the function falls back to ordinary least squares
with the residual variance and Student's t on ``n - 2`` degrees of freedom (``method="ols"``),
which treats year-to-year scatter as noise; say so when reporting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.errors import DataError, InputError, ParameterError
from cocamonitor.results import Estimate, IntervalEnds, numbers
from cocamonitor.trends._series import MissingPolicy, as_annual_series, check_confidence

__all__ = ["LinearTrendResult", "linear_trend"]


@dataclass(frozen=True)
class LinearTrendResult(IntervalEnds):
    """Linear trend of an annual series with measurement-error-aware standard error.

    Attributes
    ----------
    slope : float
        Change per year.
    slope_se : float
        Standard error of the slope (measurement error only for ``wls``/``gls``/``ols-design``;
        residual-based for ``ols``).
    ci : tuple of float
        Confidence interval of the slope.
    statistic : float
        ``slope / slope_se``.
    p_value : float
        Two-sided p-value (normal, or Student's t with ``df`` for ``ols``).
    df : int or None
        Degrees of freedom of the t reference (``None`` when the normal is used).
    intercept : float
        Fitted value at year 0 (``z(t) = intercept + slope * t``).
    method : {"ols", "wls", "gls", "ols-design"}
        How the slope and its variance were computed.
    confidence : float
        Level of ``ci``.
    n : int
        Number of years.
    chi2, chi2_df, chi2_p : float, int, float
        Lack-of-fit statistic, its degrees of freedom and p-value (``None`` for ``ols``).
    slope_se_inflated : float
        ``slope_se * sqrt(max(1, chi2 / chi2_df))``; equals ``slope_se`` for ``ols``.
    years, missing_years : tuple of int
        Years used and years absent inside the range.

    """

    slope: float
    slope_se: float
    ci: tuple[float, float]
    statistic: float
    p_value: float
    df: int | None
    intercept: float
    method: str
    confidence: float
    n: int
    chi2: float | None
    chi2_df: int | None
    chi2_p: float | None
    slope_se_inflated: float
    years: tuple[int, ...] = ()
    missing_years: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-ready dict."""
        return {
            "slope": self.slope, "slope_se": self.slope_se, "ci": list(self.ci),
            "statistic": self.statistic, "p_value": self.p_value, "df": self.df,
            "intercept": self.intercept, "method": self.method, "confidence": self.confidence,
            "n": self.n, "chi2": self.chi2, "chi2_df": self.chi2_df, "chi2_p": self.chi2_p,
            "slope_se_inflated": self.slope_se_inflated, "years": list(self.years),
            "missing_years": list(self.missing_years),
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield the slope with its SE and interval, then the test and fit numbers."""
        yield from numbers("", self.to_dict(), se=("slope",), ci={"slope": "ci"})

    def to_frame(self) -> pd.DataFrame:
        """Return one row with slope, standard error, interval and test."""
        d = self.to_dict()
        lo, hi = d.pop("ci")
        d["ci_low"], d["ci_high"] = lo, hi
        d.pop("years"), d.pop("missing_years")
        return pd.DataFrame([d])


def _check_cov(cov: Any, n: int, order: np.ndarray) -> np.ndarray:
    c = np.asarray(cov, dtype=float)
    if c.shape != (n, n):
        raise InputError(f"covariance matrix must be {n} x {n} (one row per year), got {c.shape}",
                         where="cov")
    if not np.all(np.isfinite(c)):
        raise DataError("covariance matrix has missing or infinite entries", where="cov")
    if not np.allclose(c, c.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(c).max()))):
        raise DataError("covariance matrix is not symmetric", where="cov")
    if np.any(np.diag(c) < 0):
        raise DataError("covariance matrix has negative variances on its diagonal", where="cov")
    c = c[np.ix_(order, order)]
    eig = np.linalg.eigvalsh(c)
    if eig.min() <= 1e-12 * max(1.0, eig.max()):
        raise DataError(
            "covariance matrix is not positive definite (a year with zero variance, or "
            "perfectly correlated years)", where="cov",
            hint="give standard errors > 0, or use weighting='ols' with a semi-definite matrix",
        )
    return c


def linear_trend(
    values: Any,
    years: Any = None,
    *,
    se: Any = None,
    cov: Any = None,
    weighting: Literal["gls", "ols"] = "gls",
    confidence: float = 0.95,
    missing: MissingPolicy = "error",
) -> LinearTrendResult:
    """Linear trend per year, weighted by each year's measurement variance.

    Parameters
    ----------
    values : array-like or pandas.Series
        Annual estimates.
    years : array-like of int, optional
        Year of each estimate.
    se : array-like, optional
        Standard error of each estimate (same order as ``values``); gives WLS.
    cov : array-like, optional
        Covariance matrix of the estimates (same order as ``values``); gives GLS. Its
        diagonal overrides ``se``.
    weighting : {"gls", "ols"}, default "gls"
        ``"gls"``: weight by the inverse covariance (most precise). ``"ols"``: unweighted
        slope with its design variance ``w' C w`` (works with a singular ``C``).
    confidence : float, default 0.95
        Level of the interval.
    missing : {"error", "skip"}, default "error"
        Years missing inside the range raise :class:`InputError` unless ``"skip"``.

    Returns
    -------
    LinearTrendResult

    Raises
    ------
    InputError
        Bad series (see :func:`~cocamonitor.trends.mann_kendall`), negative SEs, a covariance
        matrix of the wrong shape, not symmetric or not positive definite, SEs of zero.

    Examples
    --------
    >>> r = linear_trend([10.0, 12.0, 13.0, 15.0], years=[2020, 2021, 2022, 2023],
    ...                  se=[1.0, 1.0, 1.0, 1.0])
    >>> round(r.slope, 3), round(r.slope_se, 4), r.method
    (1.6, 0.4472, 'wls')

    """
    level = check_confidence(confidence)
    if weighting not in ("gls", "ols"):
        raise ParameterError(f"weighting must be 'gls' or 'ols', got {weighting!r}",
                             where="weighting")
    series = as_annual_series(values, years, se=se, missing=missing)
    n = series.n
    if years is None and not isinstance(values, pd.Series):
        order = np.arange(n)
    else:
        raw_years = values.index.to_numpy() if years is None else np.asarray(years)
        order = np.argsort(np.asarray(raw_years, dtype=float), kind="stable")
    t = series.years.astype(float)
    tc = t - t.mean()
    X = np.column_stack([np.ones(n), tc])
    z = series.values
    zq = stats.norm.ppf(0.5 + level / 2)
    w_ols = tc / np.sum(tc**2)
    if cov is not None:
        C = _check_cov(cov, n, order)
        method = "gls"
    elif series.se is not None:
        if np.any(series.se == 0) and weighting == "gls":
            zero = series.years[series.se == 0].tolist()
            raise DataError(
                f"standard error is 0 for year(s) {', '.join(map(str, zero))}", where="se",
                hint="a weighted trend needs a positive SE every year; for census figures "
                "omit se (ordinary least squares) or use weighting='ols'",
            )
        C = np.diag(series.se**2)
        method = "wls"
    else:
        C = None
        method = "ols"
    if C is None:
        beta, *_ = np.linalg.lstsq(X, z, rcond=None)
        resid = z - X @ beta
        df = n - 2
        if df == 0:
            raise InputError("an unweighted trend needs at least 3 years", where="values")
        sigma2 = float(resid @ resid) / df
        slope_se = float(np.sqrt(sigma2 / np.sum(tc**2)))
        slope = float(beta[1])
        stat = slope / slope_se if slope_se > 0 else (np.inf * np.sign(slope) if slope else 0.0)
        p = float(2 * stats.t.sf(abs(stat), df)) if np.isfinite(stat) else 0.0
        tq = stats.t.ppf(0.5 + level / 2, df)
        return LinearTrendResult(
            slope=slope, slope_se=slope_se, ci=(slope - tq * slope_se, slope + tq * slope_se),
            statistic=float(stat), p_value=p, df=df, intercept=float(beta[0] - slope * t.mean()),
            method="ols", confidence=level, n=n, chi2=None, chi2_df=None, chi2_p=None,
            slope_se_inflated=slope_se, years=tuple(int(y) for y in series.years),
            missing_years=series.missing_years,
        )
    if weighting == "ols":
        beta = np.array([z.mean(), float(w_ols @ z)])
        slope_var = float(w_ols @ C @ w_ols)
        method = "ols-design"
        resid = z - X @ beta
        try:
            chi2 = float(resid @ np.linalg.solve(C, resid))
        except np.linalg.LinAlgError:
            chi2 = np.nan
    else:
        Ci_X = np.linalg.solve(C, X)
        info = X.T @ Ci_X
        cov_beta = np.linalg.inv(info)
        beta = cov_beta @ (Ci_X.T @ z)
        slope_var = float(cov_beta[1, 1])
        resid = z - X @ beta
        chi2 = float(resid @ np.linalg.solve(C, resid))
    slope = float(beta[1])
    slope_se = float(np.sqrt(max(slope_var, 0.0)))
    stat = slope / slope_se if slope_se > 0 else (np.inf * np.sign(slope) if slope else 0.0)
    p = float(2 * stats.norm.sf(abs(stat)))
    chi2_df = n - 2
    chi2_p = float(stats.chi2.sf(chi2, chi2_df)) if chi2_df > 0 and np.isfinite(chi2) else None
    ratio = chi2 / chi2_df if chi2_df > 0 and np.isfinite(chi2) else 1.0
    return LinearTrendResult(
        slope=slope, slope_se=slope_se, ci=(slope - zq * slope_se, slope + zq * slope_se),
        statistic=float(stat), p_value=p, df=None, intercept=float(beta[0] - slope * t.mean()),
        method=method, confidence=level, n=n,
        chi2=chi2 if np.isfinite(chi2) else None, chi2_df=chi2_df, chi2_p=chi2_p,
        slope_se_inflated=slope_se * float(np.sqrt(max(1.0, ratio))),
        years=tuple(int(y) for y in series.years), missing_years=series.missing_years,
    )
