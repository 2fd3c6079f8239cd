"""Seeded simulations with known truth: 95 % intervals cover 93-97 % of 2,000 replicates and
point estimates are unbiased within Monte Carlo error.

Every replicate sample is drawn at once as arrays (counts per stratum and cell from the
multivariate hypergeometric distribution, or primary-unit draws), and the estimators run on the
whole batch through the same array engine as the public functions (the first test checks that
the batch path and the public function agree on one replicate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cocamonitor.area import estimate_post_stratified, estimate_stehman, estimate_stratified
from cocamonitor.area._core import ClassLayout, indicator_values, moments, quantile
from cocamonitor.area._prepare import summarize
from cocamonitor.area.post_stratified import unconditional_variance

R = 2000
Z = quantile(0.95)
pytestmark = pytest.mark.slow


def _check(est: np.ndarray, se: np.ndarray, truth: float, *, crit: np.ndarray | float = Z):
    covered = np.abs(est - truth) <= crit * se
    coverage = covered.mean()
    assert 0.93 <= coverage <= 0.97, f"coverage {coverage:.3f}"
    mc_se = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - truth) <= 3.5 * mc_se, (est.mean(), truth, mc_se)


def _batch_counts(rng, population: np.ndarray, n: np.ndarray) -> np.ndarray:
    """(R, H, C) sample counts: SRS without replacement of n_h from each stratum's cells."""
    return np.stack(
        [rng.multivariate_hypergeometric(population[h], int(n[h]), size=R) for h in range(len(n))],
        axis=1,
    )


def _types(h_count: int, map_of: np.ndarray, ref_of: np.ndarray, k: int):
    """Unit types of a (stratum, cell) layout: values (U, V) and stratum index (U,)."""
    c = len(map_of)
    values = indicator_values(np.tile(map_of, h_count), np.tile(ref_of, h_count), k)
    strata = np.repeat(np.arange(h_count), c)
    return values, strata


# population: 3 map strata (coca, buffer, other); cells = reference class (coca, other)
# Expected sample counts of each reference class are >= 20 in every stratum: the regime where the
# normal intervals are meant to hold (see the module notes of cocamonitor.area.stratified).
N_STRAT = np.array([[1800, 700], [1800, 7200], [7600, 182400]])  # pixels by stratum x reference
N_SAMPLE = np.array([100, 100, 600])


def test_batch_path_equals_public_function():
    rng = np.random.default_rng(1)
    counts = _batch_counts(rng, N_STRAT, N_SAMPLE)[0]
    names = ["coca", "buffer", "other"]
    ref_names = ["coca", "other"]
    rows = [(names[h], ref_names[c]) for h in range(3) for c in range(2) for _ in range(counts[h, c])]
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"])
    areas = dict(zip(names, N_STRAT.sum(axis=1).astype(float), strict=True))
    est = estimate_stratified(sample, areas, classes=names)
    k = 3
    values, strata = _types(3, np.array([0, 0]), np.array([0, 2]), k)
    values[2:4] = indicator_values(np.array([1, 1]), np.array([0, 2]), k)
    values[4:6] = indicator_values(np.array([2, 2]), np.array([0, 2]), k)
    m = moments(values, strata, 3, freq=counts.reshape(-1), pairs=ClassLayout(k).pairs())
    out = summarize(m, N_STRAT.sum(axis=1).astype(float), k)
    assert out["area"][0] == pytest.approx(est.classes["coca"].area)
    assert np.sqrt(out["area_var"][0]) == pytest.approx(est.classes["coca"].area_se)
    assert out["ua"][0] == pytest.approx(est.classes["coca"].users_accuracy)


def _stratified_batch(rng, population, n, map_codes, ref_codes, k):
    counts = _batch_counts(rng, population, n)  # (R, H, C)
    h = population.shape[0]
    values = np.concatenate([indicator_values(map_codes[hh], ref_codes, k) for hh in range(h)])
    strata = np.repeat(np.arange(h), population.shape[1])
    m = moments(values, strata, h, freq=counts.reshape(R, -1), pairs=ClassLayout(k).pairs())
    return summarize(m, population.sum(axis=1).astype(float), k)


def test_stratified_olofsson_coverage():
    rng = np.random.default_rng(20240)
    k = 3  # classes: coca, buffer (never a reference class), other
    maps = np.array([[0, 0], [1, 1], [2, 2]])
    out = _stratified_batch(rng, N_STRAT, N_SAMPLE, maps, np.array([0, 2]), k)
    truth = N_STRAT[:, 0].sum()
    _check(out["area"][:, 0], np.sqrt(out["area_var"][:, 0]), truth)
    # user's accuracy of the coca stratum (a ratio): its truth is the stratum share
    _check(out["ua"][:, 0], np.sqrt(out["ua_var"][:, 0]), N_STRAT[0, 0] / N_STRAT[0].sum())


def test_stehman_coverage_strata_not_map_classes():
    """Strata from an old map; the cells are (new map class, reference class) combinations."""
    rng = np.random.default_rng(777)
    # cells: (map coca, ref coca), (map coca, ref other), (map other, ref coca), (map other, ref other)
    pop = np.array([[1200, 300, 500, 1000], [800, 600, 2300, 30000], [900, 1600, 3400, 94000]])
    map_codes = np.array([0, 0, 1, 1])
    ref_codes = np.array([0, 1, 0, 1])
    counts = _batch_counts(rng, pop, np.array([150, 300, 500]))
    values = np.concatenate([indicator_values(map_codes, ref_codes, 2)] * 3)
    strata = np.repeat(np.arange(3), 4)
    m = moments(values, strata, 3, freq=counts.reshape(R, -1), pairs=ClassLayout(2).pairs())
    out = summarize(m, pop.sum(axis=1).astype(float), 2)
    _check(out["area"][:, 0], np.sqrt(out["area_var"][:, 0]), pop[:, [0, 2]].sum())
    pa_true = pop[:, 0].sum() / pop[:, [0, 2]].sum()
    _check(out["pa"][:, 0], np.sqrt(out["pa_var"][:, 0]), pa_true)


def test_stehman_public_function_on_one_replicate():
    rng = np.random.default_rng(5)
    pop = np.array([[1200, 300, 500, 1000], [400, 300, 1300, 30000]])
    counts = _batch_counts(rng, pop, np.array([40, 40]))[0]
    cells = [("coca", "coca"), ("coca", "other"), ("other", "coca"), ("other", "other")]
    rows = [(f"s{h}", *cells[c]) for h in range(2) for c in range(4) for _ in range(counts[h, c])]
    sample = pd.DataFrame(rows, columns=["stratum", "map_class", "reference_class"])
    est = estimate_stehman(sample, {"s0": 3000.0, "s1": 32000.0})
    expected = (3000 * counts[0, [0, 2]].sum() / 40) + (32000 * counts[1, [0, 2]].sum() / 40)
    assert est.classes["coca"].area == pytest.approx(expected)


def test_domain_coverage():
    """Coca area of one department from a national sample stratified by map class."""
    rng = np.random.default_rng(99)
    # cells: (dept A, coca), (dept A, other), (dept B, coca), (dept B, other)
    pop = np.array([[1500, 500, 900, 400], [1700, 9000, 1500, 7000], [5900, 90000, 7300, 120000]])
    counts = _batch_counts(rng, pop, np.array([120, 200, 600]))
    dvals = np.zeros((4, 4))
    dvals[np.arange(4), np.arange(4)] = 1.0  # domain x class indicators
    values = np.concatenate([dvals] * 3)
    strata = np.repeat(np.arange(3), 4)
    m = moments(values, strata, 3, freq=counts.reshape(R, -1))
    e = pop.sum(axis=1).astype(float)
    area = np.einsum("rhv,h->rv", m.mean, e)
    var = np.einsum("rhv,h->rv", m.var / m.n[..., None], e**2)
    _check(area[:, 0], np.sqrt(var[:, 0]), pop[:, 0].sum())  # coca in A
    _check(area[:, 2], np.sqrt(var[:, 2]), pop[:, 2].sum())  # coca in B


@pytest.mark.parametrize("variance", ["conditional", "unconditional"])
def test_post_stratified_coverage(variance):
    """Simple random sample of 600 points, post-stratified by the map (coca 6 %, other 94 %)."""
    rng = np.random.default_rng(31 if variance == "conditional" else 32)
    pop = np.array([4500, 1500, 2500, 91500])  # (map coca|ref coca, coca|other, other|coca, other|other)
    counts = rng.multivariate_hypergeometric(pop, 600, size=R)
    map_codes = np.array([0, 0, 1, 1])
    ref_codes = np.array([0, 1, 0, 1])
    values = indicator_values(map_codes, ref_codes, 2)
    strata = map_codes
    m = moments(values, strata, 2, freq=counts, pairs=ClassLayout(2).pairs())
    e = np.array([pop[:2].sum(), pop[2:].sum()], dtype=float)
    ok = (m.n >= 2).all(axis=1)
    assert ok.mean() > 0.999
    out = summarize(m, e, 2)
    var = out["area_var"] if variance == "conditional" else unconditional_variance(m, e)[:, :2]
    _check(out["area"][ok, 0], np.sqrt(var[ok, 0]), pop[[0, 2]].sum())


def test_post_stratified_public_function_unconditional_is_larger():
    rng = np.random.default_rng(2)
    mp = rng.choice(["coca", "other"], size=400, p=[0.1, 0.9])
    ref = np.where(rng.random(400) < 0.85, mp, np.where(mp == "coca", "other", "coca"))
    sample = pd.DataFrame({"map_class": mp, "reference_class": ref})
    areas = {"coca": 100.0, "other": 900.0}
    a = estimate_post_stratified(sample, areas)
    b = estimate_post_stratified(sample, areas, variance="unconditional")
    assert a.classes["coca"].area == b.classes["coca"].area
    assert b.classes["coca"].area_se != a.classes["coca"].area_se


def _two_stage_population(rng, n_psu: int):
    sizes = rng.integers(400, 1600, n_psu)  # pixels per PSU (irregular segments)
    share = rng.beta(1.5, 10.0, n_psu)  # coca is clustered: most PSUs have little
    coca = np.round(sizes * share).astype(int)
    return sizes, coca


def _two_stage_draw(rng, sizes, coca, psu, m):
    ngood = coca[psu]
    nbad = sizes[psu] - ngood
    return rng.hypergeometric(ngood, nbad, m) / m  # (R, n) PSU sample shares


def test_two_stage_pps_coverage():
    rng = np.random.default_rng(4242)
    sizes, coca = _two_stage_population(rng, 3000)
    n, m = 100, 25
    psu = rng.choice(len(sizes), size=(R, n), p=sizes / sizes.sum())  # pps with replacement
    ybar = _two_stage_draw(rng, sizes, coca, psu, m)
    mm = moments(ybar[..., None], np.zeros(n, dtype=int), 1)
    area = sizes.sum() * mm.mean[:, 0, 0]
    se = sizes.sum() * np.sqrt(mm.var[:, 0, 0] / n)
    _check(area, se, coca.sum(), crit=stats.t.ppf(0.975, n - 1))


def test_two_stage_equal_probability_coverage():
    rng = np.random.default_rng(4343)
    sizes, coca = _two_stage_population(rng, 3000)
    n, m = 100, 25
    psu = np.argsort(rng.random((R, len(sizes))), axis=1)[:, :n]  # SRS without replacement
    ybar = _two_stage_draw(rng, sizes, coca, psu, m)
    vals = (sizes[psu] * ybar)[..., None]
    mm = moments(vals, np.zeros(n, dtype=int), 1)
    area = len(sizes) * mm.mean[:, 0, 0]
    se = len(sizes) * np.sqrt(mm.var[:, 0, 0] / n)
    _check(area, se, coca.sum(), crit=stats.t.ppf(0.975, n - 1))
