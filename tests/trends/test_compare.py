"""Two series side by side: alignment on common years, agreement, significance by own errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cocamonitor.errors import InputError
from cocamonitor.trends import compare_series


def _s(values: dict[int, float], unit: str | None = "ha") -> pd.Series:
    s = pd.Series(values, dtype=float)
    if unit:
        s.attrs["unit"] = unit
    return s


def test_alignment_agreement_and_correlation():
    a = _s({2000: 100, 2001: 120, 2002: 110, 2003: 130, 2004: 150, 2006: 140})
    b = _s({2001: 200, 2003: 230, 2004: 220, 2005: 240, 2006: 210})
    r = compare_series(a, b, names=("unodc", "us"))
    assert r.common_years == (2001, 2003, 2004, 2006)
    assert r.only_a == (2000, 2002) and r.only_b == (2005,)
    t = r.table
    assert t["prev_year"].tolist()[1:] == [2001, 2003, 2004]
    # unodc 120 -> 130 -> 150 -> 140: + + - ; us 200 -> 230 -> 220 -> 210: + - -
    assert t["direction_unodc"].tolist()[1:] == [1, 1, -1]
    assert t["direction_us"].tolist()[1:] == [1, -1, -1]
    assert r.disagree_steps == ("2003-2004",)
    assert r.agreement_share == pytest.approx(2 / 3)
    pa = np.array([130 / 120 - 1, 150 / 130 - 1, 140 / 150 - 1]) * 100
    pb = np.array([230 / 200 - 1, 220 / 230 - 1, 210 / 220 - 1]) * 100
    assert t["change_unodc_pct"].tolist()[1:] == pytest.approx(pa.tolist())
    assert r.change_correlation == pytest.approx(np.corrcoef(pa, pb)[0, 1])
    assert t["ratio"].tolist() == pytest.approx([120 / 200, 130 / 230, 150 / 220, 140 / 210])
    # no SEs given: significance unknown, critical relative error given
    assert t["significant_us"].isna().all()
    crit = 30 / (stats.norm.ppf(0.975) * np.hypot(200, 230))
    assert t["critical_rel_error_us"].iloc[1] == pytest.approx(crit)
    d = r.to_dict()
    assert d["only_unodc"] == [2000, 2002] and len(d["table"]) == 4


def test_a_flat_step_neither_agrees_nor_disagrees():
    """An unchanged (rounded) figure has no direction: it is kept apart from the opposite moves
    and left out of the agreement share."""
    a = _s({2010: 50, 2011: 48, 2012: 48, 2013: 60, 2014: 70})
    b = _s({2010: 100, 2011: 90, 2012: 93, 2013: 90, 2014: 95})
    r = compare_series(a, b, names=("unodc", "us"))
    # steps: (-,-) agree; (0,+) flat; (+,-) opposite; (+,+) agree
    assert r.flat_steps == ("2011-2012",)
    assert r.disagree_steps == ("2012-2013",)
    assert r.agreement_share == pytest.approx(2 / 3)
    assert r.table["agree"].tolist()[1:] == [True, pd.NA, False, True]
    assert r.to_dict()["flat_steps"] == ["2011-2012"]
    flat_only = compare_series(_s({1: 5, 2: 5, 3: 5}), _s({1: 1, 2: 2, 3: 3}), names=("a", "b"))
    assert flat_only.agreement_share is None and flat_only.disagree_steps == ()


def test_significance_under_own_errors():
    a = _s({2001: 100, 2002: 130, 2003: 131})
    b = _s({2001: 100, 2002: 130, 2003: 131})
    se = pd.Series({2001: 6.0, 2002: 8.0, 2003: 8.0})
    r = compare_series(a, b, se_a=se, rel_error_b=0.5)
    # a: (130 - 100)/10 = 3 -> significant; 1/sqrt(128) -> not
    assert r.table["significant_a"].tolist()[1:] == [True, False]
    # b with 50 % relative error: sd = sqrt(50^2 + 65^2) > 30/1.96 -> not significant
    assert r.table["significant_b"].tolist()[1:] == [False, False]


def test_bad_input():
    with pytest.raises(InputError, match="mismatched units"):
        compare_series(_s({1: 1, 2: 2, 3: 3}), _s({1: 1, 2: 2, 3: 3}, unit="t"))
    with pytest.raises(InputError, match="share 2 year"):
        compare_series(_s({1: 1, 2: 2, 3: 3}), _s({2: 1, 3: 2, 4: 3}))
    dup = pd.Series([1.0, 2.0, 3.0], index=[2001, 2001, 2002])
    with pytest.raises(InputError, match="duplicate years: 2001"):
        compare_series(dup, _s({2001: 1, 2002: 2, 2003: 3}))
