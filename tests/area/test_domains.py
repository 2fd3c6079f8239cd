"""Domain estimation: per-department areas from one national sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocamonitor.area import domain_table, estimate_domains, estimate_stratified
from cocamonitor.area.domains import territory_domains
from cocamonitor.errors import DataError, ParameterError, SchemaError, UnknownNameError


def _sample() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 90
    return pd.DataFrame({
        "stratum": np.repeat(["coca", "other"], [30, 60]),
        "reference_class": rng.choice(["coca", "other"], n, p=[0.3, 0.7]),
        "divipola": rng.choice(["54810", "86568", "52835"], n),
    })


def test_domain_estimate_by_hand():
    s = _sample()
    areas = {"coca": 1000.0, "other": 9000.0}
    est = estimate_domains(s, areas, "divipola")
    # stratified total of y = 1{domain d and coca}: sum_h A_h * mean_h(y), var sum_h A_h^2 s_h^2/n_h
    y = ((s["divipola"] == "54810") & (s["reference_class"] == "coca")).astype(float)
    g = y.groupby(s["stratum"])
    area = sum(areas[h] * g.get_group(h).mean() for h in areas)
    var = sum(areas[h] ** 2 * g.get_group(h).var(ddof=1) / len(g.get_group(h)) for h in areas)
    d = est.domains["54810"]["coca"]
    assert d.area == pytest.approx(area)
    assert d.area_se == pytest.approx(np.sqrt(var))
    assert d.area_ci[1] - d.area == pytest.approx(1.959964 * d.area_se, rel=1e-5)


def test_territory_levels():
    s = _sample()
    dep = territory_domains(s, "department")
    assert set(dep) == {"Norte de Santander", "Putumayo", "Nariño"}
    pdet = territory_domains(s, "pdet-subregion")
    assert all(isinstance(v, str) and v for v in pdet)
    assert list(territory_domains(s, "municipality")) == list(s["divipola"])
    est = estimate_stratified(s.assign(dept=dep), {"coca": 1.0, "other": 9.0}, by="dept")
    t = domain_table(est, s.assign(dept=dep), "dept")
    assert t.groupby("domain")["n_sample"].first().sum() == len(s)


def test_territory_errors():
    s = _sample()
    with pytest.raises(SchemaError, match="divipola"):
        territory_domains(s.drop(columns="divipola"), "department")
    with pytest.raises(DataError, match="line 3, column 'divipola'"):
        territory_domains(s.assign(divipola=["54810", "99999"] + ["54810"] * 88), "department")
    with pytest.raises(UnknownNameError, match="did you mean"):
        territory_domains(s, "departmen")
    with pytest.raises(ParameterError, match="unknown method"):
        estimate_domains(s, {"coca": 1.0, "other": 9.0}, "divipola", method="ratio")
