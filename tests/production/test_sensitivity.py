import math

import pytest

from cocamonitor.production import sobol, tornado

from .conftest import LOGNORMAL


def test_sobol_first_order_matches_closed_form_for_lognormal_product(lognormal_model):
    s2 = {k: v[1] ** 2 for k, v in LOGNORMAL.items()}
    total = math.expm1(sum(s2.values()))
    expected = {k: math.expm1(v) / total for k, v in s2.items()}
    # total effect of X_i: 1 - Var(E[Y | X_~i]) / Var(Y) = 1 - (e^{S - s_i} - 1) / (e^S - 1)
    s_all = sum(s2.values())
    expected_total = {k: 1 - math.expm1(s_all - v) / total for k, v in s2.items()}
    df = sobol(lognormal_model, n=40_000, seed=3).set_index("parameter")
    for k in LOGNORMAL:
        assert df.loc[k, "first_order"] == pytest.approx(expected[k], abs=0.02), k
        assert df.loc[k, "total_order"] == pytest.approx(expected_total[k], abs=0.03), k


def test_tornado_swings_and_order(lognormal_model):
    t = tornado(lognormal_model, confidence=0.9)
    assert list(t["parameter"]) == ["hcl_per_base", "leaf_yield", "base_per_leaf", "area_factor"]
    mu = {k: v[0] for k, v in LOGNORMAL.items()}
    centre = math.exp(sum(mu.values()))  # area 1000 ha x 1e-3 t/kg = 1
    row = t.set_index("parameter").loc["leaf_yield"]
    assert row.output_high == pytest.approx(centre * math.exp(1.644854 * 0.15), rel=1e-6)
    assert row.output_low == pytest.approx(centre * math.exp(-1.644854 * 0.15), rel=1e-6)
