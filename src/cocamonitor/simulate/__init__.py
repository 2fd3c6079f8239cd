"""Methodology testbed: synthetic coca landscapes with known truth, observed and measured.

A landscape history is simulated field by field (:mod:`.dynamics`), imaged with clouds and map
errors (:mod:`.observe`), measured by the census, the sample survey and good practice
(:mod:`.methods`; good practice designed from last year's sample, :mod:`.design`), costed in
analyst hours (:mod:`.cost`), scored against both truths over replicate observations
(:mod:`.score`), summed up in a verdict (:mod:`.verdict`) and run over a factorial grid of
conditions (:mod:`.experiment`). Parameters come from a TOML file (:mod:`.config`).

Examples
--------
>>> from cocamonitor.simulate import SimulationConfig, compare
>>> cfg = SimulationConfig().replace(landscape={"size": 200})
>>> result = compare(cfg, [2020, 2021], replicates=2, seed=7)
>>> result.to_frame()["method"].tolist()
['census', 'sample_survey', 'good_practice']

"""

from cocamonitor.simulate.config import (
    SimulationConfig,
    default_config_path,
    load_config,
    parse_years,
)
from cocamonitor.simulate.dynamics import History, simulate_history
from cocamonitor.simulate.experiment import Experiment, run_experiment
from cocamonitor.simulate.landscape import Landscape, make_landscape
from cocamonitor.simulate.methods import (
    CensusResult,
    MethodEstimate,
    census,
    good_practice,
    run_methods,
    sample_survey,
)
from cocamonitor.simulate.score import (
    TARGETS,
    Comparison,
    MethodScore,
    compare,
    plot_comparison,
    score,
    wilson_interval,
)
from cocamonitor.simulate.verdict import plot_verdict, verdict

__all__ = [
    "TARGETS",
    "CensusResult",
    "Comparison",
    "Experiment",
    "History",
    "Landscape",
    "MethodEstimate",
    "MethodScore",
    "SimulationConfig",
    "census",
    "compare",
    "default_config_path",
    "good_practice",
    "load_config",
    "make_landscape",
    "parse_years",
    "plot_comparison",
    "plot_verdict",
    "run_experiment",
    "run_methods",
    "sample_survey",
    "score",
    "simulate_history",
    "verdict",
    "wilson_interval",
]
