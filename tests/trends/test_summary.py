import json

import pytest

from cocamonitor.errors import InputError, UnknownNameError
from cocamonitor.trends.summary import national_trend_document, parse_year_range, select_years


def test_document_is_what_trend_test_prints(run_cli):
    res = run_cli("trend", "test", "--source", "us", "--years", "2010-2021", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout) == json.loads(json.dumps(national_trend_document("us", "area", "2010-2021")))


def test_gaps_are_named_and_can_be_skipped():
    with pytest.raises(InputError, match="no figure for 2003"):
        national_trend_document("unodc", "production", "2001-2005")
    doc = national_trend_document("unodc", "production", "2001-2005", skip_missing=True)
    assert doc["series"]["missing_years"] == [2003] and doc["series"]["years"] == [2001, 2002, 2004, 2005]


def test_bad_names_and_ranges():
    with pytest.raises(UnknownNameError, match="did you mean: unodc"):
        national_trend_document("unodcc", "area")
    with pytest.raises(InputError, match="FIRST-LAST"):
        parse_year_range("2019")
    with pytest.raises(InputError, match="runs backwards"):
        parse_year_range("2020-2019")


def test_select_years_outside_range():
    import pandas as pd

    s = pd.Series([1.0, 2.0, 3.0], index=[2001, 2002, 2003], name="x")
    assert select_years(s, "2002-2003").tolist() == [2.0, 3.0]
    with pytest.raises(InputError, match="outside the years"):
        select_years(s, "1999-2002")
