"""Potential cocaine production with propagated uncertainty, and why two series disagree.

The chain (area x productive-area factor x leaf yield x base per leaf x purity x conversion),
parameters as distributions read from TOML, presets built from published figures, a seeded
vectorised Monte Carlo, Sobol sensitivity and tornado data, and an exact LMDI decomposition of
the gap between two (area, production) series.
"""

from cocamonitor.production.chain import QUANTITIES, ChainResult, chain, point_chain
from cocamonitor.production.distributions import Distribution
from cocamonitor.production.montecarlo import ProductionEstimate, Summary, monte_carlo
from cocamonitor.production.params import (
    CHAIN_PARAMETERS,
    ParameterSpec,
    ProductionModel,
)
from cocamonitor.production.params_toml import parse_parameters, read_parameters
from cocamonitor.production.presets import check_preset, list_presets, load_preset, presets_table
from cocamonitor.production.sensitivity import SensitivityResult, analyse, sobol, tornado

__all__ = [
    "CHAIN_PARAMETERS",
    "QUANTITIES",
    "ChainResult",
    "Distribution",
    "ParameterSpec",
    "ProductionEstimate",
    "ProductionModel",
    "SensitivityResult",
    "Summary",
    "analyse",
    "chain",
    "check_preset",
    "list_presets",
    "load_preset",
    "monte_carlo",
    "parse_parameters",
    "point_chain",
    "presets_table",
    "read_parameters",
    "sobol",
    "tornado",
]
