"""Good practice on a classifier's map: the 95 % interval covers the true coca area 93-97 %.

Each replicate is a new synthetic landscape or a new reference sample: 12 landscapes, each
rendered as Sentinel-2-like scenes, classified by the imagery pipeline's calibrated classifier
(trained on its own sample) and stratified by the probability map, then 25 independent
stratified reference samples per map (730 points: 200 mapped coca, 150 uncertain, 250 buffer,
100 other, 30 no observation), each labelled with the 31 December truth and estimated.

Over 24 landscapes (600 replicates) the coverage was 94.5 %; with 50-100 points per stratum it
was 91-93 %, because the Wald interval of a stratum whose sample holds no error (user's accuracy
near 1, or rare omitted coca) has a variance estimated as zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from cocamonitor.simulate.classified import (
    ClassifiedMapConfig,
    classified_good_practice,
    classify_scenes,
    estimate_area,
    sample_strata,
)
from cocamonitor.simulate.scenes import scene_history

LANDSCAPES, SAMPLES = 12, 25


@pytest.mark.slow
def test_interval_covers_the_truth_93_to_97_percent():
    cfg = ClassifiedMapConfig()
    hits, errors, oa = [], [], []
    for k in range(LANDSCAPES):
        rng = np.random.default_rng([16, k])
        hist = scene_history(size=150, seed=1000 + k)
        cmap = classify_scenes(hist, 2021, rng, cfg)
        truth = cmap.stack.true_coca_ha
        seen = cmap.probability != 255
        oa.append(np.mean(((cmap.probability >= 50) == (cmap.stack.truth == 1))[seen]))
        for _ in range(SAMPLES):
            sample, areas = sample_strata(cmap, rng, cfg)
            area, se, lo, hi = estimate_area(sample, areas, cfg)
            hits.append(lo <= truth <= hi)
            errors.append((area - truth) / se if se > 0 else 0.0)
    coverage = float(np.mean(hits))
    assert len(hits) >= 200
    assert 0.93 <= coverage <= 0.97, coverage
    # the maps are imperfect (errors come from the classifier) and the estimator is unbiased
    assert 0.9 < np.mean(oa) < 0.995
    assert abs(np.mean(errors)) < 0.2


def test_fourth_method_returns_an_estimate_with_an_interval():
    hist = scene_history(size=100, seed=3)
    est, info = classified_good_practice(hist, 2021, np.random.default_rng(5))
    assert est.method == "classified_map" and est.ci_low <= est.area_ha <= est.ci_high and est.se_ha > 0
    assert info["n"] == sum(min(n, 10_000) for s, n in ClassifiedMapConfig().n_per_stratum if s in info["strata_ha"])
    assert info["train_points"] > 100
