from __future__ import annotations

import numpy as np
import pytest
from sim_configs import PERFECT, small_config

from cocamonitor.simulate.dynamics import simulate_history
from cocamonitor.simulate.observe import (
    acquisition_days,
    classified_map,
    cloud_mask,
    detection_probability,
    mapped_fields,
)

YEARS = [2020, 2021]


@pytest.fixture(scope="module")
def hist():
    return simulate_history(small_config(), YEARS, seed=21)


def test_acquisitions_nearest_first_within_window(hist):
    cfg = hist.config
    days = acquisition_days(hist, 2020, window_days=60, max_images=100)
    s1 = hist.dec31(2020)
    dist = np.abs(days - s1)
    assert (np.diff(dist) >= 0).all() and dist.max() <= 60
    assert days[0] - s1 == cfg.observation.acquisition_offset_days
    assert np.allclose(np.diff(np.sort(days)), cfg.observation.revisit_days)
    assert len(acquisition_days(hist, 2020)) == cfg.census.max_images


def test_cloud_fraction_and_pattern(hist):
    rng = np.random.default_rng(0)
    fracs, seen = [], []
    for _ in range(60):
        mask, frac = cloud_mask(hist, rng)
        fracs.append(frac)
        seen.append(0.0 if mask is None else mask.mean())
    # the pattern meets the drawn fraction, whose mean is cloud_mean
    assert np.allclose(fracs, seen, atol=0.08)
    assert abs(np.mean(seen) - hist.config.observation.cloud_mean) < 0.08
    # spatially correlated: neighbouring pixels agree far more than independent pixels would
    mask, frac = cloud_mask(hist, np.random.default_rng(3))
    agree = (mask[:, 1:] == mask[:, :-1]).mean()
    assert agree > 0.95 > frac**2 + (1 - frac) ** 2


def test_no_clouds_gives_no_mask():
    h = simulate_history(small_config(**PERFECT), [2020], seed=1)
    assert cloud_mask(h, np.random.default_rng(0)) == (None, 0.0)


def test_detection_falls_for_small_and_young_fields(hist):
    size = np.array([0.05, 0.2, 1.0, 5.0])
    p_size = detection_probability(hist, size, np.full(4, 365.0))
    p_age = detection_probability(hist, np.full(4, 2.0), np.array([5.0, 30.0, 90.0, 365.0]))
    assert (np.diff(p_size) > 0).all() and (np.diff(p_age) > 0).all()
    assert p_size[-1] <= hist.config.observation.detection_max


def test_empirical_omission_depends_on_size(hist):
    rng = np.random.default_rng(1)
    t = hist.dec31(2021)
    ep = hist.episodes
    stand = ep.field[ep.standing(t)]
    size = hist.fields.pixels[stand] * hist.config.pixel_area_ha
    hits = np.zeros(stand.size)
    for _ in range(200):
        mapped, _ = mapped_fields(hist, t, rng)
        hits += np.isin(stand, mapped)
    rate = hits / 200
    small, large = size < np.quantile(size, 0.25), size > np.quantile(size, 0.75)
    assert rate[small].mean() < rate[large].mean() - 0.05


def test_perfect_map_equals_truth():
    h = simulate_history(small_config(**PERFECT), YEARS, seed=8)
    for t in np.linspace(h.year_start(2020), h.dec31(2021), 7):
        assert np.array_equal(classified_map(h, t, np.random.default_rng(0)), h.truth_raster(t))


def test_commission_from_lookalikes_and_fallow():
    cfg = small_config(observation={**PERFECT["observation"], "lookalike_confusion": 1.0,
                                    "lookalike_per_km2": 5.0})
    h = simulate_history(cfg, YEARS, seed=8)
    t = h.dec31(2020)
    m = classified_map(h, t, np.random.default_rng(0))
    truth = h.truth_raster(t)
    assert (m >= truth).all() and m.sum() > truth.sum()
