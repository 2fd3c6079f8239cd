"""Pettitt change-point test against hand computations and a simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cocamonitor.trends import pettitt


def _u_double_sum(x):
    n = len(x)
    return [sum(np.sign(x[i] - x[j]) for i in range(t) for j in range(t, n)) for t in range(1, n)]


def test_hand_computed():
    # ranks of 1 3 2 6 5 are 1 3 2 5 4; U_t = 2 cumsum(r) - 6 t = -4 -4 -6 -2 -> K = 6 at t = 3
    r = pettitt([1, 3, 2, 6, 5], years=range(2001, 2006))
    assert r.u == (-4.0, -4.0, -6.0, -2.0)
    assert r.k == 6 and r.change_index == 3
    assert (r.last_year_before, r.first_year_after) == (2003, 2004)
    assert r.p_value == pytest.approx(2 * np.exp(-6 * 36 / (125 + 25)))
    assert r.shift == "up"


def test_rank_form_equals_double_sum_with_ties():
    x = [3, 1, 3, 2, 2, 5, 4, 4]
    assert list(pettitt(x).u) == pytest.approx(_u_double_sum(x))


def test_permutation_p_matches_full_enumeration():
    x = np.array([2.0, 1.0, 3.0, 7.0, 8.0, 6.0])
    k_obs = pettitt(x).k
    ks = [pettitt(np.array(p)).k for p in itertools.permutations(x)]
    exact = np.mean(np.array(ks) >= k_obs)
    mc = pettitt(x, permutations=20000, seed=1).p_permutation
    assert mc == pytest.approx(exact, abs=0.01)


def test_detects_a_step_in_simulation():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(100):
        x = np.r_[rng.normal(0, 1, 10), rng.normal(3, 1, 10)]
        r = pettitt(x, years=range(2001, 2021))
        hits += (r.first_year_after == 2011) and r.p_value < 0.05
    assert hits >= 80
