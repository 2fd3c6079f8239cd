"""The sample design as one object (issue 20): SampleDesign, ESTIMATORS dispatch, one spelling of method
names, and estimate_covariance (formerly area.panel_covariance)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cocamonitor import area
from cocamonitor.area import (
    ESTIMATORS,
    SampleDesign,
    estimate_covariance,
    estimate_domains,
    estimate_post_stratified,
    estimate_stehman,
    estimate_stratified,
    estimate_two_stage,
)
from cocamonitor.errors import ParameterError

AREAS = {"coca": 100.0, "other": 900.0}


def _pixels() -> pd.DataFrame:
    return pd.DataFrame({"stratum": ["coca"] * 3 + ["other"] * 3,
                         "map_class": ["coca"] * 3 + ["other"] * 3,
                         "reference_class": ["coca", "coca", "other", "other", "coca", "other"],
                         "department": ["Nariño", "Cauca"] * 3})


def _clusters() -> pd.DataFrame:
    return pd.DataFrame({"stratum": ["all"] * 12, "cluster": ["c1"] * 4 + ["c2"] * 4 + ["c3"] * 4,
                         "reference_class": ["coca", "other", "other", "other", "coca", "coca", "other", "other"]
                         + ["other"] * 4,
                         "psu_area": [100.0] * 4 + [300.0] * 4 + [200.0] * 4})


def _same(a, b):
    assert a.to_dict() == b.to_dict()


def test_a_stratified_design_gives_the_known_estimate():
    # Olofsson-style hand computation: coca = 100 * 2/3 + 900 * 1/3
    est = SampleDesign("stratified", strata_areas=AREAS).estimate(_pixels())
    assert est.classes["coca"].area == pytest.approx(100 * 2 / 3 + 900 / 3)
    assert est.method == "stratified"


@pytest.mark.parametrize(("design", "fn", "sample", "kwargs"), [
    (SampleDesign("stratified", strata_areas=AREAS), estimate_stratified, _pixels, {}),
    (SampleDesign("stehman2014", strata_areas=AREAS), estimate_stehman, _pixels, {}),
    (SampleDesign("post_stratified", strata_areas=AREAS, variance="unconditional"), estimate_post_stratified,
     _pixels, {"variance": "unconditional"}),
    (SampleDesign("two_stage", strata_areas={"all": 10000.0}, map_class=None, selection="equal", psu_count=50),
     estimate_two_stage, _clusters, {"map_class": None, "selection": "equal", "psu_count": 50}),
])
def test_every_estimator_takes_the_design_and_gives_what_its_keywords_give(design, fn, sample, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small post-strata warn the same both ways
        old = fn(sample(), design.strata_areas, confidence=0.9, **kwargs)
        _same(fn(sample(), design, confidence=0.9), old)
        _same(design.estimate(sample(), confidence=0.9), old)
        _same(ESTIMATORS[design.method](sample(), design, confidence=0.9), old)


def test_run_options_go_with_the_design():
    design = SampleDesign(strata_areas=AREAS)
    est = estimate_stratified(_pixels(), design, by="department")
    _same(est, estimate_stratified(_pixels(), AREAS, by="department"))
    _same(design.estimate(_pixels(), {"coca": 200.0, "other": 800.0}),
          estimate_stratified(_pixels(), {"coca": 200.0, "other": 800.0}))


def test_a_design_is_frozen_and_checks_its_method():
    d = SampleDesign()
    with pytest.raises(AttributeError):
        d.method = "two_stage"  # type: ignore[misc]
    with pytest.raises(ParameterError, match="unknown method 'stratifed'") as err:
        SampleDesign("stratifed")
    assert err.value.where == "method" and "stratified" in str(err.value)
    with pytest.raises(ParameterError, match="two_stage design given to the stratified estimator"):
        estimate_stratified(_pixels(), SampleDesign("two_stage", strata_areas=AREAS))
    with pytest.raises(ParameterError, match="carries no stratum areas"):
        estimate_stratified(_pixels(), SampleDesign())
    with pytest.raises(ParameterError, match="`stratum` is given both in the sample design and to the estimator"):
        estimate_stratified(_pixels(), SampleDesign(strata_areas=AREAS), stratum="map_class")


def test_warnings_of_a_keyword_call_still_point_at_the_caller():
    with pytest.warns(Warning) as caught:
        estimate_post_stratified(_pixels(), AREAS)
    assert {w.filename for w in caught} == {__file__}


def test_the_keywords_of_a_design_are_those_its_estimator_takes():
    assert set(SampleDesign("two_stage").keywords()) == {
        "cluster", "stratum", "reference", "map_class", "selection", "psu_area", "psu_count", "classes",
        "collapse", "collapse_variance"}
    assert "selection" not in SampleDesign("stratified").keywords()


def test_hyphenated_method_names_are_deprecated_in_the_core():
    with pytest.warns(DeprecationWarning, match="'two-stage' is deprecated"):
        d = SampleDesign("two-stage", strata_areas={"all": 10000.0}, map_class=None)
    assert d.method == "two_stage"
    with pytest.warns(DeprecationWarning, match="'post-stratified'"):
        est = estimate_domains(_pixels(), AREAS, "department", method="post-stratified")
    assert est.method == "post_stratified"
    assert set(ESTIMATORS) == set(area.METHODS) == {"stratified", "stehman2014", "two_stage", "post_stratified"}


def test_the_cli_spelling_is_the_core_spelling_with_hyphens():
    from cocamonitor.commands.area import Method

    assert {m.value.replace("-", "_") for m in Method} - {"auto"} == set(ESTIMATORS)


def test_estimate_covariance_replaces_area_panel_covariance():
    y1 = pd.DataFrame({"stratum": list("aaabbb"), "reference_class": list("aabbbb")})
    y2 = pd.DataFrame({"stratum": list("aaabbb"), "reference_class": list("abbbba")})
    e1, e2 = estimate_stratified(y1, {"a": 10.0, "b": 90.0}), estimate_stratified(y2, {"a": 10.0, "b": 90.0})
    # class a in stratum a: units (1, 1, 0) then (1, 0, 0), s_ab = 1/6; stratum b is all b in year 1 (s_ab = 0):
    # Cov = A_a^2 s_ab / n_a = 100 * (1/6) / 3
    ya, yb = np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
    by_hand = 10.0**2 * np.cov(ya, yb)[0, 1] / 3
    assert by_hand == pytest.approx(100 / 18)
    assert estimate_covariance(e1, e2, "a") == pytest.approx(by_hand)
    with pytest.warns(DeprecationWarning, match="estimate_covariance"):
        old = area.panel_covariance
    assert old is estimate_covariance
    from cocamonitor.area import covariance

    with pytest.warns(DeprecationWarning):
        assert covariance.panel_covariance is estimate_covariance
