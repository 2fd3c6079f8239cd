"""Fixtures for production tests: small parameter files and closed-form lognormal models."""

from __future__ import annotations

import math
import tomllib

import pytest

from cocamonitor.production.params import parse_parameters

# mu, sigma of the log of each lognormal chain parameter (canonical units)
LOGNORMAL = {
    "area_factor": (math.log(1.05), 0.05),
    "leaf_yield": (math.log(6.0), 0.15),
    "base_per_leaf": (math.log(1.5), 0.10),
    "hcl_per_base": (math.log(0.9), 0.20),
}


def lognormal_toml(area: float = 1000.0, rho: float | None = None) -> str:
    parts = [f'[areas.R]\nvalue = {area}\nunit = "ha"\n']
    units = {
        "area_factor": "ha/ha",
        "leaf_yield": "t/ha/yr",
        "base_per_leaf": "kg/t",
        "hcl_per_base": "kg/kg",
    }
    for name, (mu, s) in LOGNORMAL.items():
        parts.append(
            f'[parameters.{name}]\nunit = "{units[name]}"\ndistribution = "lognormal"\n'
            f"median = {math.exp(mu)!r}\nsigma = {s}\n"
        )
    parts.append('[parameters.base_purity]\nunit = "fraction"\nvalue = 1.0\n')
    if rho is not None:
        parts.append(f'[[correlations]]\nbetween = ["leaf_yield", "base_per_leaf"]\nrho = {rho}\n')
    return "\n".join(parts)


@pytest.fixture
def lognormal_model():
    text = lognormal_toml()
    return parse_parameters(tomllib.loads(text), text=text, source="lognormal.toml")


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str):
        p = tmp_path / name
        p.write_text(text)
        return p

    return _write
