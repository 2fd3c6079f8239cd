"""Two-stage cluster estimator: hand-computed examples (Cochran 1977 ch. 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocamonitor.area import estimate_stratified, estimate_two_stage
from cocamonitor.errors import DesignError, ParameterError, SchemaError


def _sample() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stratum": ["all"] * 12,
            "cluster": ["c1"] * 4 + ["c2"] * 4 + ["c3"] * 4,
            "reference_class": [
                "coca",
                "other",
                "other",
                "other",
                "coca",
                "coca",
                "other",
                "other",
                "other",
                "other",
                "other",
                "other",
            ],
            "psu_area": [100.0] * 4 + [300.0] * 4 + [200.0] * 4,
        }
    )


def test_pps_matches_hand_computation():
    est = estimate_two_stage(_sample(), {"all": 10000.0}, map_class=None)
    ybar = np.array([0.25, 0.5, 0.0])
    area = 10000 * ybar.mean()
    se = 10000 * ybar.std(ddof=1) / np.sqrt(3)
    c = est.classes["coca"]
    assert c.area == pytest.approx(area)
    assert c.area_se == pytest.approx(se)
    t = 4.302653  # t_{0.975, 2}
    assert c.area_ci[1] - c.area == pytest.approx(t * se, rel=1e-6)
    assert est.method == "two_stage" and est.df == 2
    assert est.overall_accuracy is None and est.error_matrix is None


def test_equal_probability_uses_psu_sizes():
    est = estimate_two_stage(_sample(), {"all": 10000.0}, map_class=None, selection="equal", psu_count=50)
    y = np.array([0.25 * 100, 0.5 * 300, 0.0])
    assert est.classes["coca"].area == pytest.approx(50 * y.mean())
    assert est.classes["coca"].area_se == pytest.approx(50 * y.std(ddof=1) / np.sqrt(3))


def test_one_point_per_cluster_equals_stratified():
    rng = np.random.default_rng(7)
    s = pd.DataFrame(
        {
            "stratum": np.repeat(["coca", "other"], 30),
            "reference_class": rng.choice(["coca", "other"], 60),
        }
    )
    s["map_class"] = s["stratum"]
    s["cluster"] = np.arange(60).astype(str)
    areas = {"coca": 50.0, "other": 950.0}
    a = estimate_two_stage(s, areas)
    b = estimate_stratified(s, areas)
    for k in ("coca", "other"):
        assert a.classes[k].area == pytest.approx(b.classes[k].area)
        assert a.classes[k].area_se == pytest.approx(b.classes[k].area_se)
        assert a.classes[k].users_accuracy == pytest.approx(b.classes[k].users_accuracy)
        assert a.classes[k].producers_accuracy_se == pytest.approx(b.classes[k].producers_accuracy_se)


def test_units_are_primary_units():
    est = estimate_two_stage(_sample(), {"all": 10000.0}, map_class=None)
    assert list(est.units["unit"]) == ["c1", "c2", "c3"]
    assert est.units["y:coca"].tolist() == [0.25, 0.5, 0.0]


def test_errors():
    s = _sample()
    with pytest.raises(SchemaError, match="cluster"):
        estimate_two_stage(s.drop(columns="cluster"), {"all": 1.0})
    with pytest.raises(DesignError, match="only 1 primary unit "):
        estimate_two_stage(s[s.cluster == "c1"], {"all": 1.0}, map_class=None)
    with pytest.raises(ParameterError, match="psu_count"):
        estimate_two_stage(s, {"all": 1.0}, map_class=None, selection="equal")
    with pytest.raises(ParameterError, match="selection"):
        estimate_two_stage(s, {"all": 1.0}, map_class=None, selection="srs")


@pytest.mark.parametrize("count", ["x", None, {"all": "many"}])
def test_non_numeric_psu_count_is_parameter_error(count):
    """psu_count='x' was a bare ValueError from float()."""
    with pytest.raises(ParameterError, match="psu_count .* is not a number"):
        estimate_two_stage(_sample(), {"all": 1000.0}, map_class=None, selection="equal",
                           psu_count=count if count is not None else [3])
