"""The report's numbers, checked against the bundled data and against UNODC's published 2022 facts."""

import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.errors import InputError
from cocamonitor.report import ReportInputs, build_report_data

YEAR = 2022  # same as conftest.YEAR; checked by test_year_fixture


@pytest.fixture(scope="module")
def coca():
    return datasets.load("coca-municipal")


def test_national_total_matches_the_census_and_unodc(report_data, coca):
    total = coca.loc[coca["year"] == YEAR, "hectares"].sum()
    assert report_data.national_area == pytest.approx(total)
    # UNODC's 2022 survey: 230,000 ha (rounded), coca in 185 of 1,122 municipalities
    assert round(report_data.national_area, -3) == datasets.national_series("unodc", "area")[YEAR]
    assert report_data.n_municipalities == 185
    prev = coca.loc[coca["year"] == YEAR - 1, "hectares"].sum()
    assert report_data.change_ha == pytest.approx(total - prev)
    assert report_data.change_share == pytest.approx((total - prev) / prev)


def test_published_2022_facts(report_data):
    top = report_data.top
    assert top.iloc[0]["municipality"] == "Tibú"
    assert round(top.iloc[0]["hectares"], -3) == 22000  # UNODC: "about 22,000 ha in Tibú"
    dep = report_data.departments.set_index("department")
    three = dep.loc[["Nariño", "Norte de Santander", "Putumayo"], "hectares"].sum()
    assert three / report_data.national_area == pytest.approx(0.65, abs=0.005)  # UNODC: 65 %
    putumayo = dep.loc["Putumayo", "change_ha"] / report_data.change_ha
    assert putumayo == pytest.approx(0.77, abs=0.005)  # UNODC: 77 % of the increase


def test_departments_and_top20_are_sums_of_municipalities(report_data, coca):
    ter = datasets.load("territories").set_index("divipola")
    year = coca[coca["year"] == YEAR].fillna({"hectares": 0.0})
    by_dep = year.groupby(year["divipola"].map(ter["department"]))["hectares"].sum()
    got = report_data.departments.set_index("department")["hectares"]
    pd.testing.assert_series_equal(
        got[got > 0].sort_index(), by_dep[by_dep > 0].sort_index(), check_names=False
    )
    assert report_data.departments["share_of_national"].sum() == pytest.approx(1.0)
    expected = year.nlargest(20, "hectares")["divipola"].tolist()
    assert report_data.top["divipola"].tolist() == expected
    assert report_data.top["rank"].tolist() == list(range(1, 21))


def test_movers_are_the_largest_changes(report_data, coca):
    wide = coca.pivot(index="divipola", columns="year", values="hectares").fillna(0.0)
    change = (wide[YEAR] - wide[YEAR - 1]).sort_values()
    mv = report_data.movers
    assert mv.loc[mv["direction"] == "up", "divipola"].tolist() == change.index[::-1][:10].tolist()
    assert mv.loc[mv["direction"] == "down", "divipola"].tolist() == change.index[:10].tolist()


def test_pdet_table(report_data):
    pdet = datasets.load("pdet")
    muni = report_data.municipalities
    expected = muni.loc[muni["divipola"].isin(pdet["divipola"]), "hectares"].sum()
    table = report_data.pdet.set_index("pdet_subregion")
    assert table.loc["PDET total", "hectares"] == pytest.approx(expected)
    assert table.loc["PDET total", "hectares"] + table.loc["non-PDET", "hectares"] == (
        pytest.approx(report_data.national_area)
    )
    subs = table[table["kind"] == "subregion"]
    assert subs["hectares"].sum() == pytest.approx(expected)


def test_counternarcotics_ratios(report_data, coca):
    labs = datasets.load("labs")
    by_year = coca.groupby("year")["hectares"].sum()
    lb = report_data.labs_by_year.set_index("year")
    assert lb.index.min() == 2010 and lb.index.max() == 2024
    n = labs.loc[labs["year"] == YEAR, "quantity"].sum()
    assert lb.loc[YEAR, "quantity"] == n
    assert lb.loc[YEAR, "ratio"] == pytest.approx(1000 * n / by_year[YEAR])
    spray = datasets.load("spraying")
    sb = report_data.spraying_by_year.set_index("year")
    assert sb.index.max() == 2015  # spraying ended in 2015
    assert sb.loc[2012, "quantity"] == pytest.approx(spray.loc[spray["year"] == 2012, "quantity"].sum())
    assert report_data.spraying_year == 2015  # the report year has no spraying: show the last
    ld = report_data.labs_by_department
    assert ld["quantity"].sum() + report_data.labs_unlocated == n
    small = ld["coca_ha"] < 500
    assert ld.loc[small, "ratio"].isna().all()
    big = ld[~small]
    np.testing.assert_allclose(big["ratio"], 1000 * big["quantity"] / big["coca_ha"])


def test_national_series_side_by_side(report_data):
    ns = report_data.national_series.set_index("year")
    assert ns.loc[2020, "unodc_area"] == 143000 and ns.loc[2020, "us_area"] == 245000
    assert ns.loc[2020, "unodc_production"] == 1228
    src = report_data.series_sources
    assert set(src["series"]) == {"unodc_area", "us_area", "unodc_production", "us_production"}


def test_year_fixture(year):
    assert year == YEAR


def test_year_outside_the_census_is_an_input_error(inputs):
    with pytest.raises(InputError, match="valid choices: 2001-2024"):
        build_report_data(1999, inputs)


def test_first_year_has_no_change():
    data = build_report_data(2020, ReportInputs.example())
    assert data.previous_year is None
    assert np.isnan(data.change_ha)
    assert data.movers.empty
