"""Property tests: invariance to row order and class relabelling, areas add up, bad input fails
only with InputError."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocamonitor.area import (
    estimate_post_stratified,
    estimate_stehman,
    estimate_stratified,
    estimate_two_stage,
)
from cocamonitor.errors import InputError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stratified_samples(draw):
    k = draw(st.integers(2, 4))
    labels = draw(st.lists(st.text("abcxyz0123", min_size=1, max_size=3), min_size=k, max_size=k, unique=True))
    n_h = draw(st.lists(st.integers(2, 12), min_size=k, max_size=k))
    rows = []
    for lab, n in zip(labels, n_h, strict=True):
        refs = draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n))
        rows += [(lab, r) for r in refs]
    areas = draw(st.lists(st.floats(1.0, 1e6), min_size=k, max_size=k))
    sample = pd.DataFrame(rows, columns=["stratum", "reference_class"])
    return sample, dict(zip(labels, areas, strict=True)), draw(st.randoms())


def _assert_same(a, b, mapping=None):
    mapping = mapping or {c: c for c in a.classes}
    assert a.total_area == pytest.approx(b.total_area)
    for c, ca in a.classes.items():
        cb = b.classes[mapping[c]]
        for attr in ("area", "area_se", "users_accuracy", "producers_accuracy", "producers_accuracy_se"):
            va, vb = getattr(ca, attr), getattr(cb, attr)
            if va is None:
                assert vb is None
            else:
                assert va == pytest.approx(vb, rel=1e-9, abs=1e-9)
    if a.overall_accuracy is not None:
        assert a.overall_accuracy == pytest.approx(b.overall_accuracy)
        assert a.overall_accuracy_se == pytest.approx(b.overall_accuracy_se, abs=1e-12)


@SETTINGS
@given(stratified_samples())
def test_invariant_to_row_order(case):
    sample, areas, rnd = case
    order = list(range(len(sample)))
    rnd.shuffle(order)
    a = estimate_stratified(sample, areas)
    b = estimate_stratified(sample.iloc[order], areas)
    _assert_same(a, b)
    c = estimate_stehman(sample.iloc[order].assign(map_class=lambda d: d["stratum"]), areas, classes=list(areas))
    _assert_same(a, c)


@SETTINGS
@given(stratified_samples())
def test_invariant_to_relabelling(case):
    sample, areas, rnd = case
    names = list(areas)
    new = [f"k{i}" for i in range(len(names))]
    rnd.shuffle(new)
    mapping = dict(zip(names, new, strict=True))
    relabelled = sample.replace({"stratum": mapping, "reference_class": mapping})
    a = estimate_stratified(sample, areas)
    b = estimate_stratified(relabelled, {mapping[k]: v for k, v in areas.items()})
    _assert_same(a, b, mapping)


@SETTINGS
@given(stratified_samples())
def test_class_areas_sum_to_total(case):
    sample, areas, _ = case
    for est in (
        estimate_stratified(sample, areas),
        estimate_two_stage(sample.assign(cluster=np.arange(len(sample)).astype(str)), areas, classes=list(areas)),
    ):
        total = sum(c.area for c in est.classes.values())
        assert total == pytest.approx(est.total_area, rel=1e-9)
        assert sum(c.proportion for c in est.classes.values()) == pytest.approx(1.0)
        if est.error_matrix is not None:
            cells = [v for row in est.error_matrix.proportions for v in row if v is not None]
            assert sum(cells) == pytest.approx(1.0)


cell = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.sampled_from(["a", "b", "", " "]),
)


@st.composite
def messy(draw):
    n = draw(st.integers(0, 8))
    cols = draw(
        st.lists(
            st.sampled_from(["stratum", "reference_class", "map_class", "cluster", "dept", "x"]),
            min_size=0,
            max_size=5,
            unique=True,
        )
    )
    data = {c: draw(st.lists(cell, min_size=n, max_size=n)) for c in cols}
    sample = pd.DataFrame(data, columns=cols) if cols else pd.DataFrame(index=range(n))
    keys = draw(st.lists(st.one_of(st.sampled_from(["a", "b"]), st.text(max_size=2), st.integers(-1, 2)), max_size=3))
    vals = draw(
        st.lists(
            st.one_of(st.floats(allow_nan=True), st.integers(-2, 5), st.text(max_size=2), st.none()),
            min_size=len(keys),
            max_size=len(keys),
        )
    )
    areas = dict(zip(keys, vals, strict=False))
    if draw(st.booleans()):
        areas = pd.DataFrame({"stratum": list(areas.keys()), "area": list(areas.values())})
    conf = draw(st.one_of(st.floats(-1, 2), st.just(float("nan")), st.just(0.95)))
    return sample, areas, draw(st.sampled_from(["dept", None, "nope"])), conf


@settings(max_examples=120, deadline=None)
@given(messy())
def test_bad_input_only_raises_input_error(case):
    sample, areas, by, conf = case
    for fn, kw in (
        (estimate_stratified, {}),
        (estimate_stehman, {}),
        (estimate_post_stratified, {"post_stratum": "stratum"}),
        (estimate_two_stage, {}),
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(sample, areas, by=by, confidence=conf, **kw)
        except InputError:
            pass
