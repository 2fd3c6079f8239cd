"""The shared parameter checks: one message for a bad confidence level or seed everywhere."""

import pytest

from cocamonitor._checks import check_confidence, check_seed
from cocamonitor.errors import ParameterError


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.1, "x", None])
def test_bad_confidence(value):
    with pytest.raises(ParameterError, match="confidence must be") as err:
        check_confidence(value, where="--confidence")
    assert err.value.where == "--confidence"


@pytest.mark.parametrize("value", [-1, 1.5, True, "3"])
def test_bad_seed(value):
    with pytest.raises(ParameterError, match="whole number >= 0"):
        check_seed(value)


def test_good_values_pass_through():
    assert check_confidence(0.9) == 0.9 and check_seed(None) is None and check_seed(0) == 0


@pytest.mark.parametrize("argv", [
    ("area", "design", "--map", "x.tif", "--n", "50", "--seed", "-1", "--out", "s.gpkg"),
    ("production", "estimate", "--seed", "-1"),
    ("simulate", "compare", "--seed", "-1"),
])
def test_every_command_refuses_a_negative_seed_the_same_way(run_cli, argv):
    res = run_cli(*argv)
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: --seed: the seed must be a whole number >= 0, got -1; e.g. --seed 1"
