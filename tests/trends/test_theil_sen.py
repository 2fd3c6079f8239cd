"""Theil-Sen slope against hand computations and scipy, and the vectorised panel version."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cocamonitor.errors import InputError
from cocamonitor.trends import series_trends, theil_sen


def test_hand_computed_slope_and_interval():
    # pairwise slopes of 154 143 204 230 253 (2019-2023), sorted:
    # -11, 23, 24.5, 24.75, 25, 25.333, 26, 36.667, 43.5, 61 -> median (25 + 25.333)/2
    # Sen (1968) interval: N = 10, C = 1.96 sqrt(50/3) = 8.0, ranks (10 -+ 8)/2 -> 1st and 10th
    r = theil_sen([154, 143, 204, 230, 253], years=range(2019, 2024))
    assert r.slope == pytest.approx((25 + 76 / 3) / 2)
    assert r.ci == (-11.0, 61.0)
    # intercept: median(x) - slope * median(t) = 204 - slope * 2021
    assert r.intercept == pytest.approx(204 - r.slope * 2021)
    assert r.fitted(2021) == pytest.approx(204.0)


def test_ties_and_gaps():
    # 1 1 2 2 at years 1 2 3 4: slopes 0, .5, 1/3, 1, .5, 0 -> median (1/3 + .5)/2
    r = theil_sen([1, 1, 2, 2], years=[1, 2, 3, 4])
    assert r.slope == pytest.approx((1 / 3 + 0.5) / 2)
    # a straight line observed with gaps: slope per calendar year, not per observation
    years = [2000, 2001, 2003, 2004, 2007]
    vals = 5.0 + 2.0 * (np.array(years) - 2000)
    with pytest.raises(InputError, match="2002, 2005, 2006"):
        theil_sen(vals, years=years)
    r = theil_sen(vals, years=years, missing="skip")
    assert r.slope == pytest.approx(2.0) and r.missing_years == (2002, 2005, 2006)


def test_vectorised_rows_equal_scipy_and_mann_kendall():
    rng = np.random.default_rng(7)
    x = np.round(rng.gamma(2.0, 3.0, size=(40, 9)))  # rounding creates ties
    x[:5, :4] = 0.0
    years = np.arange(2010, 2019)
    out = series_trends(x, years)
    from cocamonitor.trends import mann_kendall

    for row in range(x.shape[0]):
        ref = stats.theilslopes(x[row], years, alpha=0.95)
        assert out.loc[row, "slope"] == pytest.approx(ref.slope)
        assert out.loc[row, "slope_low"] == pytest.approx(ref.low_slope)
        assert out.loc[row, "slope_high"] == pytest.approx(ref.high_slope)
        mk = mann_kendall(x[row], years=years)
        assert out.loc[row, "s"] == mk.s
        assert out.loc[row, "var_s"] == pytest.approx(mk.var_s)
        assert out.loc[row, "p_exact"] == pytest.approx(mk.p_exact)
        assert out.loc[row, "p_value"] == pytest.approx(mk.p_value)


def test_interval_covers_true_slope_in_simulation():
    rng = np.random.default_rng(11)
    years = np.arange(2000, 2025)
    hits = 0
    reps = 300
    for _ in range(reps):
        y = 3.0 + 0.7 * (years - 2000) + rng.standard_normal(years.size) * 2.0
        lo, hi = theil_sen(y, years=years).ci
        hits += lo <= 0.7 <= hi
    assert abs(hits / reps - 0.95) < 0.04


def test_contract_keys_and_bad_confidence():
    d = theil_sen([1.0, 2.0, 4.0]).to_dict()
    assert {"slope", "intercept", "ci", "confidence"} <= set(d)
    with pytest.raises(InputError, match="confidence"):
        theil_sen([1.0, 2.0, 4.0], confidence=95)
