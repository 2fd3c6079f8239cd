import warnings

import numpy as np
import pandas as pd
import pytest

from cocamonitor.errors import CocamonitorWarning, DataError, DesignError, ParameterError, SchemaError
from cocamonitor.evaluate import Panel, aggregate, att_gt, panel_from_long
from cocamonitor.evaluate.bootstrap import multiplier_bootstrap


def _long(n=60, times=(1, 2, 3, 4), seed=0):
    rng = np.random.default_rng(seed)
    g = np.where(np.arange(n) < n // 2, 3, 0)
    return pd.DataFrame([{"id": i, "t": t, "y": rng.normal() + (t >= g[i] > 0), "g": g[i], "dept": i % 5}
                         for i in range(n) for t in times])


def test_panel_from_long_errors_name_the_row_and_column():
    df = _long()
    with pytest.raises(SchemaError, match="'nope'"):
        panel_from_long(df, unit="id", time="t", outcome="nope", cohort="g")
    bad = df.astype({"y": object})
    bad.loc[5, "y"] = "x"
    with pytest.raises(DataError, match="row 7, column 'y'"):
        panel_from_long(bad, unit="id", time="t", outcome="y", cohort="g")
    with pytest.raises(DataError, match="unbalanced panel"):
        panel_from_long(df.drop(index=3), unit="id", time="t", outcome="y", cohort="g")
    with pytest.raises(DataError, match="more than one row"):
        panel_from_long(pd.concat([df, df.iloc[:1]]), unit="id", time="t", outcome="y", cohort="g")
    varying = df.copy()
    varying.loc[1, "g"] = 4
    with pytest.raises(DataError, match="changes within unit"):
        panel_from_long(varying, unit="id", time="t", outcome="y", cohort="g")


def test_design_errors():
    p = panel_from_long(_long(), unit="id", time="t", outcome="y", cohort="g")
    with pytest.raises(DesignError, match="outside the panel"):
        att_gt(Panel(y=p.y, times=p.times, cohort=np.where(p.cohort > 0, 9, 0), units=p.units), n_boot=0)
    with pytest.raises(ParameterError, match="control"):
        att_gt(p, control="sometimes", n_boot=0)  # type: ignore[arg-type]


def test_few_clusters_warns():
    p = panel_from_long(_long(), unit="id", time="t", outcome="y", cohort="g", cluster="dept")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = att_gt(p, n_boot=0)
    assert any(issubclass(x.category, CocamonitorWarning) and "only 5 clusters" in str(x.message) for x in w)
    assert r.n_clusters == 5


def test_cluster_se_equals_unit_se_when_each_unit_is_its_own_cluster():
    df = _long()
    a = att_gt(panel_from_long(df, unit="id", time="t", outcome="y", cohort="g"), n_boot=0)
    b = att_gt(panel_from_long(df.assign(c=df["id"]), unit="id", time="t", outcome="y", cohort="g", cluster="c"),
               n_boot=0)
    np.testing.assert_allclose(a.se, b.se)


@pytest.mark.parametrize("kind", ["mammen", "rademacher"])
def test_bootstrap_se_matches_analytic(kind):
    p = panel_from_long(_long(n=600, seed=3), unit="id", time="t", outcome="y", cohort="g")
    r = att_gt(p, n_boot=2000, bootstrap_weights=kind, seed=1)
    np.testing.assert_allclose(r.se_boot, r.se, rtol=0.1)
    ev = aggregate(r, "event")
    assert ev.crit > 1.96  # a band over several event times is wider than pointwise
    assert np.all(ev.band_high - ev.band_low > ev.ci_high_level - ev.ci_low_level)


def test_bootstrap_bad_weights():
    with pytest.raises(ParameterError, match="weights"):
        multiplier_bootstrap(np.ones((3, 1)), 3, weights="gaussian")
