"""Stratified (Olofsson) estimator against the published worked examples."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from area_examples import olofsson2013, olofsson2014

from cocamonitor.area import estimate_stehman, estimate_stratified
from cocamonitor.errors import DataError, DesignError, InputError, SchemaError


def test_olofsson_2013_example_1():
    sample, areas = olofsson2013()
    est = estimate_stratified(sample, areas)
    c1 = est.classes["1"]
    # Olofsson et al. 2013, eqs. 9-16: p.1 = 0.0257, A1 = 45,112 px, SE 10,751 px,
    # 95 % CI 45,112 ± 21,072 px, UA1 = 0.97, PA1 = 0.48, OA = 0.94
    assert round(c1.proportion, 4) == 0.0257
    assert abs(c1.area - 45112) <= 1
    assert abs(c1.area_se - 10751) <= 1
    assert abs((c1.area_ci[1] - c1.area) - 21072) <= 1
    assert round(c1.users_accuracy, 2) == 0.97
    assert round(c1.producers_accuracy, 2) == 0.48
    assert round(est.overall_accuracy, 2) == 0.94
    assert math.isclose(est.total_area, sum(areas.values()))


# Olofsson et al. 2014, Table 8 / p. 54: area (ha) and 95 % CI half-width (ha)
T8_AREAS = {
    "Deforestation": (21158, 6158),
    "Forest gain": (11686, 3756),
    "Stable forest": (285770, 15510),
    "Stable non-forest": (581386, 16282),
}
# user's accuracy ± 95 % half-width, producer's accuracy (± half-width where the printed value
# is reproducible; the paper's 0.23 and 0.01 for gain / non-forest PA are known misprints)
T8_UA = {
    "Deforestation": (0.88, 0.07),
    "Forest gain": (0.73, 0.10),
    "Stable forest": (0.93, 0.04),
    "Stable non-forest": (0.96, 0.02),
}
T8_PA = {
    "Deforestation": (0.75, 0.21),
    "Forest gain": (0.85, None),
    "Stable forest": (0.93, 0.03),
    "Stable non-forest": (0.96, None),
}


def test_olofsson_2014_good_practice_example():
    sample, areas = olofsson2014()
    est = estimate_stratified(sample, areas)
    z = 1.959964
    for name, (area_ha, half_ha) in T8_AREAS.items():
        c = est.classes[name]
        assert round(c.area / 1e4) == area_ha
        assert round(z * c.area_se / 1e4) == pytest.approx(half_ha, abs=1)
        ua, ua_h = T8_UA[name]
        assert round(c.users_accuracy, 2) == ua
        assert round(1.96 * c.users_accuracy_se, 2) == ua_h
        pa, pa_h = T8_PA[name]
        assert round(c.producers_accuracy, 2) == pa
        if pa_h is not None:
            assert round(1.96 * c.producers_accuracy_se, 2) == pa_h
    assert round(est.overall_accuracy, 2) == 0.95
    assert round(1.96 * est.overall_accuracy_se, 2) == 0.02
    # Table 9: error matrix in area proportions; empty cells are "not observed"
    m = est.error_matrix.to_frame()
    assert round(m.loc["Deforestation", "Deforestation"], 4) == 0.0176
    assert round(m.loc["Stable non-forest", "Stable forest"], 4) == 0.0179
    assert round(m.loc["Stable forest", "Stable non-forest"], 4) == 0.0213
    assert est.error_matrix.to_dict()["proportions"][1][0] is None  # gain mapped, defor. ref: 0 units


def test_same_numbers_as_stehman_when_strata_are_map_classes():
    sample, areas = olofsson2014()
    a = estimate_stratified(sample, areas).to_frame()
    b = estimate_stehman(sample, areas).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_confidence_level_changes_interval_only():
    sample, areas = olofsson2013()
    e95 = estimate_stratified(sample, areas)
    e90 = estimate_stratified(sample, areas, confidence=0.90)
    c95, c90 = e95.classes["1"], e90.classes["1"]
    assert c95.area == c90.area and c95.area_se == c90.area_se
    assert c90.area_ci[1] - c90.area == pytest.approx(1.644854 * c90.area_se, rel=1e-6)


def test_to_dict_follows_contract():
    sample, areas = olofsson2013()
    d = estimate_stratified(sample, areas).to_dict()
    assert set(d) == {
        "method",
        "confidence",
        "unit",
        "total_area",
        "classes",
        "overall_accuracy",
        "overall_accuracy_se",
        "error_matrix",
    }
    assert set(d["classes"]["1"]) == {
        "area",
        "area_se",
        "area_ci",
        "proportion",
        "proportion_se",
        "users_accuracy",
        "users_accuracy_se",
        "producers_accuracy",
        "producers_accuracy_se",
    }
    assert set(d["error_matrix"]) == {"map_classes", "reference_classes", "proportions"}
    json.dumps(d)  # plain JSON types only


def test_labels_kept_as_given():
    sample = pd.DataFrame({"stratum": ["01", "01", "2", "2"], "reference_class": ["01", "2", "2", "2"]})
    est = estimate_stratified(sample, {"01": 10.0, "2": 20.0})
    assert list(est.classes) == ["01", "2"]


def test_domains_add_up_to_national():
    sample, areas = olofsson2014()
    rng = np.random.default_rng(3)
    sample["dept"] = rng.choice(["Nariño", "Cauca", "Putumayo"], size=len(sample))
    est = estimate_stratified(sample, areas, by="dept")
    assert set(est.domains) == {"Nariño", "Cauca", "Putumayo"}
    for cls, c in est.classes.items():
        total = sum(est.domains[d][cls].area for d in est.domains)
        assert total == pytest.approx(c.area, rel=1e-12)
    assert "domains" in est.to_dict()
    assert "domains" not in estimate_stratified(sample, areas).to_dict()


def test_collapse_strata_merges_small_stratum():
    sample = pd.DataFrame(
        {
            "stratum": ["coca", "edge", "other", "other", "coca"],
            "reference_class": ["coca", "coca", "other", "coca", "other"],
        }
    )
    areas = {"coca": 10.0, "edge": 5.0, "other": 85.0}
    with pytest.raises(DesignError, match="`collapse` edge="):
        estimate_stratified(sample, areas)
    est = estimate_stratified(sample, areas, collapse={"edge": "coca"})
    assert est.total_area == 100.0
    assert "edge" in est.classes  # still a class (a map label), no longer a stratum


@pytest.mark.parametrize(
    ("sample", "areas", "err", "match"),
    [
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", "a"]}),
            {"a": 1, "b": 2},
            DesignError,
            "'b' has an area but no sample units",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a", "c"], "reference_class": ["a", "a", "a"]}),
            {"a": 1},
            DataError,
            "line 4, column 'stratum'",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", "z"]}),
            {"a": 1},
            DataError,
            "class 'z' is not a known class",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", None]}),
            {"a": 1},
            DataError,
            "line 3, column 'reference_class': blank value",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", "a"]}),
            {"a": 0},
            DataError,
            "areas must be > 0",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", "a"]}),
            {"a": -3},
            DataError,
            "areas must be > 0",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "reference_class": ["a", "a"]}),
            pd.DataFrame({"stratum": ["a", "a"], "area": [1, 2]}),
            SchemaError,
            "appears twice",
        ),
        (
            pd.DataFrame({"stratum": ["a", "a"], "ref": ["a", "a"]}),
            {"a": 1},
            SchemaError,
            "missing column",
        ),
    ],
)
def test_bad_input_raises_input_error(sample, areas, err, match):
    with pytest.raises(err, match=match):
        estimate_stratified(sample, areas)
    assert issubclass(err, InputError)


def test_openmrv_colombia_buffer_stratum_example():
    """Olofsson (2021), OpenMRV "Analysis of sample data collected under stratified random
    sampling": 535 units in Colombia; strata forest, non-forest, forest disturbance and a buffer
    stratum around disturbance that is never a reference class. Areas given as the weights."""
    counts = {  # map (rows) x reference (columns): forest, non-forest, disturbance
        "forest": (271, 3, 1),
        "non-forest": (6, 193, 1),
        "disturbance": (2, 1, 27),
        "buffer": (23, 0, 7),
    }
    refs = ("forest", "non-forest", "disturbance")
    rows = [(m, refs[j]) for m, c in counts.items() for j in range(3) for _ in range(c[j])]
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"])
    w = {"forest": 0.551, "non-forest": 0.407, "disturbance": 0.0137, "buffer": 0.0287}
    est = estimate_stratified(sample, w)
    published = {  # estimate, SE, user's, producer's accuracy
        "forest": (0.57811, 0.0067520, 0.985, 0.939),
        "non-forest": (0.39922, 0.0063466, 0.965, 0.984),
        "disturbance": (0.02307, 0.0037174, 0.900, 0.535),
    }
    for name, (p, se, ua, pa) in published.items():
        c = est.classes[name]
        assert round(c.area, 5) == p
        assert round(c.area_se, 7) == se
        assert round(c.users_accuracy, 3) == ua
        assert round(c.producers_accuracy, 3) == pa
    assert round(est.overall_accuracy * est.total_area, 3) == 0.948  # sum of the diagonal
    dist = est.classes["disturbance"]
    assert round(1.96 * dist.area_se / dist.area, 4) == 0.3159  # MoE 31.59 %
    assert est.classes["buffer"].area == 0.0 and est.classes["buffer"].producers_accuracy is None


def test_duplicated_column_names_are_schema_error():
    """A DataFrame with two 'stratum' columns raised AttributeError deep inside pandas."""
    sample, areas = olofsson2013()
    twice = pd.concat([sample, sample[["stratum"]]], axis=1)
    with pytest.raises(SchemaError, match="'stratum' appears more than once"):
        estimate_stratified(twice, areas)


def test_collapse_warns_when_sampling_rates_differ():
    from cocamonitor.errors import CocamonitorWarning

    sample = pd.DataFrame(
        {"stratum": ["coca", "coca", "edge", "other", "other"],
         "reference_class": ["coca", "other", "coca", "other", "coca"]}
    )
    # coca: 2 units on 10 (0.2 per unit area); edge: 1 unit on 50 (0.02): merging them biases
    with pytest.warns(CocamonitorWarning, match="sampled at different rates"):
        estimate_stratified(sample, {"coca": 10.0, "edge": 50.0, "other": 40.0}, collapse={"edge": "coca"})
