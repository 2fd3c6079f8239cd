"""Simulation with known truth: staggered adoption, effects that grow with exposure and differ by cohort.

Units are first treated in period 2, 3 or 4, or never (10 %) (periods 1-6); the effect of cohort g in
period t is ``delta_g * (t - g + 1)``. Two-way fixed effects mixes already-treated units into
the control group, so with growing effects it is biased (here it misses more than a third of the effect); the
Callaway-Sant'Anna aggregate is unbiased and its 95 % intervals cover the truth 93-97 % of the time.
"""

import numpy as np
import pytest

from cocamonitor.evaluate import Panel, aggregate, att_gt
from cocamonitor.evaluate.diagnostics import twfe

pytestmark = pytest.mark.slow

N, TIMES, REPS = 400, np.arange(1, 7), 500
COHORTS = np.array([2, 3, 4, 0])
SHARES = np.array([0.3, 0.3, 0.3, 0.1])
DELTA = {2: 1.0, 3: 1.5, 4: 2.0}
SHARE = dict(zip(COHORTS.tolist(), SHARES.tolist(), strict=True))


def _truth(g, t):
    return DELTA[g] * (t - g + 1) if t >= g else 0.0


def _draw(rng):
    g = rng.choice(COHORTS, size=N, p=SHARES)
    unit = rng.normal(size=N)[:, None] + 0.5 * (g[:, None] > 0)
    time = 0.3 * TIMES[None, :]
    eff = np.array([[_truth(gi, t) if gi else 0.0 for t in TIMES] for gi in g])
    y = unit + time + eff + rng.normal(size=(N, TIMES.size))
    return Panel(y=y, times=TIMES, cohort=g, units=np.arange(N)), g


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(20261204)
    cover_simple, cover_band, cover_cells = [], [], []
    est, tw, truths = [], [], []
    for _ in range(REPS):
        panel, g = _draw(rng)
        res = att_gt(panel, n_boot=0)
        simple = aggregate(res, "simple", n_boot=0)
        # truth of the simple aggregate: post cells weighted by the population cohort shares
        post = res.group <= res.time
        pg = np.array([SHARE[c] for c in res.group])
        true_cells = np.array([_truth(c, t) for c, t in zip(res.group, res.time, strict=True)])
        truth = float(np.sum(pg[post] * true_cells[post]) / np.sum(pg[post]))
        cover_simple.append(simple.ci_low <= truth <= simple.ci_high)
        cover_cells.append(np.mean((res.ci_low <= true_cells) & (true_cells <= res.ci_high)))
        event = aggregate(res, "event", n_boot=499)
        true_e = np.array([np.sum([DELTA[c] * (e + 1) * SHARE[c] for c in DELTA if c + e <= 6])
                           / np.sum([SHARE[c] for c in DELTA if c + e <= 6]) if e >= 0 else 0.0
                           for e in event.level])
        cover_band.append(np.all((event.band_low <= true_e) & (true_e <= event.band_high)))
        est.append(simple.att)
        tw.append(twfe(panel))
        truths.append(truth)
    return {k: np.array(v, dtype=float) for k, v in
            dict(simple=cover_simple, band=cover_band, cells=cover_cells, est=est, twfe=tw, truth=truths).items()}


def test_coverage_of_95_percent_intervals(study):
    assert 0.93 <= study["simple"].mean() <= 0.97
    assert 0.93 <= study["cells"].mean() <= 0.97


def test_simultaneous_band_covers_whole_event_study(study):
    assert 0.93 <= study["band"].mean() <= 0.97


def test_cs_unbiased_twfe_biased(study):
    truth = study["truth"].mean()
    mc_se = study["est"].std() / np.sqrt(REPS)
    assert abs(study["est"].mean() - truth) < 3 * mc_se
    assert study["twfe"].mean() < 0.65 * truth  # TWFE misses more than a third of the effect
    assert abs(study["twfe"].mean() - truth) > 20 * study["twfe"].std() / np.sqrt(REPS)
