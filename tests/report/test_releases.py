"""The report's national figures as known on a date, and charts that never join across a gap or a break."""

import math

import pytest

from cocamonitor.report.build import ReportInputs
from cocamonitor.report.figures import ChartSpec, Series, gapped


def test_report_inputs_as_of_take_the_releases_known_then():
    then = ReportInputs.from_datasets(maps=False, as_of="2021-06-30")
    assert then.series["us_area"].loc[2020] == 245_000 and then.as_of == "2021-06-30"
    assert 2020 not in ReportInputs.from_datasets(maps=False, as_of="2021-06-20").series["us_area"].index
    # the results table's national rows are one release per figure, all usable as "latest" then
    nat = then.national
    assert not nat.duplicated(["source_key", "metric", "year"]).any() and nat["latest"].all()
    assert (nat["known_from"] <= "2021-06-30").all()


def test_lines_break_at_missing_years_and_method_changes():
    x, y = gapped([2003, 2004, 2005, 2006, 2008], [1, 2, 3, 4, 5], breaks=[2005])
    # a NaN between 2004 and 2005 (new method) and between 2006 and 2008 (2007 missing)
    nan_at = [xi for xi, yi in zip(x, y, strict=True) if math.isnan(yi)]
    assert nan_at == [2004.5, 2007.0]
    spec = ChartSpec("t", "t", (Series("s", [2003, 2004, 2005], [1.0, 2.0, 3.0], breaks=(2005.0,)),))
    trace = spec.to_plotly("en").data[0]
    assert list(trace.y) == [1.0, 2.0, None, 3.0] and trace.connectgaps is False


@pytest.mark.parametrize("breaks", [(), (2005.0,)])
def test_categorical_lines_are_left_alone(breaks):
    x, y = ["a", "b"], [1.0, 2.0]
    spec = ChartSpec("t", "t", (Series("s", x, y, breaks=breaks),))
    assert list(spec.to_plotly("en").data[0].y) == y
