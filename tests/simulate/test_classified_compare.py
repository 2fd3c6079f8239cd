"""`simulate compare` with the fourth method: good practice on the classified map."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cocamonitor.errors import ParameterError
from cocamonitor.simulate.classified import ClassifiedMapConfig, budget_config, classified_hours
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.score import compare

YEARS = [2020, 2021]


@pytest.fixture(scope="module")
def cfg():
    return SimulationConfig().replace(landscape={"size": 200})


@pytest.fixture(scope="module")
def both(cfg):
    return compare(cfg, YEARS, 2, seed=1), compare(cfg, YEARS, 2, seed=1, classified=True)


def test_the_fourth_method_leaves_the_other_three_unchanged(both):
    plain, four = both
    others = four.estimates[four.estimates["method"] != "classified_map"].reset_index(drop=True)
    pd.testing.assert_frame_equal(plain.estimates, others)
    assert [s.method for s in four.scores] == ["census", "sample_survey", "good_practice", "classified_map"]


def test_classified_map_scores_intervals_and_cost(both, cfg):
    _, four = both
    est = four.estimates[four.estimates["method"] == "classified_map"]
    assert len(est) == 2 * len(YEARS)
    assert (est["ci_low"] <= est["area_ha"]).all() and (est["area_ha"] <= est["ci_high"]).all()
    assert (est["se_ha"] > 0).all()
    # cost: every labelled point (training + reference) at hours_per_point
    np.testing.assert_allclose(est["hours"], est["units"] * cfg.cost.hours_per_point)
    # each estimate is within 4 standard errors of the truth (the slow test checks 95 % coverage)
    truth = est["year"].map(four.truth.set_index("year")["dec31_ha"])
    assert (np.abs(est["area_ha"] - truth) <= 4 * est["se_ha"]).all()
    row = four.to_frame().set_index("method").loc["classified_map"]
    assert row["target"] == "dec31" and row["estimates"] == 4
    assert four.budget()["methods"]["classified_map"]["unit"] == "points"


def test_hours_and_budget_known_values(cfg):
    assert classified_hours(cfg, 730 + 400) == pytest.approx(56.5)
    c = budget_config(cfg, ClassifiedMapConfig(), 100.0)  # 2,000 points: 1,600 after training
    want = dict(ClassifiedMapConfig().n_per_stratum)
    assert dict(c.n_per_stratum) == {k: math.floor(1600 * v / 730) for k, v in want.items()}
    with pytest.raises(ParameterError) as err:
        budget_config(cfg, ClassifiedMapConfig(), 20.0)  # 400 points: the training sample alone
    assert err.value.where == "budget_hours" and "20.5" in err.value.hint


def test_budget_buys_the_classified_map_points(cfg):
    four = compare(cfg, [2021], 1, seed=2, classified=True, budget_hours=60.0)
    est = four.estimates.set_index("method")
    assert est.loc["classified_map", "hours"] <= 60.0 + 1e-9


def test_cli_reports_the_fourth_method_with_its_verdict(run_cli, tmp_path):
    png = tmp_path / "v.png"
    res = run_cli("simulate", "compare", "--size", "200", "--years", "2020-2021", "--seed", "3",
                  "--replicates", "1", "--classified", "--plot", str(png), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert list(doc["methods"]) == ["census", "sample_survey", "good_practice", "classified_map"]
    assert "mapa clasificado" in doc["verdict"]["classified_map"]["es"]
    assert "classified map" in doc["verdict"]["classified_map"]["en"]
    assert doc["budget"]["methods"]["classified_map"]["unit"] == "points"
    assert png.stat().st_size > 10_000
    res = run_cli("simulate", "compare", "--size", "200", "--years", "2020-2021", "--replicates", "1",
                  "--classified")
    assert res.exit_code == 0, res.stderr
    text = " ".join((res.stdout + res.stderr).split())
    assert "Good practice, classified map" in text and "points" in text


def test_cli_budget_too_small_for_the_classified_map(run_cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[cost]\nhours_per_point = 0.5\n", encoding="utf-8")  # 150 h: enough for the others
    args = ("simulate", "compare", "--config", str(cfg), "--size", "200", "--years", "2020-2021", "--replicates", "1",
            "--budget", "150")
    res = run_cli(*args, "--classified")
    assert res.exit_code == 2
    assert "--budget" in res.stderr and "400 training points" in res.stderr and "205 h" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
