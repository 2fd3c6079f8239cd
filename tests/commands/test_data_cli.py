import json

import pytest


def test_data_list_json(run_cli):
    res = run_cli("data", "list", "--format", "json")
    assert res.exit_code == 0
    names = [r["name"] for r in json.loads(res.stdout)]
    assert {"coca-municipal", "coca-national", "territories", "pdet", "spraying", "labs", "provenance"} <= set(names)


def test_data_show_filters_json_records(run_cli):
    res = run_cli("data", "show", "coca-municipal", "--municipality", "tibu", "--year", "2019-2020", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["year"] for r in rows] == [2019, 2020]
    assert rows[0]["municipality"] == "Tibú" and isinstance(rows[0]["hectares"], float)


def test_data_show_missing_is_null(run_cli):
    res = run_cli("data", "show", "coca-municipal", "--municipality", "91405", "--year", "2024", "--format", "json")
    assert json.loads(res.stdout)[0]["hectares"] is None


def test_data_show_department_csv(run_cli):
    res = run_cli("data", "show", "coca-municipal", "--department", "narino", "--year", "2023", "--format", "csv")
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("divipola,municipality,department,year,hectares")
    assert all(",Nariño," in ln for ln in lines[1:])


def test_provenance_shown(run_cli):
    res = run_cli("data", "show", "provenance", "--format", "json")
    assert res.exit_code == 0
    assert any("SIMCI" in r["publisher"] for r in json.loads(res.stdout))


def test_territory_find(run_cli):
    res = run_cli("territory", "find", "tibu", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)[0]["divipola"] == "54810"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("data", "show", "coca-nacional"), "did you mean: coca-national"),
        (("data", "show", "coca-municipal", "--year", "1990"), "valid years: 2001-2024"),
        (("data", "show", "coca-municipal", "--municipality", "tibuu"), "did you mean: Tibú"),
        (("data", "show", "coca-municipal", "--department", "narinyo"), "did you mean"),
        (("territory", "find", "xqzw"), "no municipality named 'xqzw'"),
    ],
)
def test_bad_input_exits_2_with_one_line(run_cli, args, needle):
    res = run_cli(*args)
    assert res.exit_code == 2
    assert needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_demo_prints_series_and_top10(run_cli):
    res = run_cli("demo", "--no-report")  # the report part: tests/report/test_report_cli.py
    assert res.exit_code == 0
    assert "245,000" in res.stdout and "143,000" in res.stdout
    assert "San Andrés de Tumaco" in res.stdout and "Tibú" in res.stdout


def test_municipality_outside_the_department_is_an_error_not_an_empty_table(run_cli):
    res = run_cli("data", "show", "coca-municipal", "--department", "antioquia",
                  "--municipality", "tibu", "--year", "2024", "--format", "csv")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --municipality: Tibú (54810) is in Norte de Santander, not in Antioquia; "
        "drop --department or correct one of the two"
    ]
    assert res.stdout == ""


def test_department_settles_a_municipality_name_shared_by_several(run_cli):
    res = run_cli("data", "show", "territories", "--department", "narino",
                  "--municipality", "la union", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [(r["divipola"], r["department"]) for r in rows] == [("52399", "Nariño")]


def test_backwards_year_range_is_named_as_such(run_cli):
    res = run_cli("data", "show", "coca-municipal", "--year", "2020-2015")
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        "error: --year: the range '2020-2015' runs backwards; write 2015-2020"
    ]


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_limit_below_one_is_refused(run_cli, limit):
    # pandas' head(-5) would have shown every row but the last five
    res = run_cli("data", "show", "coca-national", "--limit", limit)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--limit" in lines[0]


def test_territory_find_without_close_match_says_what_to_type(run_cli):
    res = run_cli("territory", "find", "qqqqqq")
    assert res.exit_code == 2
    assert "5-digit DIVIPOLA code" in res.stderr and "territory find" not in res.stderr


def test_demo_first_year_names_the_option_and_valid_years(run_cli):
    res = run_cli("demo", "--year", "2001", "--no-report")
    assert res.exit_code == 2
    assert res.stderr.startswith("error: --year:") and "2002-2024" in res.stderr


def test_national_figures_as_known_on_a_date(run_cli):
    import json

    rows = json.loads(run_cli("data", "show", "coca-national", "--as-of", "2021-06-30", "--year", "2020",
                              "--format", "json").stdout)
    area = {r["source_key"]: r for r in rows if r["metric"] == "coca_area"}
    assert area["unodc"]["value"] == 143_000 and area["unodc"]["released"] == "2021-06"
    assert area["us"]["value"] == 245_000 and area["us"]["released"] == "2021-06-25"
    for r in rows:
        assert r["released"] and r["publication"] and r["seen_via"]
    before = json.loads(run_cli("data", "show", "coca-national", "--as-of", "2021-06-20", "--year", "2020",
                                "--format", "json").stdout)
    assert not [r for r in before if r["source_key"] == "us" and r["metric"] == "coca_area"]
    every = json.loads(run_cli("data", "show", "coca-national", "--all-vintages", "--format", "json").stdout)
    latest = json.loads(run_cli("data", "show", "coca-national", "--format", "json").stdout)
    assert len(every) == 172 and len(latest) < len(every) and all(r["latest"] for r in latest)
    res = run_cli("data", "show", "labs", "--as-of", "2021-06-30")
    assert res.exit_code == 2 and "apply to coca-national" in res.stderr and len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith("error: --as-of/--vintage/--all-vintages:")
