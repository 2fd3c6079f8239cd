"""Theil-Sen slope with its confidence interval (Theil 1950; Sen 1968).

The slope is the median of the pairwise slopes ``(x_j - x_i) / (t_j - t_i)`` over all pairs
of years, so with ``t`` the calendar year it is a change *per year* even when years are
missing. The computation is :func:`scipy.stats.theilslopes` (SciPy; interval from Sen 1968,
eq. 2.6, which uses the normal approximation to Kendall's S with tie correction) — we only
validate the input and package the result. The intercept is SciPy's ``"separate"`` estimate
``median(x) - slope * median(t)``, i.e. the fitted value at year 0: ``x(t) = intercept +
slope * t``; :meth:`TheilSenResult.fitted` evaluates the line at any year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from cocamonitor.results import Estimate, IntervalEnds, numbers
from cocamonitor.trends._series import MissingPolicy, as_annual_series, check_confidence

__all__ = ["TheilSenResult", "theil_sen"]


@dataclass(frozen=True)
class TheilSenResult(IntervalEnds):
    """Theil-Sen slope of an annual series.

    Attributes
    ----------
    slope : float
        Median pairwise slope, in units of the values per year.
    intercept : float
        Fitted value at year 0 (``x(t) = intercept + slope * t``).
    ci : tuple of float
        Confidence interval of the slope (Sen 1968); may be ``(nan, nan)`` for tiny ``n``.
    confidence : float
        Level of ``ci``.
    n : int
        Number of years.
    years : tuple of int
        Years used.
    missing_years : tuple of int
        Years absent inside the range (only with ``missing="skip"``).

    """

    slope: float
    intercept: float
    ci: tuple[float, float]
    confidence: float
    n: int
    years: tuple[int, ...] = ()
    missing_years: tuple[int, ...] = ()

    def fitted(self, year: float | np.ndarray) -> float | np.ndarray:
        """Value of the fitted line at ``year``."""
        return self.intercept + self.slope * np.asarray(year, dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """Return the ``theil_sen`` object of the Trend JSON contract (plus ``n``)."""
        return {
            "slope": self.slope, "intercept": self.intercept, "ci": list(self.ci),
            "confidence": self.confidence, "n": self.n, "years": list(self.years),
            "missing_years": list(self.missing_years),
        }

    def estimates(self) -> Iterator[Estimate]:
        """Yield the slope with its interval, then intercept, confidence and ``n``."""
        yield from numbers("", self.to_dict(), ci={"slope": "ci"})

    def to_frame(self) -> pd.DataFrame:
        """Return one row with the slope, its interval and the level."""
        return pd.DataFrame([{
            "slope": self.slope, "ci_low": self.ci[0], "ci_high": self.ci[1],
            "confidence": self.confidence, "intercept": self.intercept, "n": self.n,
        }])


def theil_sen(
    values: Any,
    years: Any = None,
    *,
    confidence: float = 0.95,
    missing: MissingPolicy = "error",
) -> TheilSenResult:
    """Theil-Sen slope per year and its confidence interval.

    Parameters
    ----------
    values : array-like or pandas.Series
        Annual values (a Series indexed by year gives its own years).
    years : array-like of int, optional
        The year of each value.
    confidence : float, default 0.95
        Level of the slope's interval.
    missing : {"error", "skip"}, default "error"
        Years missing inside the range raise :class:`InputError` unless ``"skip"``.

    Returns
    -------
    TheilSenResult

    Examples
    --------
    >>> r = theil_sen([154, 143, 204, 230, 253], years=range(2019, 2024))
    >>> round(r.slope, 4), r.ci  # median of the 10 pairwise slopes (25 + 25.333) / 2
    (25.1667, (-11.0, 61.0))

    """
    level = check_confidence(confidence)
    series = as_annual_series(values, years, missing=missing)
    res = stats.theilslopes(series.values, series.years.astype(float), alpha=level)
    return TheilSenResult(
        slope=float(res.slope), intercept=float(res.intercept),
        ci=(float(res.low_slope), float(res.high_slope)), confidence=level, n=series.n,
        years=tuple(int(y) for y in series.years), missing_years=series.missing_years,
    )
