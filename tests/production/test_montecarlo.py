import math
import tomllib

import numpy as np
import pytest

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.production import Distribution, monte_carlo, parse_parameters
from cocamonitor.production.montecarlo import quantiles

from .conftest import LOGNORMAL, lognormal_toml

N = 200_000


def _closed_form(area=1000.0):
    mu = sum(m for m, _ in LOGNORMAL.values()) + math.log(area * 1e-3)
    s2 = sum(s * s for _, s in LOGNORMAL.values())
    mean = math.exp(mu + s2 / 2)
    var = mean**2 * math.expm1(s2)
    m = [math.exp(k * mu + k * k * s2 / 2) for k in range(5)]  # raw moments E[Y^k]
    mu4 = m[4] - 4 * mean * m[3] + 6 * mean**2 * m[2] - 3 * mean**4
    return mu, s2, mean, var, mu4


def test_product_of_independent_lognormals_mean_and_variance(lognormal_model):
    mu, s2, mean, var, mu4 = _closed_form()
    est = monte_carlo(lognormal_model, draws=N, seed=11, sensitivity=False, keep_samples=True)
    y = est.samples["hydrochloride_t"]
    # mean within 4 Monte Carlo standard errors
    assert abs(est.national["hydrochloride_t"].mean - mean) < 4 * math.sqrt(var / N)
    # variance within 4 standard errors of the sample variance, (mu4 - var^2) / n
    assert abs(y.var(ddof=1) - var) < 4 * math.sqrt((mu4 - var**2) / N)
    # median and 95 % interval against the lognormal's own quantiles
    q = est.national["hydrochloride_t"]
    assert q.median == pytest.approx(math.exp(mu), rel=0.01)
    assert q.ci_low == pytest.approx(math.exp(mu - 1.959964 * math.sqrt(s2)), rel=0.015)
    assert q.ci_high == pytest.approx(math.exp(mu + 1.959964 * math.sqrt(s2)), rel=0.015)
    # point = every parameter at its median
    assert q.point == pytest.approx(math.exp(mu), rel=1e-12)


def test_same_seed_same_result_bit_for_bit(lognormal_model):
    a = monte_carlo(
        lognormal_model, draws=70_000, seed=5, keep_samples=True, sensitivity_draws=2000
    )
    b = monte_carlo(
        lognormal_model, draws=70_000, seed=5, keep_samples=True, sensitivity_draws=2000
    )
    c = monte_carlo(
        lognormal_model, draws=70_000, seed=6, keep_samples=True, sensitivity_draws=2000
    )
    assert a.to_dict() == b.to_dict()
    for q in a.samples:
        assert np.array_equal(a.samples[q], b.samples[q])
    assert not np.array_equal(a.samples["hydrochloride_t"], c.samples["hydrochloride_t"])


def test_gaussian_copula_correlation_moves_log_variance():
    text = lognormal_toml(rho=0.6)
    model = parse_parameters(tomllib.loads(text), text=text)
    est = monte_carlo(model, draws=100_000, seed=2, keep_samples=True, sensitivity=False)
    s = {k: v[1] for k, v in LOGNORMAL.items()}
    expected = sum(v * v for v in s.values()) + 2 * 0.6 * s["leaf_yield"] * s["base_per_leaf"]
    assert np.log(est.samples["hydrochloride_t"]).var() == pytest.approx(expected, rel=0.02)
    indep = monte_carlo(
        model, draws=100_000, seed=2, keep_samples=True, sensitivity=False, correlated=False
    )
    assert np.log(indep.samples["hydrochloride_t"]).var() == pytest.approx(
        expected - 2 * 0.6 * 0.15 * 0.10, rel=0.02
    )


def test_invalid_correlation_matrix_is_rejected():
    text = (
        lognormal_toml()
        + """
[[correlations]]
between = ["leaf_yield", "base_per_leaf"]
rho = 0.95
[[correlations]]
between = ["leaf_yield", "hcl_per_base"]
rho = 0.95
[[correlations]]
between = ["base_per_leaf", "hcl_per_base"]
rho = -0.95
"""
    )
    model = parse_parameters(tomllib.loads(text), text=text, source="c.toml")
    with pytest.raises(ParameterError, match="positive definite"):
        monte_carlo(model, draws=10, seed=1)


@pytest.mark.parametrize(
    "dist",
    [
        Distribution.normal(10.0, 2.0, 0.0),
        Distribution.normal(1.0, 2.0, 0.0),  # heavily truncated
        Distribution.uniform(2.0, 5.0),
        Distribution.triangular(1.0, 1.5, 4.0),
        Distribution.triangular(1.0, 4.0, 4.0),
        Distribution.pert(0.5, 0.7, 0.95),
        Distribution.lognormal(mean=3.0, sd=1.0),
    ],
)
def test_distribution_draws_match_their_law(dist):
    rng = np.random.default_rng(3)
    z = rng.standard_normal(200_000)
    x = dist.transform(z)
    lo, hi = dist.bounds()
    assert x.min() >= lo and x.max() <= hi
    if dist.kind == "normal" and dist.args["mean"] < 3 * dist.args["sd"]:
        from scipy import stats

        a = (0 - 1.0) / 2.0
        assert x.mean() == pytest.approx(
            stats.truncnorm(a, np.inf, loc=1.0, scale=2.0).mean(), rel=0.01
        )
    else:
        assert x.mean() == pytest.approx(dist.mean(), rel=0.01)
    # quantile() and transform() agree, and the median is the 0.5 quantile
    assert np.median(x) == pytest.approx(dist.quantile(0.5)[0], rel=0.01)


def test_fast_quantiles_equal_numpy():
    rng = np.random.default_rng(0)
    qs = (0.5, 0.025, 0.975)
    for x in (
        rng.lognormal(size=100_003),
        rng.standard_normal(50_000),
        np.repeat(rng.random(40), 1000),
        np.full(30_000, 2.5),
    ):
        np.testing.assert_array_equal(quantiles(x, qs), np.quantile(x, qs))


def test_bad_draws_and_confidence(lognormal_model):
    with pytest.raises(InputError):
        monte_carlo(lognormal_model, draws=1)
    with pytest.raises(InputError):
        monte_carlo(lognormal_model, draws=10, confidence=1.5)


def test_area_se_is_propagated_and_regions_sum(write):
    from cocamonitor.production import load_preset
    from cocamonitor.production.areas import read_areas

    p = write("areas.csv", "region,area_ha,area_se\nA,1000,100\nB,2000,\n")
    model = load_preset("unodc-2020").with_areas(read_areas(p))
    est = monte_carlo(model, draws=50_000, seed=4, sensitivity=False)
    a = est.by_region["A"]["area_ha"]
    assert a.ci_high - a.ci_low == pytest.approx(2 * 1.96 * 100, rel=0.03)
    b = est.by_region["B"]["area_ha"]
    assert b.ci_low == b.ci_high == 2000
    assert est.national["area_ha"].mean == pytest.approx(3000, rel=0.01)


def test_streamed_quantiles_equal_numpy_on_all_draws(lognormal_model, monkeypatch):
    from cocamonitor.production import montecarlo as mc

    est = monte_carlo(lognormal_model, draws=150_001, seed=9, sensitivity=False, keep_samples=True)
    for q, s in est.national.items():
        x = est.samples[q]
        alpha = (1 - 0.95) / 2  # as monte_carlo computes it
        expected = np.quantile(x, [0.5, alpha, 1 - alpha])
        assert [s.median, s.ci_low, s.ci_high] == expected.tolist(), q
        assert s.mean == pytest.approx(x.mean(), rel=1e-12)
    # a bracket that misses falls back to keeping every draw: same numbers
    monkeypatch.setattr(mc._StreamQuantiles, "result", lambda self: None)
    again = monte_carlo(lognormal_model, draws=150_001, seed=9, sensitivity=False)
    assert again.to_dict() == est.to_dict()


def test_interval_covers_95_percent_of_fresh_draws_of_the_true_law(lognormal_model):
    # known truth: the product is lognormal(mu, s2); ~95 % of fresh draws fall in the MC interval
    mu, s2, *_ = _closed_form()
    est = monte_carlo(lognormal_model, draws=100_000, seed=21, sensitivity=False)
    q = est.national["hydrochloride_t"]
    fresh = np.exp(mu + math.sqrt(s2) * np.random.default_rng(99).standard_normal(200_000))
    inside = np.mean((fresh >= q.ci_low) & (fresh <= q.ci_high))
    assert abs(inside - 0.95) < 0.005
