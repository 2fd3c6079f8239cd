"""Collapsed strata for the variance only (``collapse_variance``).

The estimate keeps every original stratum; strata grouped with others share one variance
estimate. For strata with one unit each the estimator is the collapsed-strata estimator of
Cochran (1977) §5A.12: for a pair, v = (ŷ_1 − ŷ_2)², in general L/(L − 1) Σ_h (ŷ_h − Ŷ_g/L)².
With more units it pools the expanded unit values z_i = (A_h/n_h) y_i of the group:
v_g = n_g/(n_g − 1) Σ_{i∈g} (z_i − z̄_g)².

The hand computations below are written out in the comments; the reference function
``_pooled`` computes the same thing from the unit rows, independently of the estimator's
moment-based code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocamonitor.area import (
    estimate_post_stratified,
    estimate_stehman,
    estimate_stratified,
    estimate_two_stage,
    panel_covariance,
)
from cocamonitor.area._core import VarianceGroups, moments, quantile, total_variance
from cocamonitor.area._prepare import variance_groups
from cocamonitor.errors import CocamonitorWarning, DesignError, InputError, ParameterError, UnknownNameError

# --- (a) known values computed by hand ------------------------------------------------------


def _departments_one_unit() -> tuple[pd.DataFrame, dict[str, float]]:
    """Four department strata, one sample point each; map class and reference class coca/other."""
    sample = pd.DataFrame(
        {
            "stratum": ["A", "B", "C", "D"],
            "map_class": ["coca", "other", "coca", "coca"],
            "reference_class": ["coca", "other", "coca", "other"],
        }
    )
    return sample, {"A": 10.0, "B": 30.0, "C": 20.0, "D": 20.0}


def test_pairs_of_one_unit_strata_cochran_form():
    sample, areas = _departments_one_unit()
    est = estimate_stehman(sample, areas, collapse_variance={"B": "A", "D": "C"})
    # coca: y = 1, 0, 1, 0 -> stratum totals ŷ = A_h y_h = 10, 0, 20, 0; area 10 + 20 = 30
    # pair {A, B}: (10 - 0)² = 100; pair {C, D}: (20 - 0)² = 400; v = 500
    assert est.classes["coca"].area == pytest.approx(30.0)
    assert est.classes["coca"].area_se ** 2 == pytest.approx(500.0)
    # the same by the general form L/(L-1) Σ (ŷ_h - Ŷ_g/L)²: 2 [(10-5)² + (0-5)²] = 100, ...
    assert 2 * ((10 - 5) ** 2 + (0 - 5) ** 2) + 2 * ((20 - 10) ** 2 + (0 - 10) ** 2) == 500
    # other: ŷ = 0, 30, 0, 20 -> (0 - 30)² + (0 - 20)² = 1300
    assert est.classes["other"].area_se ** 2 == pytest.approx(1300.0)
    # overall accuracy: y = correct = 1, 1, 1, 0 -> ŷ = 10, 30, 20, 0:
    # (10 - 30)² + (20 - 0)² = 800; SE of the proportion = sqrt(800) / 80
    assert est.overall_accuracy_se == pytest.approx(np.sqrt(800.0) / 80.0)
    lo, hi = est.classes["coca"].area_ci
    assert (hi - lo) / 2 == pytest.approx(quantile(0.95) * np.sqrt(500.0))
    assert est.variance_groups == {"A": ("A", "B"), "C": ("C", "D")}
    assert est.to_dict()["variance_groups"] == {"A": ["A", "B"], "C": ["C", "D"]}


def test_group_of_three_one_unit_strata():
    sample = pd.DataFrame({"stratum": list("abc"), "reference_class": ["coca", "coca", "other"]})
    areas = {"a": 10.0, "b": 20.0, "c": 30.0}
    est = estimate_stehman(
        sample.assign(map_class="coca"), areas, classes=["coca", "other"], collapse_variance={"a": "b", "b": "c"}
    )
    # coca: ŷ = 10, 20, 0, mean 10: 3/2 [(0)² + (10)² + (-10)²] = 300
    assert est.classes["coca"].area_se ** 2 == pytest.approx(300.0)
    assert est.variance_groups == {"c": ("a", "b", "c")}


def _several_units() -> tuple[pd.DataFrame, dict[str, float]]:
    # stratum (map class) and reference class of 6 units; strata b and d have one unit each
    sample = pd.DataFrame({"stratum": list("aabccd"), "reference_class": list("abacaa")})
    return sample, {"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0}


def test_groups_with_several_units_pool_the_expanded_values():
    sample, areas = _several_units()
    est = estimate_stratified(sample, areas, collapse_variance={"b": "a", "d": "c"})
    # class a: z_i = (A_h / n_h) y_i
    #   group {a, b}: a-units 10/2 * (1, 0) = 5, 0; b-unit 20/1 * 1 = 20; mean 25/3
    #     3/2 [(5 - 25/3)² + (0 - 25/3)² + (20 - 25/3)²] = 3/2 * 650/3 = 325
    #   group {c, d}: c-units 30/2 * (0, 1) = 0, 15; d-unit 40 * 1 = 40; mean 55/3
    #     3/2 [(55/3)² + (10/3)² + (65/3)²] = 3/2 * 2450/3 = 1225
    # v = 1550; area = 5 + 20 + 15 + 40 = 80
    assert est.classes["a"].area == pytest.approx(80.0)
    assert est.classes["a"].area_se ** 2 == pytest.approx(1550.0)
    # class c: only the first c-unit: z = 0, 0, 0 | 15, 0, 0 (mean 5): 3/2 (100 + 25 + 25) = 225
    assert est.classes["c"].area_se ** 2 == pytest.approx(225.0)
    assert list(est.units["variance_group"]) == ["a", "a", "a", "c", "c", "c"]


def _pooled(z: np.ndarray, group: np.ndarray) -> float:
    """Σ_g n_g/(n_g − 1) Σ_{i∈g} (z_i − z̄_g)², straight from the unit values."""
    out = 0.0
    for g in np.unique(group):
        zg = z[group == g]
        out += len(zg) / (len(zg) - 1) * float(((zg - zg.mean()) ** 2).sum())
    return out


def _random_sample(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, float]]:
    n = {"a": 1, "b": 7, "c": 1, "d": 1, "e": 9, "f": 12}
    rows = []
    for h, k in n.items():
        for _ in range(k):
            rows.append((h, rng.choice(["coca", "other"]), rng.choice(["coca", "other"], p=[0.3, 0.7]),
                         rng.choice(["north", "south"])))
    sample = pd.DataFrame(rows, columns=["stratum", "map_class", "reference_class", "region"])
    areas = {"a": 50.0, "b": 400.0, "c": 80.0, "d": 120.0, "e": 900.0, "f": 3000.0}
    return sample, areas


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_areas_accuracies_and_domains_match_unit_level_formula(seed):
    sample, areas = _random_sample(np.random.default_rng(seed))
    groups = {"a": "b", "c": "d"}
    est = estimate_stehman(sample, areas, collapse_variance=groups, by="region")
    group = sample["stratum"].map({"a": "b", "c": "d"}).fillna(sample["stratum"]).to_numpy()
    w = (sample["stratum"].map(areas) / sample.groupby("stratum")["stratum"].transform("size")).to_numpy()
    ref = sample["reference_class"].to_numpy()
    mp = sample["map_class"].to_numpy()
    y = (ref == "coca").astype(float)
    assert est.classes["coca"].area_se ** 2 == pytest.approx(_pooled(w * y, group))
    # user's accuracy of coca: R = T(map coca & ref coca) / T(map coca); linearised unit values
    # z_i = w_i (y_i - R x_i), variance / T_x²
    x = (mp == "coca").astype(float)
    yx = x * y
    r = (w * yx).sum() / (w * x).sum()
    assert est.classes["coca"].users_accuracy == pytest.approx(r)
    ua_var = _pooled(w * (yx - r * x), group) / (w * x).sum() ** 2
    assert est.classes["coca"].users_accuracy_se ** 2 == pytest.approx(ua_var)
    # producer's accuracy: denominator = reference coca
    p = (w * yx).sum() / (w * y).sum()
    pa_var = _pooled(w * (yx - p * y), group) / (w * y).sum() ** 2
    assert est.classes["coca"].producers_accuracy_se ** 2 == pytest.approx(pa_var)
    # domain "north": y = coca and in the north
    yd = y * (sample["region"].to_numpy() == "north")
    assert est.domains is not None
    assert est.domains["north"]["coca"].area_se ** 2 == pytest.approx(_pooled(w * yd, group))


def test_ungrouped_strata_keep_the_usual_variance():
    # grouping a stratum with itself only is the plain stratified variance
    sample, areas = _random_sample(np.random.default_rng(4))
    sample = sample[~sample["stratum"].isin(["a", "c", "d"])]
    areas = {h: areas[h] for h in ("b", "e", "f")}
    plain = estimate_stehman(sample, areas)
    same = estimate_stehman(sample, areas, collapse_variance={"b": "b"})
    for c in plain.classes:
        assert same.classes[c].area_se == pytest.approx(plain.classes[c].area_se)
        assert same.classes[c].users_accuracy_se == pytest.approx(plain.classes[c].users_accuracy_se)
    assert same.variance_groups is None


# --- (b) the point estimate is that of the uncollapsed design --------------------------------


def test_point_estimates_equal_uncollapsed_design_exactly():
    sample, areas = _random_sample(np.random.default_rng(5))
    sample = pd.concat([sample, sample[sample["stratum"].isin(["a", "c", "d"])]], ignore_index=True)
    plain = estimate_stehman(sample, areas, by="region")
    grouped = estimate_stehman(sample, areas, by="region", collapse_variance={"a": "b", "c": "d", "e": "f"})
    for c, e in plain.classes.items():
        g = grouped.classes[c]
        assert (g.area, g.proportion, g.users_accuracy, g.producers_accuracy) == (
            e.area,
            e.proportion,
            e.users_accuracy,
            e.producers_accuracy,
        )
        assert g.area_se != e.area_se
    assert grouped.overall_accuracy == plain.overall_accuracy
    assert grouped.error_matrix == plain.error_matrix
    assert plain.domains is not None and grouped.domains is not None
    for d, per in plain.domains.items():
        for c, e in per.items():
            assert grouped.domains[d][c].area == e.area


def test_one_unit_strata_point_estimate_is_the_stratified_mean():
    sample, areas = _random_sample(np.random.default_rng(6))
    est = estimate_stehman(sample, areas, collapse_variance={"a": "b", "c": "d"})
    share = sample.assign(y=(sample["reference_class"] == "coca").astype(float)).groupby("stratum")["y"].mean()
    expect = sum(areas[h] * share[h] for h in areas)
    assert est.classes["coca"].area == pytest.approx(expect, rel=1e-12)


def test_collapse_strata_changes_the_estimate_collapse_variance_does_not():
    sample, areas = _several_units()
    with pytest.warns(CocamonitorWarning, match="`collapse_variance`"):
        merged = estimate_stratified(
            sample.assign(map_class=sample["stratum"]), areas, collapse={"b": "a"}, collapse_variance={"d": "c"}
        )
    grouped = estimate_stratified(sample, areas, collapse_variance={"b": "a", "d": "c"})
    # merged {a, b}: area 30 and 3 units, 2 of them class a: 20 (+ c, d: 15 + 40) = 75, not 80
    assert merged.classes["a"].area == pytest.approx(75.0)
    assert grouped.classes["a"].area == pytest.approx(80.0)


# --- two-stage and post-stratified -----------------------------------------------------------


def test_two_stage_groups_primary_units():
    sample, areas = _several_units()
    sample = sample.assign(cluster=[f"p{i}" for i in range(6)], point=0)
    # two points per primary unit, both with the unit's reference class: PSU shares 1 or 0
    sample = pd.concat([sample, sample], ignore_index=True)
    est = estimate_two_stage(sample, areas, map_class=None, collapse_variance={"b": "a", "d": "c"})
    # PSU values (pps): shares y_i; same numbers as the one-point-per-unit example: v = 1550
    assert est.classes["a"].area == pytest.approx(80.0)
    assert est.classes["a"].area_se ** 2 == pytest.approx(1550.0)
    # t quantiles with Σ_g (n_g - 1) = 2 + 2 degrees of freedom
    assert est.df == 4.0
    lo, hi = est.classes["a"].area_ci
    assert (hi - lo) / 2 == pytest.approx(quantile(0.95, 4.0) * np.sqrt(1550.0))


def test_post_stratified_conditional_only():
    sample, areas = _several_units()
    sample = sample.assign(map_class=sample["stratum"])
    with pytest.warns(UserWarning, match="post-stratum"):
        est = estimate_post_stratified(sample, areas, collapse_variance={"b": "a", "d": "c"})
    assert est.classes["a"].area_se ** 2 == pytest.approx(1550.0)
    with pytest.raises(ParameterError, match="conditional"):
        estimate_post_stratified(sample, areas, variance="unconditional", collapse_variance={"b": "a"})


# --- panel covariance ------------------------------------------------------------------------


def test_panel_covariance_uses_the_groups():
    sample, areas = _several_units()
    e1 = estimate_stratified(sample, areas, collapse_variance={"b": "a", "d": "c"})
    assert panel_covariance(e1, e1, "a") == pytest.approx(e1.classes["a"].area_se ** 2)
    year2 = sample.assign(reference_class=list("aaacca"))
    e2 = estimate_stratified(year2, areas, collapse_variance={"b": "a", "d": "c"})
    # class a, z = (A_h/n_h) y: year 1 (5, 0, 20 | 0, 15, 40), year 2 (5, 5, 20 | 0, 0, 40)
    # {a, b}: means 25/3, 10 -> 3/2 Σ (z1 - 25/3)(z2 - 10) = 3/2 (-10/3*-5 + -25/3*-5 + 35/3*10) = 262.5
    # {c, d}: means 55/3, 40/3 -> 3/2 (-55/3*-40/3 + -10/3*-40/3 + 65/3*80/3) = 3/2 * 7800/9 = 1300
    assert panel_covariance(e1, e2, "a") == pytest.approx(1562.5)
    other = estimate_stratified(year2, areas, collapse_variance={"b": "a", "d": "a"})
    with pytest.raises(DesignError, match="group different strata"):
        panel_covariance(e1, other, "a")


# --- errors and hints ------------------------------------------------------------------------


def test_one_unit_stratum_error_points_to_collapse_variance():
    sample, areas = _several_units()
    with pytest.raises(DesignError, match=r"only 1 sample unit.*`collapse_variance` b=OTHER"):
        estimate_stratified(sample, areas)
    # a one-unit stratum left out of every group is still an error
    with pytest.raises(DesignError, match="stratum 'd' has only 1"):
        estimate_stratified(sample, areas, collapse_variance={"b": "a"})


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ({"bb": "a", "d": "c"}, r"'bb'.*not a stratum.*did you mean: b\?"),
        ({"b": "a", "d": "zz"}, r"'zz'.*not a stratum"),
    ],
)
def test_unknown_names(groups, match):
    sample, areas = _several_units()
    with pytest.raises(UnknownNameError, match=match) as info:
        estimate_stratified(sample, areas, collapse_variance=groups)
    assert info.value.where == "collapse_variance"


def test_name_merged_by_collapse():
    sample, areas = _several_units()
    with pytest.raises(UnknownNameError, match=r"'b' was merged into 'a'.*name 'a'"), pytest.warns(CocamonitorWarning):
        estimate_stratified(sample, areas, collapse={"b": "a"}, collapse_variance={"b": "c"})


def test_group_names_and_chains():
    g, named = variance_groups({"x": "y", "z": "y", "w": "w"}, ["w", "x", "y", "z"])
    assert named == {"y": ("x", "y", "z")}
    assert g.n_groups == 2 and g.group.tolist() == [0, 1, 1, 1]


# --- (c) seeded simulation with known truth --------------------------------------------------
# Six strata of a pixel map (areas in pixels) sampled at very different rates: "coca-a" has one
# unit (1 per 2,000 pixels) and is grouped with "coca-b" (1 per 100); "edge-n" and "edge-s" have
# one unit each and form a Cochran pair; the others are large. Reference class coca with the
# probabilities P. Units are drawn with replacement (binomial counts), the design the variance
# formulas assume. All replicates go through the estimator's array engine at once.

AREAS = np.array([2000.0, 6000.0, 1000.0, 1000.0, 30000.0, 100000.0])
P = np.array([0.9, 0.5, 0.3, 0.4, 0.15, 0.05])
N = np.array([1, 60, 1, 1, 150, 400])
GROUP = np.array([0, 0, 1, 1, 2, 3])
TRUTH = float(AREAS @ P)
R = 2000


def _replicates(seed: int) -> np.ndarray:
    """(R, H) number of coca units per stratum."""
    return np.random.default_rng(seed).binomial(N, P, size=(R, len(N)))


def _estimates(k: np.ndarray, areas: np.ndarray, n: np.ndarray, groups: VarianceGroups | None):
    h = len(areas)
    values = np.tile([[1.0], [0.0]], (h, 1))  # unit types per stratum: coca, other
    strata = np.repeat(np.arange(h), 2)
    freq = np.stack([k, n - k], axis=-1).reshape(k.shape[0], 2 * h).astype(float)
    t, v = total_variance(moments(values, strata, h, freq=freq), areas, groups)
    return t[:, 0], v[:, 0]


def test_simulation_batch_path_equals_public_function():
    k = _replicates(11)[0]
    names = ["coca-a", "coca-b", "edge-n", "edge-s", "forest", "other"]
    rows = [(names[h], c) for h in range(6) for c in ["coca"] * k[h] + ["other"] * (N[h] - k[h])]
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"]).assign(map_class="coca")
    est = estimate_stehman(
        sample,
        dict(zip(names, AREAS, strict=True)),
        classes=["coca", "other"],
        collapse_variance={"coca-a": "coca-b", "edge-n": "edge-s"},
    )
    t, v = _estimates(k[None, :], AREAS, N, VarianceGroups(GROUP, 4))
    assert est.classes["coca"].area == pytest.approx(t[0])
    assert est.classes["coca"].area_se == pytest.approx(np.sqrt(v[0]))


def test_simulation_collapse_variance_unbiased_conservative_and_covers():
    k = _replicates(2026)
    t, v = _estimates(k, AREAS, N, VarianceGroups(GROUP, 4))
    mc_se = t.std(ddof=1) / np.sqrt(R)
    assert abs(t.mean() - TRUTH) <= 3.5 * mc_se, (t.mean(), TRUTH, mc_se)  # original strata: unbiased
    # conservative: mean estimated variance >= empirical variance, within Monte Carlo error
    emp = t.var(ddof=1)
    d = t - t.mean()
    se_emp = np.sqrt((np.mean(d**4) - emp**2) / R)
    se_v = v.std(ddof=1) / np.sqrt(R)
    assert v.mean() - emp >= -3.0 * np.hypot(se_emp, se_v), (v.mean(), emp)
    assert v.mean() > emp  # here clearly so: the grouped strata differ (0.9 vs 0.5 coca)
    covered = np.abs(t - TRUTH) <= quantile(0.95) * np.sqrt(v)
    assert covered.mean() >= 0.95 - 2.5 * np.sqrt(0.95 * 0.05 / R), covered.mean()


def test_simulation_collapse_strata_with_different_rates_is_biased():
    # merging coca-a into coca-b (and edge-n into edge-s) for the estimate: the one coca-a unit
    # now stands for 1/61 of 8,000 pixels instead of 2,000, so the estimate is pulled towards
    # coca-b's share: E = 8000 (0.9 + 60 * 0.5) / 61 + 2000 * 0.35 + ... < truth
    k = _replicates(2026)
    merged_k = np.stack([k[:, 0] + k[:, 1], k[:, 2] + k[:, 3], k[:, 4], k[:, 5]], axis=1)
    merged_n = np.array([N[0] + N[1], N[2] + N[3], N[4], N[5]])
    merged_a = np.array([AREAS[0] + AREAS[1], AREAS[2] + AREAS[3], AREAS[4], AREAS[5]])
    t, v = _estimates(merged_k, merged_a, merged_n, None)
    mc_se = t.std(ddof=1) / np.sqrt(R)
    expect = merged_a @ np.array([(P[0] * N[0] + P[1] * N[1]) / 61, (P[2] + P[3]) / 2, P[4], P[5]])
    assert t.mean() == pytest.approx(expect, abs=4 * mc_se)
    assert TRUTH - t.mean() > 8 * mc_se  # biased low, by far more than Monte Carlo error
    covered = np.abs(t - TRUTH) <= quantile(0.95) * np.sqrt(v)
    assert covered.mean() < 0.93


# --- properties ------------------------------------------------------------------------------


@st.composite
def _grouped_samples(draw):
    k = draw(st.integers(2, 5))
    labels = [f"s{i}" for i in range(k)]
    n_h = draw(st.lists(st.integers(1, 6), min_size=k, max_size=k))
    rows = []
    for lab, n in zip(labels, n_h, strict=True):
        refs = draw(st.lists(st.sampled_from(["coca", "other"]), min_size=n, max_size=n))
        rows += [(lab, r) for r in refs]
    areas = dict(zip(labels, draw(st.lists(st.floats(1.0, 1e6), min_size=k, max_size=k)), strict=True))
    # every stratum with one unit is grouped with a random other stratum
    lonely = [lab for lab, n in zip(labels, n_h, strict=True) if n < 2]
    groups = {lab: draw(st.sampled_from([x for x in labels if x != lab])) for lab in lonely}
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"]).assign(map_class="coca")
    return sample, areas, groups, draw(st.randoms())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_grouped_samples())
def test_invariant_to_row_order_and_relabelling(case):
    sample, areas, groups, rnd = case
    kw = dict(classes=["coca", "other"])
    a = estimate_stehman(sample, areas, collapse_variance=groups, **kw)
    order = list(range(len(sample)))
    rnd.shuffle(order)
    b = estimate_stehman(sample.iloc[order], areas, collapse_variance=groups, **kw)
    new = {h: f"k{i}" for i, h in enumerate(rnd.sample(list(areas), len(areas)))}
    c = estimate_stehman(
        sample.replace({"stratum": new}),
        {new[h]: v for h, v in areas.items()},
        collapse_variance={new[x]: new[y] for x, y in groups.items()},
        **kw,
    )
    for other in (b, c):
        for cls in ("coca", "other"):
            assert other.classes[cls].area == pytest.approx(a.classes[cls].area, rel=1e-9, abs=1e-9)
            assert other.classes[cls].area_se == pytest.approx(a.classes[cls].area_se, rel=1e-9, abs=1e-6)
    assert np.isfinite(a.classes["coca"].area_se) and a.classes["coca"].area_se >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_grouped_samples(), st.dictionaries(st.text("s0123k ", max_size=3), st.text("s0123k ", max_size=3), max_size=4))
def test_any_grouping_gives_an_estimate_or_an_input_error(case, groups):
    sample, areas, _, _ = case
    try:
        est = estimate_stehman(sample, areas, classes=["coca", "other"], collapse_variance=groups)
    except InputError:
        return
    assert np.isfinite(est.classes["coca"].area_se)
