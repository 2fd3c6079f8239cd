from __future__ import annotations

import pandas as pd
import pytest
from sim_configs import small_config

from cocamonitor.errors import ParameterError
from cocamonitor.simulate.config import SimulationConfig
from cocamonitor.simulate.experiment import apply_cell, parse_grid, run_experiment
from cocamonitor.simulate.score import compare


def test_grid_parsing_and_cells():
    g = parse_grid(["clouds=0.1,0.4", "fields=small,large eradication=high"])
    assert g == {"clouds": ["0.1", "0.4"], "fields": ["small", "large"], "eradication": ["high"]}
    cfg = apply_cell(SimulationConfig(), {"clouds": "0.4", "fields": "large",
                                          "observation.revisit_days": "5"})
    assert cfg.observation.cloud_mean == 0.4 and cfg.dynamics.size_median_ha == 1.5
    assert cfg.observation.revisit_days == 5.0
    cfg = apply_cell(SimulationConfig(), {"eradication_timing": "december"})
    assert cfg.dynamics.eradication_seasonality == 0.9
    with pytest.raises(ParameterError, match="unknown factor 'cloud'"):
        parse_grid(["cloud=0.1"])
    with pytest.raises(ParameterError, match="not a number"):
        apply_cell(SimulationConfig(), {"fields": "huge"})
    with pytest.raises(ParameterError, match="cannot read"):
        parse_grid(["clouds"])
    with pytest.raises(ParameterError, match="out of range"):
        apply_cell(SimulationConfig(), {"clouds": "1.5"})


def test_parallel_cells_equal_sequential_and_compare():
    cfg = small_config()
    grid = {"clouds": ["0.1", "0.4"]}
    years = [2019, 2020, 2021]
    seq = run_experiment(cfg, grid, years, replicates=3, seed=2, workers=1, chunk=2)
    par = run_experiment(cfg, grid, years, replicates=3, seed=2, workers=2, chunk=2)
    pd.testing.assert_frame_equal(seq.to_frame(), par.to_frame())
    # a cell is exactly `compare` of that configuration
    one = compare(apply_cell(cfg, {"clouds": "0.4"}), years, 3, seed=2)
    row = seq.scores[(seq.scores["clouds"] == "0.4") & (seq.scores["method"] == "good_practice")]
    assert row["bias_ha"].item() == pytest.approx(one.scores[2].dec31.bias_ha)
    assert len(seq.scores) == 2 * 3 and set(seq.to_dict()) >= {"grid", "cells", "replicates"}
