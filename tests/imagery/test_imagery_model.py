"""The classifier: spatial blocks, blocked CV, calibrated probabilities, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from cocamonitor.errors import DataError, ParameterError
from cocamonitor.imagery import load_model, spatial_blocks, train_classifier


def _data(n=600, seed=0, shift=1.2):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 4000, n), rng.uniform(0, 4000, n)
    z = rng.normal(size=(n, 2))
    p = 1 / (1 + np.exp(-(z[:, 0] * shift * 2 - 1)))  # known class probability
    labels = np.where(rng.random(n) < p, "1", "0")
    return z, labels, x, y, p


def test_spatial_blocks_are_square_cells():
    g = spatial_blocks(np.array([0.0, 999.0, 1000.0, 0.0]), np.array([0.0, 999.0, 0.0, 1500.0]), 1000.0)
    assert g[0] == g[1] and len({g[0], g[2], g[3]}) == 3
    with pytest.raises(ParameterError):
        spatial_blocks(np.zeros(2), np.zeros(2), 0.0)


def test_blocked_cv_scores_and_calibrated_probabilities(tmp_path):
    X, labels, x, y, p = _data(1200)
    m = train_classifier(X, labels, x, y, feature_names=["a", "b"], block_m=500, folds=4, seed=2)
    cv = m.card.cv
    assert cv["folds"] == 4 and cv["blocks"] == 64
    # the Bayes accuracy of this problem bounds the held-out accuracy
    bayes = np.mean(np.maximum(p, 1 - p))
    assert bayes - 0.06 < cv["overall_accuracy"] <= bayes + 0.03
    assert sum(map(sum, cv["confusion_matrix"]["counts"])) == 1200
    # calibration: on fresh data, mean predicted probability per decile matches the known one
    Xn, _, _, _, pn = _data(4000, seed=9)
    q = m.predict_proba(Xn)[:, m.classes.index("1")]
    bins = np.quantile(q, np.linspace(0, 1, 6))
    idx = np.clip(np.searchsorted(bins, q, side="right") - 1, 0, 4)
    for b in range(5):
        assert abs(q[idx == b].mean() - pn[idx == b].mean()) < 0.08
    m.save(tmp_path / "m")
    back = load_model(tmp_path / "m")
    assert back.card.to_dict() == m.card.to_dict()
    assert np.allclose(back.predict_proba(Xn[:50]), m.predict_proba(Xn[:50]))


def test_refuses_a_class_with_fewer_than_ten_points():
    X, labels, x, y, _ = _data(200)
    labels = labels.copy()
    labels[:7] = "9"
    with pytest.raises(DataError, match=r"class 9 has 7 training points; a class needs at least 10"):
        train_classifier(X, labels, x, y, feature_names=["a", "b"], source="t.csv")


def test_refuses_one_class_one_block_and_unknown_engine():
    X, labels, x, y, _ = _data(100)
    with pytest.raises(DataError, match="only one class"):
        train_classifier(X, np.full(100, "0"), x, y, feature_names=["a", "b"])
    with pytest.raises(DataError, match="one 10000 m block"):
        train_classifier(X, labels, x, y, feature_names=["a", "b"], block_m=10000)
    with pytest.raises(ParameterError, match="unknown engine"):
        train_classifier(X, labels, x, y, feature_names=["a", "b"], engine="svm", cross_validate=False)


def test_load_model_refuses_a_missing_or_broken_file(tmp_path):
    with pytest.raises(DataError.__mro__[1], match="no model"):
        load_model(tmp_path)
    (tmp_path / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(DataError, match="cannot read the model"):
        load_model(tmp_path)


def _few_block_sample(seed):
    """A class in only four of ten 100 m blocks: some blocked splits leave it out of a training part."""
    rng = np.random.default_rng(seed)
    n = 300
    x, y = rng.uniform(0, 1000, n), rng.uniform(0, 100, n)
    labels = np.where((x < 400) & (rng.random(n) < 0.5), "1", "0")
    return rng.normal(size=(n, 3)) + (labels == "1")[:, None], labels, x, y


def test_calibration_folds_are_whole_partitions_or_a_clear_error():
    # seed 2: three calibration folds leave class 1 out of a training part; two folds do not
    X, labels, x, y = _few_block_sample(2)
    m = train_classifier(X, labels, x, y, feature_names=["a", "b", "c"], block_m=100, folds=3, seed=0)
    assert 0.5 < m.card.cv["overall_accuracy"] <= 1.0
    # seed 0: no partition keeps class 1 in every training part: one error, no sklearn traceback
    X, labels, x, y = _few_block_sample(0)
    with pytest.raises(DataError, match="no blocked split leaves every class in the calibration folds"):
        train_classifier(X, labels, x, y, feature_names=["a", "b", "c"], block_m=100, folds=3, seed=0)
