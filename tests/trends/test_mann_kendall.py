"""Mann-Kendall: S, Var(S) with ties, normal and exact p-values against hand computations."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from cocamonitor.errors import DataError, InputError
from cocamonitor.trends import (
    hamed_rao,
    mann_kendall,
    mk_null_distribution,
    mk_p_exact,
    series_trends,
)


def _brute_s(x):
    x = list(x)
    return sum(np.sign(x[j] - x[i]) for i in range(len(x)) for j in range(i + 1, len(x)))


def test_hand_computed_series_with_a_tie():
    # x = 2, 4, 4, 3, 5. Pairs from each i: (2: +4) (4: 0, -, + -> 0) (4: -, + -> 0) (3: +1)
    # S = 5; one tie group of size 2: sum t(t-1)(2t+5) = 2*1*9 = 18
    # Var(S) = (5*4*15 - 18)/18 = 282/18; Z = (5-1)/sqrt(282/18); tau = 5/10
    r = mann_kendall([2, 4, 4, 3, 5], years=[2001, 2002, 2003, 2004, 2005])
    assert r.s == 5
    assert r.var_s == pytest.approx(282 / 18)
    assert r.z == pytest.approx(4 / np.sqrt(282 / 18))
    assert r.p_value == pytest.approx(2 * stats.norm.sf(4 / np.sqrt(282 / 18)))
    assert r.tau == pytest.approx(0.5)
    assert r.tie_sizes == (1, 1, 2, 1)
    # exact p by enumerating all 120 orderings of the observed values
    s_all = [abs(_brute_s(p)) for p in itertools.permutations([2, 4, 4, 3, 5])]
    assert r.p_exact == pytest.approx(np.mean(np.array(s_all) >= 5))


def test_unodc_area_2019_2023_methodology_example():
    # methodology §D.2: S = 8, exact one-sided 5/120, two-sided 10/120
    r = mann_kendall([154_143, 143_000, 204_000, 230_000, 253_000], years=range(2019, 2024))
    assert r.s == 8
    assert r.var_s == pytest.approx(5 * 4 * 15 / 18)
    assert r.p_exact == pytest.approx(10 / 120)
    assert r.z == pytest.approx(7 / np.sqrt(50 / 3))
    assert r.trend == "no trend"  # 0.083 > 0.05 two-sided
    prod = mann_kendall([1137, 1228, 1400, 1738, 2664], years=range(2019, 2024))
    assert prod.s == 10 and prod.p_exact == pytest.approx(2 / 120)
    assert prod.trend == "increasing"
    assert prod.tau == 1.0


def test_decreasing_and_zero_and_constant():
    r = mann_kendall([5.0, 4, 3, 2, 1, 0])
    assert r.s == -15 and r.z == pytest.approx(-14 / np.sqrt(6 * 5 * 17 / 18))
    assert r.trend == "decreasing"
    zero = mann_kendall([1.0, 3, 2])  # +1 +1 -1
    assert zero.s == 1
    flat = mann_kendall([2.0, 2, 2, 2])
    assert flat.s == 0 and flat.var_s == 0 and flat.z == 0 and flat.p_value == 1.0
    assert flat.p_exact == 1.0 and flat.trend == "no trend"


def test_null_distribution_without_ties_matches_enumeration():
    for n in (3, 4, 6):
        counts = Counter(_brute_s(p) for p in itertools.permutations(range(n)))
        total = sum(counts.values())
        dist = mk_null_distribution(n)
        assert set(dist.index) == set(counts)
        for s, c in counts.items():
            assert dist[s] == pytest.approx(c / total)
    # n = 4 inversion counts are the Mahonian numbers 1 3 5 6 5 3 1
    assert (mk_null_distribution(4) * 24).round().tolist() == [1, 3, 5, 6, 5, 3, 1]


@pytest.mark.parametrize("values", [[1, 1, 2, 3, 3, 3], [1, 2, 2, 2, 2, 5, 7], [0, 0, 0, 1, 1, 4]])
def test_exact_distribution_with_ties_matches_enumeration(values):
    perms = set(itertools.permutations(values))
    counts = Counter(_brute_s(p) for p in perms)
    _, sizes = np.unique(values, return_counts=True)
    dist = mk_null_distribution(tuple(sizes))
    for s, c in counts.items():
        assert dist[s] == pytest.approx(c / len(perms))
    assert dist.sum() == pytest.approx(1.0)


def test_exact_only_up_to_ten_by_default():
    assert mann_kendall(np.arange(10.0)).p_exact == pytest.approx(2 / 3628800)
    assert mann_kendall(np.arange(11.0)).p_exact is None
    assert mann_kendall(np.arange(11.0), exact=True).p_exact == pytest.approx(2 / 39916800)
    assert mk_p_exact(0, 5) == 1.0


def test_serialisation_has_contract_keys():
    d = mann_kendall([1.0, 2, 3, 5]).to_dict()
    for key in ("s", "var_s", "z", "p_value", "p_exact", "tau", "trend"):
        assert key in d
    assert len(mann_kendall([1.0, 2, 3, 5]).to_frame()) == 1


def test_bad_input():
    with pytest.raises(InputError, match="at least 3 years"):
        mann_kendall([1.0, 2.0])
    with pytest.raises(InputError, match="duplicate years: 2020"):
        mann_kendall([1, 2, 3], years=[2019, 2020, 2020])
    with pytest.raises(InputError, match="2002, 2005"):
        mann_kendall([1, 2, 3, 4], years=[2001, 2003, 2004, 2006])
    with pytest.raises(DataError, match="2003"):
        mann_kendall([1, 2, np.nan], years=[2001, 2002, 2003])
    r = mann_kendall([1, 2, 3, 4], years=[2001, 2003, 2004, 2006], missing="skip")
    assert r.missing_years == (2002, 2005) and r.s == 6


def test_hamed_rao_no_autocorrelation_leaves_variance():
    # a perfectly alternating residual has negative lag-1 rank autocorrelation; a straight line
    # detrends to a constant whose ranks are all tied: no significant lag, no correction
    r = hamed_rao(np.arange(12.0))
    assert r.correction == 1.0 and r.significant_lags == ()
    assert r.var_s_corrected == pytest.approx(r.var_s)
    with pytest.raises(InputError, match="missing"):
        hamed_rao([1, 2, 3, 4, 5], years=[1, 2, 3, 5, 6])


def test_hamed_rao_by_hand():
    # x = 1 2 1 2 1 2: Sen slope 0 (3 negative, 6 zero, 6 positive pairwise slopes), ranks 2 5 2 5 2 5,
    # rank autocorrelation lag1 = -5/6 (beyond 1.96/sqrt(6) = 0.80), lag2 = 4/6, lag3 = -3/6 (not)
    # n/n* = 1 + 2/(6*5*4) * (5*4*3) * (-5/6) = 1/6; S = 6 - 3 = 3; Var(S) = (510 - 2*66)/18 = 21
    r = hamed_rao([1, 2, 1, 2, 1, 2])
    assert r.s == 3 and r.var_s == pytest.approx(21.0)
    assert r.significant_lags == (1,)
    assert r.correction == pytest.approx(1 / 6)
    assert r.var_s_corrected == pytest.approx(3.5)
    assert r.z == pytest.approx(2 / np.sqrt(3.5))


@pytest.mark.slow
def test_hamed_rao_moves_size_towards_nominal_under_autocorrelation():
    # AR(1), phi = 0.5, no trend: plain MK rejects far too often; Hamed-Rao inflates Var(S)
    rng = np.random.default_rng(20260)
    n, reps, phi = 80, 300, 0.5
    e = rng.standard_normal((reps, n))
    x = np.empty_like(e)
    x[:, 0] = e[:, 0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    plain = np.mean([mann_kendall(row).p_value < 0.05 for row in x])
    results = [hamed_rao(row) for row in x]
    corrected = np.mean([r.p_value < 0.05 for r in results])
    assert plain > 0.18
    assert np.mean([r.correction for r in results]) > 1.3
    assert corrected < plain - 0.05


@pytest.mark.slow
def test_size_under_the_null_in_simulation():
    # i.i.d. series (no trend): the exact test never exceeds its level, the normal one is close
    rng = np.random.default_rng(8)
    small = rng.standard_normal((2000, 8))
    rej_exact = np.mean([mann_kendall(r).p_exact < 0.05 for r in small])
    assert rej_exact <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 2000)
    assert rej_exact > 0.02
    big = rng.standard_normal((1000, 30))
    years = np.arange(30)
    rej_normal = np.mean(series_trends(big, years)["p_value"] < 0.05)
    assert abs(rej_normal - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 1000)
    # and it detects a real trend: slope 0.1 sd/yr over 30 years
    trend = big + 0.1 * np.arange(30)
    assert np.mean(series_trends(trend, years)["p_value"] < 0.05) > 0.9


# --- Hamed-Rao: exact ties of the detrended series, pymannkendall as the peer -----------------

def test_hamed_rao_settles_detrended_ties_exactly_as_pymannkendall():
    """Issue 17: x - b t has exact ties (pairwise slopes equal to b) that rounding broke."""
    pmk = pytest.importorskip("pymannkendall")
    x = [10.6, 10.4, 11.8, 11.0, 11.7, 12.0]
    r = hamed_rao(x, years=range(2010, 2016))
    ref = pmk.hamed_rao_modification_test(x)
    assert r.correction == 1.0 and r.trend == "no trend" == ref.trend
    assert r.p_value == pytest.approx(ref.p, rel=1e-12)
    assert r.p_value == pytest.approx(0.133, abs=5e-4)


def test_hamed_rao_does_not_depend_on_where_the_years_start():
    """Shifting the years or the values leaves the ties, hence n/n* and p, unchanged."""
    rng = np.random.default_rng(17)
    for _ in range(200):
        x = np.round(rng.normal(10, 1, size=int(rng.integers(5, 16))), 1)
        n = x.size
        a = hamed_rao(x, years=np.arange(2010, 2010 + n))
        b = hamed_rao(x, years=np.arange(1, n + 1))
        c = hamed_rao(np.round(x + 100, 1), years=np.arange(1990, 1990 + n))
        assert a.correction == pytest.approx(b.correction, rel=1e-12) == c.correction
        assert a.p_value == pytest.approx(b.p_value, rel=1e-12)


def test_hamed_rao_matches_pymannkendall_on_continuous_series():
    """Without exact ties the two agree to rounding, with the lags tested at ``alpha``.

    With an odd number n(n-1)/2 of pairwise slopes, the Theil-Sen slope *is* the slope of one
    pair, whose two detrended values tie exactly: pymannkendall breaks that tie by rounding.
    With an even number (n = 0 or 1 mod 4) and continuous values there is no exact tie.
    """
    pmk = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(3)
    for i in range(150):
        n = int(rng.choice([8, 9, 12, 13, 16, 17, 20, 21, 24, 25]))
        e = rng.normal(size=n)
        x = np.cumsum(e) * 0.5 + 0.1 * np.arange(n) if i % 2 else e  # autocorrelated and not
        alpha = (0.05, 0.1, 0.2)[i % 3]
        r = hamed_rao(x, alpha=alpha)
        ref = pmk.hamed_rao_modification_test(x, alpha=alpha)
        if ref.var_s <= 0 or not np.isfinite(ref.p):
            continue
        corr = ref.var_s / r.var_s
        if corr <= 0:  # pymannkendall keeps a non-positive n/n*; we refuse it and say so
            assert r.correction == 1.0 and r.note
            continue
        assert r.correction == pytest.approx(corr, rel=1e-9)
        assert r.p_value == pytest.approx(ref.p, rel=1e-9, abs=1e-12)
        assert r.trend == ref.trend


def test_hamed_rao_says_when_the_correction_is_undefined():
    """Strong negative lag-1 autocorrelation gives n/n* <= 0: no correction, and a note saying so."""
    x = [2.3, -1.2, 2.8, -1.8, 2.5, -1.2, 1.0]
    r = hamed_rao(x)
    assert r.significant_lags == (1,)
    assert r.correction == 1.0 and r.var_s_corrected == r.var_s
    assert "<= 0" in r.note and "lags 1" in r.note
    assert hamed_rao(np.arange(12.0)).note is None


def test_hamed_rao_tests_the_lags_at_alpha_unless_told():
    """A lag significant at 0.2 but not 0.05 enters the correction only at alpha=0.2."""
    rng = np.random.default_rng(5)
    for _ in range(500):
        x = np.round(np.cumsum(rng.normal(size=12)), 1)
        lo, hi = hamed_rao(x, alpha=0.05), hamed_rao(x, alpha=0.2)
        if set(hi.significant_lags) > set(lo.significant_lags):
            break
    else:
        pytest.fail("no series with a lag significant at 0.2 only")
    assert hamed_rao(x, alpha=0.2, lag_alpha=0.05).significant_lags == lo.significant_lags
