import pandas as pd
import pytest

from cocamonitor.errors import DataError, InputError, SchemaError
from cocamonitor.io.tables import parse_decimal_column, read_table


@pytest.mark.parametrize(
    ("cells", "convention", "expected"),
    [
        (["1.088,88", "61,45", "", "12"], "comma", [1088.88, 61.45, None, 12.0]),
        (["12.345,6", "7"], "comma", [12345.6, 7.0]),
        (["1088.88", "61.45", "12"], "dot", [1088.88, 61.45, 12.0]),
        (["1,088.88", "5.5"], "dot", [1088.88, 5.5]),
        (["1.088", "2.5"], "dot", [1.088, 2.5]),  # 2.5 settles it: dot decimal
        (["1.088", "2,5"], "comma", [1088.0, 2.5]),  # 2,5 settles it: comma decimal
        (["3", "4"], "dot", [3.0, 4.0]),
        (["1,088", "12.5"], "dot", [1088.0, 12.5]),  # 12.5 settles it: 1,088 has a thousands comma
        (["1,088", "2,5"], "comma", [1.088, 2.5]),  # 2,5 settles it: 1,088 has a decimal comma
    ],
)
def test_both_number_conventions(cells, convention, expected):
    parsed, conv = parse_decimal_column(pd.Series(cells, dtype=object).replace("", None))
    assert conv == convention
    got = [None if pd.isna(v) else v for v in parsed]
    assert got == pytest.approx(expected) if None not in expected else got == expected


def test_mixed_conventions_in_one_column_refused():
    with pytest.raises(DataError, match="mixes decimal conventions"):
        parse_decimal_column(pd.Series(["1.088,88", "1088.88"]), column="2020", source="t.csv")


def test_ambiguous_column_refused():
    with pytest.raises(DataError, match=r"t.csv line 2, column 'x'.*thousands separator"):
        parse_decimal_column(pd.Series(["1.088", "2.345"]), column="x", source="t.csv")


def test_unreadable_number_names_line_and_column():
    with pytest.raises(DataError, match=r"line 3, column 'area'.*'abc'"):
        parse_decimal_column(pd.Series(["1", "abc"]), column="area", source="a.csv")


def test_read_table_checks(tmp_path):
    p = tmp_path / "areas.csv"
    p.write_text("stratum,area\nA,10\nB,-3\n")
    with pytest.raises(DataError, match=r"areas.csv line 3, column 'area': negative"):
        read_table(p, required=["stratum", "area"], numeric=["area"], non_negative=["area"])
    with pytest.raises(SchemaError, match="missing column"):
        read_table(p, required=["stratum", "weight"])
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    p.write_text("stratum,area\nA,\n")
    with pytest.raises(DataError, match="line 2, column 'area': blank"):
        read_table(p, required=["stratum", "area"], numeric=["area"])
    p.write_text('stratum,area\nA,"1.088,5"\nB,"2,25"\n')
    df = read_table(p, required=["stratum", "area"], numeric=["area"])
    assert df["area"].tolist() == [1088.5, 2.25]


def test_line_with_more_fields_than_header_is_named(tmp_path):
    p = tmp_path / "sample.csv"
    p.write_text("stratum,reference_class,area\nA,coca,1,5\nB,other,2\n")
    with pytest.raises(InputError, match=r"sample.csv: line 2 has 4 fields but the header has 3.*quote"):
        read_table(p, required=["stratum"])


def test_semicolon_delimited_with_comma_decimals(tmp_path):
    p = tmp_path / "areas.csv"
    p.write_text("stratum;area\ncoca;1.088,5\nother;2,25\n", encoding="utf-8-sig")
    df = read_table(p, required=["stratum", "area"], numeric=["area"])
    assert df["stratum"].tolist() == ["coca", "other"] and df["area"].tolist() == [1088.5, 2.25]


def test_positions_not_labels_in_error_lines():
    s = pd.Series(["1", "x"], index=["a", "b"])
    with pytest.raises(DataError, match="line 3"):
        parse_decimal_column(s, column="v", source="t.csv")


def test_lone_comma_with_three_digits_is_ambiguous_not_mixed():
    # "1,088" alone is 1.088 or 1088; it used to be reported as mixing conventions with itself
    with pytest.raises(DataError, match=r"t.csv line 2, column 'x'.*thousands separator"):
        parse_decimal_column(pd.Series(["1,088", "1,500"]), column="x", source="t.csv")


def test_mixed_conventions_name_the_lines():
    with pytest.raises(DataError, match=r"'1,5' on line 2 but '2.5' on line 3\)"):
        parse_decimal_column(pd.Series(["1,5", "2.5"]), column="x", source="t.csv")
