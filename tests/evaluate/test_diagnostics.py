import numpy as np
import pytest

from cocamonitor.errors import DesignError
from cocamonitor.evaluate import Panel, aggregate, att_gt
from cocamonitor.evaluate.diagnostics import (
    bacon_decomposition,
    honest_bounds,
    placebo_timing,
    pretrend_test,
    twfe,
)


def _panel(seed=0, n=300, always=False, trend=0.0, effect=1.0):
    rng = np.random.default_rng(seed)
    times = np.arange(2000, 2010)
    g = rng.choice([2003, 2005, 2007, 0] + ([1999] if always else []), size=n)
    g = np.where(g == 1999, 2000, g)
    d = (g[:, None] > 0) & (times[None, :] >= g[:, None])
    y = (rng.normal(size=(n, 1)) + 0.1 * times[None, :] + effect * d * (times[None, :] - g[:, None] + 1)
         + trend * (g[:, None] > 0) * (times[None, :] - 2000) + rng.normal(size=(n, times.size)))
    return Panel(y=y, times=times, cohort=g, units=np.arange(n))


def _twfe_lstsq(p):
    n, T = p.y.shape
    D = ((p.cohort[:, None] > 0) & (p.times[None, :] >= p.cohort[:, None])).astype(float).ravel()
    unit = np.repeat(np.eye(n), T, axis=0)
    time = np.tile(np.eye(T), (n, 1))[:, 1:]
    X = np.column_stack([D, unit, time])
    return np.linalg.lstsq(X, p.y.ravel(), rcond=None)[0][0]


@pytest.mark.parametrize("always", [False, True])
def test_bacon_weights_sum_to_one_and_reproduce_twfe_exactly(always):
    p = _panel(always=always, n=120)
    b = bacon_decomposition(p)
    c = b.to_frame()
    assert c["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (c["weight"] > 0).all()
    assert (c["estimate"] * c["weight"]).sum() == pytest.approx(b.twfe, abs=1e-10)
    assert b.twfe == pytest.approx(_twfe_lstsq(p), abs=1e-9)
    assert set(c["type"]) >= {"treated vs never", "earlier vs later (not yet treated)",
                              "later vs earlier (already treated)"}
    assert b.summary()["weight"].sum() == pytest.approx(1.0)


def test_twfe_tiny_known_value():
    y = np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    p = Panel(y=y, times=np.array([1, 2, 3]), cohort=np.array([3, 0]), units=np.arange(2))
    assert twfe(p) == pytest.approx(2.0)


def test_pretrend_detects_differential_trend_and_not_when_absent():
    ok = pretrend_test(att_gt(_panel(seed=1), n_boot=0))
    bad = pretrend_test(att_gt(_panel(seed=1, trend=0.5), n_boot=0))
    assert ok.p_value > 0.01
    assert bad.p_value < 1e-6
    assert ok.df == ok.n_cells


def test_pretrend_needs_two_pre_periods():
    p = Panel(y=np.random.default_rng(0).normal(size=(20, 3)), times=np.array([1, 2, 3]),
              cohort=np.where(np.arange(20) < 10, 2, 0), units=np.arange(20))
    with pytest.raises(DesignError, match="fewer than 2 pre-treatment periods"):
        pretrend_test(att_gt(p, n_boot=0))


def test_honest_bounds_widen_with_mbar_and_break_down():
    ev = aggregate(att_gt(_panel(seed=2, effect=0.3), n_boot=0), "event")
    h = honest_bounds(ev)
    t = h.to_frame()
    assert t.loc[0, "id_low"] == pytest.approx(ev.att)  # Mbar = 0: the point estimate
    assert np.all(np.diff(t["robust_high"] - t["robust_low"]) > 0)
    # at the breakdown Mbar the robust interval just touches zero
    z = 1.959963984540054
    edge = ev.att - h.breakdown_mbar * (t.loc[1, "id_high"] - t.loc[1, "id_low"]) / 2 / 0.5 - z * ev.se
    assert edge == pytest.approx(0.0, abs=1e-9)


def test_placebo_timing_is_null_without_effect_before_treatment():
    p = _panel(seed=3, effect=2.0)
    res = placebo_timing(p, shift=2, n_boot=0)
    assert res.time.max() < 2003
    assert aggregate(res, "simple").ci_low < 0 < aggregate(res, "simple").ci_high
