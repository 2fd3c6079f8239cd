"""Stehman (2014) estimator against the paper's numerical example."""

from __future__ import annotations

import pandas as pd
import pytest
from area_examples import stehman2014

from cocamonitor.area import estimate_stehman
from cocamonitor.errors import DataError


def test_stehman_2014_numerical_example():
    sample, areas = stehman2014()
    est = estimate_stehman(sample, areas)
    # Stehman 2014, pp. 4932-4936
    assert round(est.classes["A"].proportion, 2) == 0.35
    assert round(est.classes["A"].proportion_se, 3) == 0.082
    assert round(est.classes["C"].proportion, 2) == 0.20
    assert round(est.classes["C"].proportion_se, 3) == 0.064
    assert round(est.overall_accuracy, 2) == 0.63
    assert round(est.overall_accuracy_se, 3) == 0.085
    assert round(est.classes["B"].users_accuracy, 3) == 0.574
    assert round(est.classes["B"].users_accuracy_se, 3) == 0.125
    assert round(est.classes["B"].producers_accuracy, 3) == 0.794
    # The paper prints 0.114: it used s²_x = 0 in stratum 4, where its own Table 3 has 0.1;
    # with the correct s²_x the formula (eq. 28) gives 0.1166 (see the next test).
    assert round(est.classes["B"].producers_accuracy_se, 4) == 0.1166
    assert round(est.error_matrix.to_frame().loc["B", "C"], 2) == 0.08
    assert est.method == "stehman2014"


def test_class_areas_sum_to_total():
    sample, areas = stehman2014()
    est = estimate_stehman(sample, areas)
    assert sum(c.area for c in est.classes.values()) == pytest.approx(est.total_area)


def test_reference_label_outside_map_classes():
    sample, areas = stehman2014()
    sample.loc[5, "reference_class"] = "E"
    with pytest.raises(DataError, match="line 7, column 'reference_class'"):
        estimate_stehman(sample, areas)
    # declaring the class set makes it legal
    est = estimate_stehman(sample, areas, classes=["A", "B", "C", "D", "E"])
    assert est.classes["E"].users_accuracy is None
    assert est.classes["E"].area > 0


def test_strata_are_departments():
    sample = pd.DataFrame(
        {
            "stratum": ["Nariño"] * 4 + ["Cauca"] * 4,
            "map_class": ["coca", "coca", "other", "other", "coca", "other", "other", "other"],
            "reference_class": [
                "coca",
                "other",
                "other",
                "other",
                "coca",
                "other",
                "coca",
                "other",
            ],
        }
    )
    est = estimate_stehman(sample, {"Nariño": 300.0, "Cauca": 700.0})
    assert est.classes["coca"].area == pytest.approx(300 * 0.25 + 700 * 0.5)


def test_paper_producers_se_reproduced_with_its_slip():
    """Setting s²_x = 0 in stratum D, as the paper did, gives its printed SE of 0.114."""
    import numpy as np

    from cocamonitor.area._core import ClassLayout, indicator_values, moments, ratio_variance

    sample, areas = stehman2014()
    classes = ["A", "B", "C", "D"]
    code = {c: i for i, c in enumerate(classes)}
    lay = ClassLayout(4)
    vals = indicator_values(sample["map_class"].map(code).to_numpy(), sample["reference_class"].map(code).to_numpy(), 4)
    strata = sample["stratum"].map(code).to_numpy()
    m = moments(vals, strata, 4, pairs=lay.pairs())
    e = np.array([areas[c] for c in classes])
    y, x = lay.pairs()[4 + 1]  # producer's accuracy of B
    _, v = ratio_variance(m, e, np.array([y]), np.array([x]), np.array([4 + 1]))
    assert round(float(np.sqrt(v[0])), 4) == 0.1166
    m.var[3, x] = 0.0
    _, v = ratio_variance(m, e, np.array([y]), np.array([x]), np.array([4 + 1]))
    assert round(float(np.sqrt(v[0])), 3) == 0.114
