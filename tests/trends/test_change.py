"""Change between two years: hand cases, area-estimate inputs, census sensitivity, panel covariance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from cocamonitor.errors import DataError, DesignError, InputError
from cocamonitor.trends import Estimate, census_sensitivity, change, panel_covariance


def test_hand_computed_difference_and_ratio():
    r = change((100.0, 6.0), (130.0, 8.0))
    assert r.difference == 30.0 and r.difference_se == 10.0  # sqrt(36 + 64)
    assert r.z == 3.0 and r.p_value == pytest.approx(2 * stats.norm.sf(3.0))
    assert r.significant is True
    assert r.ratio == pytest.approx(1.3) and r.percent_change == pytest.approx(30.0)
    se_log = np.sqrt((6 / 100) ** 2 + (8 / 130) ** 2)
    z = stats.norm.ppf(0.975)
    assert r.ratio_ci == pytest.approx((1.3 * np.exp(-z * se_log), 1.3 * np.exp(z * se_log)))
    # covariance 12: V(d) = 36 + 64 - 24 = 76
    c = change((100.0, 6.0), (130.0, 8.0), cov=12.0)
    assert c.difference_se == pytest.approx(np.sqrt(76.0)) and c.correlation == pytest.approx(0.25)
    assert change((100.0, 6.0), (130.0, 8.0), correlation=0.25).difference_se == c.difference_se


@dataclass(frozen=True)
class _Cls:
    area: float
    area_se: float


@dataclass(frozen=True)
class _AreaEstimate:
    classes: dict
    unit: str = "ha"


def test_area_estimate_objects_and_json_dicts():
    a = _AreaEstimate({"coca": _Cls(1000.0, 50.0), "other": _Cls(9000.0, 50.0)})
    b = {"unit": "ha", "classes": {"coca": {"area": 1200.0, "area_se": 60.0, "area_ci": [0, 0]},
                                   "other": {"area": 8800.0, "area_se": 60.0}}}
    r = change(a, b, label="coca", year_a=2022, year_b=2023)
    assert r.difference == 200.0 and r.difference_se == pytest.approx(np.hypot(50, 60))
    assert r.unit == "ha" and r.label == "coca" and r.year_b == 2023
    with pytest.raises(InputError, match="several classes"):
        change(a, b)
    with pytest.raises(InputError, match="did you mean: coca"):
        change(a, b, label="cocaa")
    with pytest.raises(InputError, match="mismatched units"):
        change(a, {"unit": "km2", "classes": {"coca": {"area": 12.0, "area_se": 1.0}}},
               label="coca")
    with pytest.raises(InputError, match="mismatched units"):
        change(Estimate(1.0, 0.1, "ha"), (2.0, 0.1, "t"))


def test_census_figures_say_so_and_give_critical_error():
    r = change(143_000, 204_000, year_a=2020, year_b=2021)
    assert r.census and r.p_value is None and r.significant is None
    assert r.percent_change == pytest.approx(100 * (204 / 143 - 1))
    crit = 61_000 / (stats.norm.ppf(0.975) * np.hypot(143_000, 204_000))
    assert r.critical_relative_error == pytest.approx(crit)
    assert "no standard error" in r.note and f"{crit:.1%}" in r.note
    s = census_sensitivity(143_000, 204_000, relative_errors=[crit / 2, crit, 2 * crit])
    assert s.critical_relative_error == pytest.approx(crit)
    assert s.table["p_value"].iloc[1] == pytest.approx(0.05)
    assert s.table["significant"].tolist()[0] and not s.table["significant"].tolist()[2]
    # positively correlated errors make the change more precise: larger critical error
    assert census_sensitivity(143_000, 204_000, correlation=0.5).critical_relative_error > crit


def test_bad_input():
    with pytest.raises(DataError, match="standard error"):
        change((1.0, -2.0), (2.0, 1.0))
    with pytest.raises(DataError, match="exceeds"):
        change((1.0, 1.0), (2.0, 1.0), cov=2.0)
    with pytest.raises(InputError, match="value, se"):
        change((1.0, 1.0, "ha", 4), (2.0, 1.0))
    with pytest.raises(DataError, match="relative errors"):
        census_sensitivity(1.0, 2.0, relative_errors=[-0.1])


def test_panel_covariance_by_hand_and_difference_identity():
    # stratum x: a = b = 0 1 1 -> s_ab = 1/3, N = 100, n = 3: 100^2 * (1/3) / 3
    # stratum y: a = 0 1 0, b = 1 1 0 -> products -1/9 + 2/9 + 2/9 -> s_ab = 1/6; 200^2/3 * 1/6
    ya, yb = [0, 1, 1, 0, 1, 0], [0, 1, 1, 1, 1, 0]
    h = ["x", "x", "x", "y", "y", "y"]
    pc = panel_covariance(ya, yb, h, {"x": 100, "y": 200})
    assert pc.cov == pytest.approx(1e4 / 9 + 4e4 / 18)
    # V(a) + V(b) - 2C equals the stratified variance of the unit differences
    d = panel_covariance(np.subtract(yb, ya), np.subtract(yb, ya), h, {"x": 100, "y": 200})
    assert pc.var_a + pc.var_b - 2 * pc.cov == pytest.approx(d.var_a)
    r = pc.change()
    assert r.difference == pytest.approx(pc.estimate_b - pc.estimate_a)
    assert r.difference_se == pytest.approx(np.sqrt(d.var_a))


def test_panel_covariance_errors():
    with pytest.raises(InputError, match="same units"):
        panel_covariance([1, 2, 3], [1, 2], None, 10.0)
    with pytest.raises(DesignError, match="at least 2"):
        panel_covariance([1, 2, 3], [1, 2, 3], ["a", "a", "b"], {"a": 10, "b": 10})
    with pytest.raises(InputError, match="no size"):
        panel_covariance([1, 2, 3, 4], [1, 2, 3, 4], ["a", "a", "b", "b"], {"a": 10})


@pytest.mark.slow
def test_panel_change_against_direct_simulation_of_a_panel_design():
    # population of 3 strata; coca in year a, mostly persisting into year b, some new coca
    rng = np.random.default_rng(2024)
    sizes = {"high": 400, "mid": 1500, "low": 4000}
    n_h = {"high": 40, "mid": 40, "low": 40}
    p_a = {"high": 0.6, "mid": 0.15, "low": 0.02}
    pop = {}
    for h, size in sizes.items():
        a = (rng.random(size) < p_a[h]).astype(float)
        stay = rng.random(size) < 0.8
        new = rng.random(size) < p_a[h] * 0.5
        b = np.where(a == 1, stay, new).astype(float)
        pop[h] = (a, b)
    true_d = sum(pop[h][1].sum() - pop[h][0].sum() for h in sizes)
    reps = 800
    d_hat, se_hat, se_indep = np.empty(reps), np.empty(reps), np.empty(reps)
    strata = np.repeat(list(sizes), [n_h[h] for h in sizes])
    for r in range(reps):
        ya, yb = [], []
        for h, size in sizes.items():  # the same units are observed in both years
            idx = rng.choice(size, n_h[h], replace=False)
            ya.append(pop[h][0][idx])
            yb.append(pop[h][1][idx])
        pc = panel_covariance(np.concatenate(ya), np.concatenate(yb), strata, sizes, fpc=True)
        res = pc.change()
        d_hat[r], se_hat[r] = res.difference, res.difference_se
        se_indep[r] = np.sqrt(pc.var_a + pc.var_b)
    assert abs(d_hat.mean() - true_d) < 4 * d_hat.std() / np.sqrt(reps)
    assert d_hat.var() == pytest.approx(np.mean(se_hat**2), rel=0.15)
    cover = np.mean(np.abs(d_hat - true_d) <= stats.norm.ppf(0.975) * se_hat)
    assert abs(cover - 0.95) < 0.03
    # ignoring the covariance would overstate the uncertainty of the change
    assert np.mean(se_indep**2) > 1.3 * d_hat.var()


def test_panel_covariance_agrees_with_the_area_estimators():
    # two years of one stratified panel, estimated with cocamonitor.area; the covariance from
    # the AreaEstimate unit data equals the array-level computation here, and change(cov="panel")
    # uses it
    import pandas as pd

    from cocamonitor.area import estimate_stratified

    rng = np.random.default_rng(5)
    strata = np.repeat(["coca", "buffer", "other"], [30, 30, 40])
    p_a = np.select([strata == "coca", strata == "buffer"], [0.7, 0.2], 0.03)
    ref_a = np.where(rng.random(strata.size) < p_a, "coca", "other")
    flip = rng.random(strata.size) < 0.15
    ref_b = np.where(flip, np.where(ref_a == "coca", "other", "coca"), ref_a)
    areas = {"coca": 500.0, "buffer": 2000.0, "other": 50000.0}
    ea = estimate_stratified(pd.DataFrame({"stratum": strata, "reference_class": ref_a}), areas)
    eb = estimate_stratified(pd.DataFrame({"stratum": strata, "reference_class": ref_b}), areas)
    mine = panel_covariance((ref_a == "coca").astype(float), (ref_b == "coca").astype(float),
                            strata, areas)
    assert mine.var_a == pytest.approx(ea.classes["coca"].area_se ** 2)
    assert mine.estimate_b == pytest.approx(eb.classes["coca"].area)
    r = change(ea, eb, label="coca", cov="panel")
    assert r.cov == pytest.approx(mine.cov)
    assert r.difference_se == pytest.approx(mine.change().difference_se)
    assert change(ea, eb, label="coca").cov == 0.0  # independent samples by default
    with pytest.raises(InputError, match="unit-level data"):
        change((1.0, 0.1), (2.0, 0.1), cov="panel")
