import numpy as np
import pandas as pd
import pytest

from cocamonitor.errors import DataError
from cocamonitor.production.decompose import explain_series, implied_yields, lmdi, log_mean


def test_lmdi_adds_up_exactly_on_random_series():
    rng = np.random.default_rng(0)
    years = list(range(2000, 2040))
    s = [pd.Series(rng.uniform(1e3, 3e5, len(years)), years) for _ in range(2)]
    p = [pd.Series(rng.uniform(10, 3000, len(years)), years) for _ in range(2)]
    t = explain_series(s[0], p[0], s[1], p[1]).table
    np.testing.assert_allclose(
        t["area_effect_t"] + t["yield_effect_t"], t["difference_t"], rtol=1e-12, atol=1e-9
    )


def test_unodc_vs_us_2020_by_hand():
    y = [2020]
    t = explain_series(
        pd.Series([143_000.0], y),
        pd.Series([1228.0], y),
        pd.Series([245_000.0], y),
        pd.Series([1010.0], y),
        labels=("unodc", "us"),
    ).table.iloc[0]
    w = (1010 - 1228) / (np.log(1010) - np.log(1228))
    assert t.area_effect_t == pytest.approx(w * np.log(245_000 / 143_000), rel=1e-12)
    assert t.yield_effect_t == pytest.approx(
        w * np.log((1010 / 245_000) / (1228 / 143_000)), rel=1e-12
    )
    assert t.area_effect_t > 0 > t.yield_effect_t  # more US hectares, far less cocaine per hectare
    assert t.yield_b_kg_per_ha == pytest.approx(4.1224, rel=1e-4)


def test_three_factor_lmdi_and_equal_values():
    a = {"x": np.array([2.0, 5.0]), "y": np.array([3.0, 1.0]), "z": np.array([1.5, 2.0])}
    b = {"x": np.array([2.0, 4.0]), "y": np.array([6.0, 1.0]), "z": np.array([1.0, 3.0])}
    e = lmdi(a, b)
    diff = np.prod(list(b.values()), axis=0) - np.prod(list(a.values()), axis=0)
    np.testing.assert_allclose(sum(e.values()), diff, rtol=1e-12)
    assert e["x"][0] == 0.0  # equal factor, no effect
    assert log_mean(np.array([4.0]), np.array([4.0]))[0] == 4.0


def test_missing_year_and_non_positive_values():
    s = pd.Series([1.0, 2.0], [2019, 2020])
    with pytest.raises(DataError, match="2018"):
        explain_series(s, s, s, s, years=[2018])
    z = pd.Series([0.0, 2.0], [2019, 2020])
    with pytest.raises(DataError):
        explain_series(s, s, z, s)


def test_implied_yields_only_years_with_both():
    area = pd.Series([209_000.0, 245_000.0, 234_000.0], [2017, 2020, 2021])
    prod = pd.Series([900.0, 1010.0], [2017, 2020])
    df = implied_yields(area, prod)
    assert list(df["year"]) == [2017, 2020]
    assert df["kg_per_ha"].tolist() == pytest.approx([900 / 209, 1010 / 245])
