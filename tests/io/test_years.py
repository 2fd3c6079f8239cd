"""One grammar for years typed by users."""

import pytest

from cocamonitor.errors import InputError
from cocamonitor.io.years import MAX_YEARS, parse_year_span, parse_years


@pytest.mark.parametrize("text, years", [
    ("2024", [2024]), (" 2019 - 2021 ", [2019, 2020, 2021]), ("2019:2020", [2019, 2020]),
    ("2023,2019-2020,2020", [2019, 2020, 2023]),
])
def test_years_ranges_and_lists(text, years):
    assert parse_years(text) == years


def test_a_span_is_one_year_or_one_range():
    assert parse_year_span("2015-2024") == (2015, 2024) and parse_year_span("2024") == (2024, 2024)
    with pytest.raises(InputError, match="or a range"):
        parse_year_span("2019,2020")


@pytest.mark.parametrize("text, message", [
    ("20x4", "cannot read the years '20x4'"), ("2024-2015", "runs backwards; write 2015-2024"),
    ("2019,,2020", "cannot read"), ("1800-2100", f"names 301 years; at most {MAX_YEARS}"),
    ("24", "cannot read"),
])
def test_bad_years_say_how_to_write_them(text, message):
    with pytest.raises(InputError, match=message) as err:
        parse_years(text, where="--year")
    assert err.value.where == "--year" and "\n" not in str(err.value)


@pytest.mark.parametrize("argv", [
    ("data", "show", "coca-municipal", "--year", "2024-2015"),
    ("production", "explain", "--years", "2024-2015"),
    ("indicators", "show", "--years", "2024-2015"),
    ("trend", "test", "--years", "2024-2015"),
    ("simulate", "compare", "--years", "2024-2015"),
])
def test_every_command_reads_years_the_same_way(run_cli, argv):
    res = run_cli(*argv)
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("the range '2024-2015' runs backwards; write 2015-2024"), res.stderr
