import numpy as np
import pandas as pd
import pytest

from cocamonitor.errors import DesignError, UnknownNameError
from cocamonitor.evaluate.synth import simplex_weights, synthetic_control


def _wide(seed=0, J=8, T=14, start=10, effect=3.0):
    rng = np.random.default_rng(seed)
    times = np.arange(2000, 2000 + T)
    f = np.cumsum(rng.normal(size=(T, 2)), axis=0)
    load = rng.uniform(0, 2, size=(2, J + 1))
    Y = 10 + f @ load + 0.2 * rng.normal(size=(T, J + 1))
    Y[times >= 2000 + start, 0] += effect
    return pd.DataFrame(Y, index=times, columns=["treated"] + [f"d{j}" for j in range(J)])


def test_recovers_exact_convex_combination():
    wide = _wide()
    wide["treated"] = 0.3 * wide["d1"] + 0.7 * wide["d4"]
    r = synthetic_control(wide, "treated", 2010, placebos=False)
    assert r.weights["d1"] == pytest.approx(0.3, abs=1e-5)
    assert r.weights["d4"] == pytest.approx(0.7, abs=1e-5)
    assert r.pre_rmspe == pytest.approx(0.0, abs=1e-5)
    assert r.att == pytest.approx(0.0, abs=1e-4)


def test_weights_on_simplex_and_placebo_p_value():
    r = synthetic_control(_wide(effect=8.0), "treated", 2010)
    assert r.weights.min() >= 0 and r.weights.sum() == pytest.approx(1.0)
    assert len(r.placebos) == 8
    assert r.p_value == pytest.approx(1 / 9)  # the treated unit has the largest post/pre ratio
    d = r.to_dict()
    assert {"att", "pre_rmspe", "p_value", "weights", "path"} <= set(d)


def test_agrees_with_pysyncon_on_small_case():
    pysyncon = pytest.importorskip("pysyncon")
    wide = _wide(seed=3, J=6, T=12, start=8)
    noise = np.random.default_rng(9).normal(scale=0.3, size=len(wide))
    wide["treated"] = 0.5 * wide["d1"] + 0.3 * wide["d3"] + 0.2 * wide["d5"] + noise  # interior optimum
    pre = wide.index < 2008
    X0, X1 = wide.loc[pre].drop(columns="treated"), wide.loc[pre, "treated"]
    peer = pysyncon.Synth()
    # pysyncon divides each predictor by its standard deviation across units; V = sd² undoes
    # that, so both minimise the unweighted pre-period squared gap
    sd2 = pd.concat([X0, X1], axis=1).std(axis=1).to_numpy() ** 2
    peer.fit(X0=X0, X1=X1, Z0=X0, Z1=X1, custom_V=sd2)
    ours = synthetic_control(wide, "treated", 2008, placebos=False)
    theirs = np.asarray(peer.W, dtype=float)
    np.testing.assert_allclose(ours.weights.to_numpy(), theirs, atol=2e-3)
    synth_theirs = wide.drop(columns="treated").to_numpy() @ theirs
    np.testing.assert_allclose(ours.synthetic.to_numpy(), synth_theirs, rtol=1e-3)
    # our weights fit at least as well as the peer's
    loss = lambda w: np.sum((X1.to_numpy() - X0.to_numpy() @ w) ** 2)  # noqa: E731
    assert loss(ours.weights.to_numpy()) <= loss(theirs) * (1 + 1e-8)
    assert (ours.weights > 0.05).sum() >= 2


def test_simplex_weights_exact_interior():
    d = np.array([[0.0, 2.0], [0.0, 2.0]])
    assert simplex_weights(np.array([1.0, 1.0]), d) == pytest.approx([0.5, 0.5], abs=1e-6)


def test_bad_input():
    wide = _wide()
    with pytest.raises(UnknownNameError):
        synthetic_control(wide, "nope", 2010)
    with pytest.raises(DesignError, match="pre-treatment"):
        synthetic_control(wide, "treated", 2001)
