from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sim_configs import small_config

from cocamonitor.area import estimate_stratified
from cocamonitor.errors import ParameterError
from cocamonitor.sampling import sample_size_stratified
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.cost import (
    census_hours,
    points_for,
    segment_hours,
    survey_segments_for,
)
from cocamonitor.simulate.design import (
    anticipated_shares,
    omission_edges,
    plan_good_practice,
    stratified_total,
)
from cocamonitor.simulate.dynamics import simulate_history
from cocamonitor.simulate.methods import run_methods
from cocamonitor.simulate.score import replicate_rng, score, wilson_interval

YEARS = [2019, 2020, 2021]


def test_stratified_total_is_olofssons_estimator_without_smoothing():
    rng = np.random.default_rng(3)
    n = {"coca": 40, "buffer_1": 60, "other": 50}
    size = {"coca": 500.0, "buffer_1": 4000.0, "other": 20000.0}
    p = {"coca": 0.8, "buffer_1": 0.05, "other": 0.02}
    rows = [(s, "coca" if rng.random() < p[s] else "other") for s in n for _ in range(n[s])]
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"])
    ref = estimate_stratified(sample, size, classes=["coca", "buffer_1", "other"])
    hits = np.array([(sample[sample.stratum == s].reference_class == "coca").sum() for s in n])
    total, se = stratified_total(hits, np.array(list(n.values())), np.array(list(size.values())),
                                 smooth=False)
    assert total == pytest.approx(ref.classes["coca"].area, rel=1e-12)
    assert se == pytest.approx(ref.classes["coca"].area_se, rel=1e-12)


def test_smoothing_only_touches_empty_strata_and_never_the_estimate():
    hits, n, size = np.array([5, 0]), np.array([50, 200]), np.array([1000.0, 50000.0])
    t0, se0 = stratified_total(hits, n, size, smooth=False)
    t1, se1 = stratified_total(hits, n, size)
    assert t0 == t1 == pytest.approx(100.0)
    # stratum 2 found no coca: half a unit in 201 -> its variance term is no longer zero
    p = 0.5 / 201
    assert se1 ** 2 == pytest.approx(se0 ** 2 + 50000.0 ** 2 * p * (1 - p) / 199)
    # with hits in every stratum, smoothing changes nothing
    assert stratified_total(np.array([5, 3]), n, size)[1] == stratified_total(
        np.array([5, 3]), n, size, smooth=False)[1]


def test_rings_fall_back_without_enough_omissions():
    cfg = SimulationConfig().replace(good_practice={"min_omissions": 3, "buffer_rings": 3,
                                                    "buffer_m": 900.0})
    prev = pd.DataFrame({"map_class": ["other", "other", "coca"],
                         "reference_class": ["coca", "coca", "coca"],
                         "distance_m": [10.0, 20.0, 0.0], "weight": [1.0, 1.0, 1.0]})
    assert omission_edges(prev, cfg) == ((300.0, 600.0, 900.0), "fallback")
    # weights count: one heavy omitted point far away moves the outer edge out
    prev = pd.DataFrame({"map_class": ["other"] * 3, "reference_class": ["coca"] * 3,
                         "distance_m": [10.0, 20.0, 700.0], "weight": [1.0, 1.0, 20.0]})
    edges, how = omission_edges(prev, cfg)
    assert how == "omission" and edges[-1] == 700.0


def _prev_sample() -> pd.DataFrame:
    rows = ([("coca", "coca", 0.0, 10.0)] * 90 + [("coca", "other", 0.0, 10.0)] * 10
            + [("other", "coca", 50.0, 100.0)] * 4 + [("other", "other", 50.0, 100.0)] * 396
            + [("other", "other", 900.0, 1000.0)] * 200)
    return pd.DataFrame(rows, columns=["map_class", "reference_class", "distance_m", "weight"])


def test_design_from_target_se_is_eq13_with_neyman_allocation():
    cfg = SimulationConfig()
    prev = _prev_sample()
    edges = (100.0, 500.0)
    sizes = {"coca": 1000, "buffer_1": 40000, "buffer_2": 30000, "other": 200000}
    q = anticipated_shares(prev, edges)
    assert q["coca"] == pytest.approx((900 + 5) / (1000 + 10))
    assert q["buffer_1"] == pytest.approx((400 + 50) / (40000 + 100))
    assert q["buffer_2"] == pytest.approx(0.5)  # no points there last year: the Jeffreys prior
    d = plan_good_practice(cfg, sizes, edges, "omission", prev)
    assert d.source == "target_se"
    ha = cfg.pixel_area_ha
    anticipated = sum(sizes[k] * q[k] for k in sizes) * ha
    assert d.target_se_ha == pytest.approx(0.075 * anticipated)
    n = sample_size_stratified(sizes, proportions=q,
                               target_se=d.target_se_ha / (sum(sizes.values()) * ha))
    assert d.total == min(n, cfg.good_practice.max_points)
    # Neyman: n_h proportional to N_h S_h (up to rounding)
    s = {k: sizes[k] * np.sqrt(q[k] * (1 - q[k])) for k in sizes}
    for k in sizes:
        assert d.n[k] == pytest.approx(d.total * s[k] / sum(s.values()), abs=1.0)


def test_budget_design_and_too_small_budgets():
    cfg = SimulationConfig()
    sizes = {"coca": 1000, "buffer_1": 40000, "other": 200000}
    d = plan_good_practice(cfg, sizes, (100.0,), "omission", _prev_sample(), points=777)
    assert d.source == "budget" and d.total == 777
    with pytest.raises(ParameterError, match="two per stratum"):
        plan_good_practice(cfg, sizes, (100.0,), "omission", _prev_sample(), points=5)
    # the cost model: what hours buy
    assert census_hours(cfg, 3) == 3 * cfg.cost.hours_per_scene
    assert segment_hours(cfg) == pytest.approx(4.0 + 1.0 * 20.0 / 25.0)
    seg = survey_segments_for(cfg, 300.0)
    assert sum(seg.values()) == int(300.0 // segment_hours(cfg))
    assert seg["high"] >= seg["none"] >= 2
    with pytest.raises(ParameterError, match="minimum design"):
        survey_segments_for(cfg, 20.0)
    assert points_for(cfg, 124.0, images=3) == int((124.0 - 24.0) / 0.05)
    with pytest.raises(ParameterError, match="after the map"):
        points_for(cfg, 24.1, images=3)


def test_equal_budget_each_method_spends_at_most_the_budget():
    cfg = small_config(cost={"hours_per_segment": 2.0, "hours_per_point": 0.02})
    h = simulate_history(cfg, YEARS, seed=5)
    est = run_methods(h, replicate_rng(5, 0), budget_hours=40.0)
    sv = est[est["method"] == "sample_survey"]
    gp = est[est["method"] == "good_practice"]
    assert (sv["hours"] <= 40.0 + 1e-9).all() and (gp["hours"] <= 40.0 + 1e-9).all()
    images = est[est["method"] == "census"]["units"].to_numpy()
    assert gp["units"].tolist() == [points_for(cfg, 40.0, int(i)) for i in images]
    # the survey buys its segments (fewer where a stratum holds fewer segments than bought)
    bought = sum(survey_segments_for(cfg, 40.0).values())
    assert (sv["units"] <= bought).all() and sv["units"].max() == bought


def test_scores_wilson_mcse_degenerate_and_both_truths():
    truth = pd.DataFrame({"dec31_ha": [100.0, 90.0], "harvested_ha": [110.0, 95.0]},
                         index=[2020, 2021])
    est = pd.DataFrame({
        "replicate": [0, 0, 1, 1], "method": ["good_practice"] * 4, "year": [2020, 2021] * 2,
        "area_ha": [102.0, 88.0, 96.0, 91.0],
        "ci_low": [95.0, 88.0, 90.0, 85.0], "ci_high": [109.0, 88.0, 102.0, 97.0],
    })
    (s,) = score(est, truth)
    d, h = s.by_truth["dec31"], s.by_truth["harvested"]
    assert d.coverage == pytest.approx(0.75)  # 2021 rep 0 is a zero-width interval at 88
    assert d.coverage_ci == wilson_interval(3, 4)
    assert d.degenerate_share == pytest.approx(0.25)
    # per-replicate mean errors: rep 0 (2 - 2)/2 = 0, rep 1 (-4 + 1)/2 = -1.5
    assert d.bias_ha == pytest.approx(-0.75)
    assert d.bias_mcse_ha == pytest.approx(np.std([0.0, -1.5], ddof=1) / np.sqrt(2))
    assert h.bias_ha == pytest.approx(np.mean([102 - 110, 88 - 95, 96 - 110, 91 - 95]))
    assert h.coverage == pytest.approx(0.25) and not h.judgeable
    assert s.target == "dec31" and s.to_dict()["coverage_ci"] == list(d.coverage_ci)
