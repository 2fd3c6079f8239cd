"""Measurement-error-aware linear trend: hand cases, GLS against a simulation with known truth."""

from __future__ import annotations

import numpy as np
import pytest

from cocamonitor.errors import DataError, InputError
from cocamonitor.trends import linear_trend


def test_equal_ses_hand_computed():
    # t - mean = -1.5 -.5 .5 1.5, sum of squares 5; slope = sum(tc*z)/5 = (−15 − 6 + 6.5 + 22.5)/5
    r = linear_trend([10.0, 12.0, 13.0, 15.0], years=[2020, 2021, 2022, 2023], se=[1, 1, 1, 1])
    assert r.slope == pytest.approx(8.0 / 5)
    assert r.slope_se == pytest.approx(1 / np.sqrt(5))
    assert r.method == "wls" and r.df is None
    # lack of fit: residuals of the OLS line, divided by variance 1
    fit = 12.5 + 1.6 * np.array([-1.5, -0.5, 0.5, 1.5])
    assert r.chi2 == pytest.approx(np.sum((np.array([10, 12, 13, 15]) - fit) ** 2))
    assert r.intercept + r.slope * 2021.5 == pytest.approx(12.5)


def test_weights_follow_the_variances():
    # the second year is measured 10x less precisely: the fit follows years 1 and 3
    r = linear_trend([0.0, 10.0, 2.0], se=[0.1, 1.0, 0.1])
    assert r.slope == pytest.approx(1.0, abs=0.01)
    ols = linear_trend([0.0, 10.0, 2.0])
    assert ols.method == "ols" and ols.df == 1 and ols.slope == pytest.approx(1.0)


def test_gls_with_diagonal_cov_equals_wls_and_ols_design_formula():
    z = np.array([5.0, 7.0, 6.0, 9.0, 11.0])
    se = np.array([1.0, 2.0, 1.5, 1.0, 3.0])
    a = linear_trend(z, se=se)
    b = linear_trend(z, cov=np.diag(se**2))
    assert a.slope == pytest.approx(b.slope) and a.slope_se == pytest.approx(b.slope_se)
    assert b.method == "gls"
    c = linear_trend(z, cov=np.diag(se**2), weighting="ols")
    tc = np.arange(5) - 2.0
    w = tc / np.sum(tc**2)
    assert c.slope == pytest.approx(w @ z)
    assert c.slope_se == pytest.approx(np.sqrt(w @ np.diag(se**2) @ w))


def test_unsorted_years_reorder_the_covariance():
    z = np.array([5.0, 7.0, 6.0, 9.0])
    cov = np.array([[1.0, 0.5, 0, 0], [0.5, 2.0, 0, 0], [0, 0, 1.5, 0], [0, 0, 0, 1.0]])
    ref = linear_trend(z, years=[1, 2, 3, 4], cov=cov)
    perm = [2, 0, 3, 1]
    shuffled = linear_trend(z[perm], years=np.array([1, 2, 3, 4])[perm],
                            cov=cov[np.ix_(perm, perm)])
    assert shuffled.slope == pytest.approx(ref.slope)
    assert shuffled.slope_se == pytest.approx(ref.slope_se)


@pytest.mark.slow
def test_gls_variance_and_coverage_in_simulation():
    # panel-like errors: correlation 0.6 between consecutive years, unequal SEs
    rng = np.random.default_rng(42)
    years = np.arange(2015, 2023)
    n = years.size
    se = np.linspace(3.0, 8.0, n)
    corr = 0.6 ** np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov = corr * np.outer(se, se)
    chol = np.linalg.cholesky(cov)
    truth = 100 + 4.0 * (years - years[0])
    reps = 1500
    draws = truth + rng.standard_normal((reps, n)) @ chol.T
    res = [linear_trend(d, years=years, cov=cov) for d in draws]
    slopes = np.array([r.slope for r in res])
    assert abs(slopes.mean() - 4.0) < 4 * slopes.std() / np.sqrt(reps)
    assert slopes.var() == pytest.approx(res[0].slope_se**2, rel=0.1)
    cover = np.mean([r.ci[0] <= 4.0 <= r.ci[1] for r in res])
    assert abs(cover - 0.95) < 0.02
    # the design-based OLS slope is unbiased too, with the w'Cw variance, and less precise
    ols = [linear_trend(d, years=years, cov=cov, weighting="ols") for d in draws[:500]]
    assert np.var([r.slope for r in ols]) == pytest.approx(ols[0].slope_se**2, rel=0.2)
    assert ols[0].slope_se >= res[0].slope_se


def test_bad_input():
    with pytest.raises(DataError, match="negative standard error for year"):
        linear_trend([1.0, 2.0, 3.0], se=[1.0, -1.0, 1.0])
    with pytest.raises(DataError, match="standard error is 0"):
        linear_trend([1.0, 2.0, 3.0], se=[1.0, 0.0, 1.0])
    with pytest.raises(InputError, match="3 x 3"):
        linear_trend([1.0, 2.0, 3.0], cov=np.eye(2))
    with pytest.raises(DataError, match="not symmetric"):
        linear_trend([1.0, 2.0, 3.0], cov=[[1, 0.5, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(DataError, match="positive definite"):
        linear_trend([1.0, 2.0, 3.0], cov=[[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    with pytest.raises(InputError, match="at least 3"):
        linear_trend([1.0, 2.0], se=[1, 1])
