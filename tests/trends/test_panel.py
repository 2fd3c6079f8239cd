"""Panel trends: Benjamini-Hochberg against the 1995 example, classification rules, roll-ups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cocamonitor.errors import InputError, SchemaError
from cocamonitor.trends import CLASSES, benjamini_hochberg, panel_trends, series_trends

BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
           0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]


def test_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995), section 4: at q = 0.05 the procedure rejects the four
    # smallest p-values (0.0095 <= 4/15 * 0.05 = 0.0133; 0.0201 > 5/15 * 0.05), Bonferroni three
    r = benjamini_hochberg(BH_1995, 0.05)
    assert r.n_rejected == 4 and r.rejected[:4].all() and not r.rejected[4:].any()
    assert r.threshold == 0.0095
    # adjusted q_(i) = min_{j >= i} m p_(j) / j, by hand: q_(4) = 15 * .0095 / 4,
    # q_(6) = min(15*.0278/6, 15*.0298/7, 15*.0344/8, ...) = 15*.0298/7
    assert r.q_values[3] == pytest.approx(15 * 0.0095 / 4)
    assert r.q_values[5] == pytest.approx(15 * 0.0298 / 7)
    assert r.q_values[6] == pytest.approx(15 * 0.0298 / 7)
    assert (np.array(BH_1995) <= 0.05 / 15).sum() == 3  # Bonferroni
    # order of the input does not matter
    perm = np.random.default_rng(0).permutation(15)
    assert benjamini_hochberg(np.array(BH_1995)[perm]).rejected.sum() == 4


def _panel(rows: dict[str, list[float]], start: int = 2014) -> pd.DataFrame:
    recs = []
    for code, vals in rows.items():
        for k, v in enumerate(vals):
            recs.append({"divipola": code, "year": start + k, "hectares": v})
    return pd.DataFrame(recs)


def test_classification_rules():
    nan = float("nan")
    rows = {
        "05001": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],          # expanding
        "05002": [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],          # contracting
        "05003": [5, 6, 5, 6, 5, 6, 5, 6, 5, 6],           # stable
        "05004": [nan, 0, 0, 0, 0, 3, 4, 5, 6, 7],          # new (absent first 2, present last)
        "18001": [9, 8, 9, 7, 5, 4, 3, 2, nan, 0],          # abandoned (absent last 2)
        "18002": [nan] * 10,                               # absent
    }
    res = panel_trends(_panel(rows), years=(2014, 2023))
    cls = dict(zip(res.municipalities["divipola"], res.municipalities["class"], strict=True))
    assert cls == {"05001": "expanding", "05002": "contracting", "05003": "stable",
                   "05004": "new", "18001": "abandoned", "18002": "absent"}
    assert res.counts().sum() == 6 and list(res.counts().index) == list(CLASSES)
    dep = res.departments.set_index("department")
    # department 05 total: sum of the four rows in 2014 and 2023 (NaN = 0)
    assert dep.loc["05", "first"] == 1 + 10 + 5 + 0 and dep.loc["05", "last"] == 10 + 1 + 6 + 7
    assert dep.loc["05", "municipalities"] == 4 and dep.loc["18", "n_abandoned"] == 1
    assert "edge" not in res.rules["new"] and "2 years" in res.rules["new"]
    names = panel_trends(_panel(rows), departments={c: "A" if c < "1" else "B" for c in rows})
    assert set(names.departments["department"]) == {"A", "B"}


def test_window_and_bad_input():
    df = _panel({"05001": [1, 2, 3, 4, 5], "05002": [1, 1, 2, 2, 3]})
    r = panel_trends(df, years=(2015, 2017))
    assert r.years == (2015, 2016, 2017) and r.edge == 1
    with pytest.raises(InputError, match="at least 3 years"):
        panel_trends(df, years=(2015, 2016))
    with pytest.raises(InputError, match="2019, 2020"):
        panel_trends(df, years=(2014, 2020))
    with pytest.raises(InputError, match="duplicated"):
        panel_trends(pd.concat([df, df.head(1)]))
    with pytest.raises(SchemaError, match="hectares"):
        panel_trends(df.drop(columns="hectares"))


@pytest.mark.slow
def test_false_discovery_rate_is_controlled_in_simulation():
    rng = np.random.default_rng(99)
    years = np.arange(2014, 2025)
    n_null, n_true, reps = 270, 30, 40
    fdp, power = [], []
    for _ in range(reps):
        null = rng.gamma(2.0, 50.0, size=(n_null, years.size))
        trend = rng.gamma(2.0, 50.0, size=(n_true, years.size)) + 60.0 * np.arange(years.size)
        x = np.vstack([null, trend])
        out = series_trends(x, years)
        rej = benjamini_hochberg(out["p_value"].to_numpy(), 0.05).rejected
        fdp.append(rej[:n_null].sum() / max(rej.sum(), 1))
        power.append(rej[n_null:].mean())
    assert np.mean(fdp) <= 0.05 + 0.02
    assert np.mean(power) > 0.8
