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


def test_trend_section_uses_the_census_up_to_the_report_year(report_data, coca):
    from cocamonitor.trends import census_sensitivity, mann_kendall

    trends = report_data.extras["trends"]
    census = coca.groupby("year")["hectares"].sum()
    window = census.loc[YEAR - 9 : YEAR]
    mk = mann_kendall(window)
    row = trends["table"].set_index("series").loc["simci_window"]
    assert (row["first"], row["last"], row["s"]) == (YEAR - 9, YEAR, mk.s)
    assert row["p_value"] == pytest.approx(mk.p)
    assert trends["summary"]["trend"] == mk.trend
    # no later year leaks into a report on an earlier year
    assert (trends["table"]["last"] <= YEAR).all()
    crit = census_sensitivity(census[YEAR - 1], census[YEAR]).critical_relative_error
    assert trends["change"]["critical_relative_error"] == pytest.approx(crit)


def test_disagreement_steps_are_opposite_moves_and_flat_steps_apart(report_data):
    cmp = report_data.extras["trends"]["comparison"].dropna(subset=["prev_year"])
    steps = report_data.extras["trends"]["disagree_steps"]
    prod = np.sign(cmp["change_unodc_pct"].astype(float)) * np.sign(cmp["change_us_pct"].astype(float))
    names = [f"{int(p)}-{int(y)}" for p, y in zip(cmp["prev_year"], cmp["year"], strict=True)]
    breaks = set(report_data.extras["trends"]["break_steps"])
    assert breaks == {"2004-2005", "2005-2006"}  # the US survey area grew in 2005 and 2006
    assert steps == [n for n, s in zip(names, prod, strict=True) if s < 0 and n not in breaks]
    assert report_data.extras["trends"]["flat_steps"] == [
        n for n, s in zip(names, prod, strict=True) if s == 0 and n not in breaks]
    assert "2020-2021" in steps  # US -4.5 % vs UNODC +43 % (methodology.md B.3)


def test_production_section_runs_both_scenarios_like_for_like(report_data):
    section = report_data.extras["production"]
    prod = section["summary"]
    sc = section["scenarios"].set_index(["scenario", "year"])
    area = report_data.national_area
    # preset: the chain is linear in the area; UNODC 2020 gave 1,228 t on 143,000 ha
    assert prod["preset"] == "unodc-2020"  # the latest preset on or before 2022
    assert sc.loc[("preset", YEAR), "point"] == pytest.approx(1228 * area / 143000, rel=0.005)
    # implied: UNODC's latest published pair known today (2023: 2,664 t on 253,000 ha)
    assert sc.loc[("implied", YEAR), "point"] == pytest.approx(area * 2664 / 253000, rel=1e-9)
    # the summary quotes the implied scenario (newer than the 2020 chain) and says why
    assert prod["scenario"] == "implied" and prod["reason"] == "newer_pair"
    assert prod["point"] == sc.loc[("implied", YEAR), "point"]
    assert prod["lo"] < prod["median"] < prod["hi"]
    # like for like: the year before with the same scenario, draws and statistic differs only by area
    prev_area = float(report_data.national_series.set_index("year").loc[YEAR - 1, "simci_municipal_sum"])
    for name in ("preset", "implied"):
        ratio = sc.loc[(name, YEAR - 1), "point"] / sc.loc[(name, YEAR), "point"]
        assert ratio == pytest.approx(prev_area / area, rel=1e-9)
    assert prod["previous"]["year"] == YEAR - 1
    assert prod["published"] == 1738  # UNODC's published 2022 figure, shown alongside
    sens = section["sensitivity"]
    assert sens["first_order"].between(0, 1.05).all()
    assert (sens["first_order"] > 0).sum() >= 4  # every uncertain factor has a share
    assert sens.iloc[0]["parameter"] == "leaf_yield"


def test_production_is_reproducible(inputs):
    from cocamonitor.report.sections import production_section

    a = production_section(YEAR, inputs)["summary"]
    b = production_section(YEAR, inputs)["summary"]
    assert a == b


def test_pdet_counts_municipalities_with_coca_this_year(report_data):
    muni = report_data.municipalities
    table = report_data.pdet.set_index("pdet_subregion")
    with_coca = muni[(muni["hectares"] > 0) & muni["pdet"]]
    assert table.loc["PDET total", "municipalities"] == len(with_coca)
    assert table.loc["PDET total", "municipalities"] + table.loc["non-PDET", "municipalities"] == (
        report_data.n_municipalities
    )


def test_summary_names_the_quoted_scenario_and_the_previous_year_like_for_like(inputs):
    # 2024 is estimated with the 2020 productivity; UNODC's last figure (2023) used newer
    # productivity, so printing 2,245 t alone reads as a fall in production from 2,664 t
    from cocamonitor.report import build_report_data, summary_text
    from cocamonitor.report.sections import extra_sections

    pub = datasets.national_series("unodc", "production")
    last = int(pub.index.max())
    assert last < 2024
    data = build_report_data(2024, inputs, extras=extra_sections(2024, inputs))
    prod = data.extras["production"]["summary"]
    assert prod["published"] is None and prod["preset_year"] < last
    assert prod["later_published"] == {"year": last, "value": float(pub[last])}
    en = " ".join(summary_text(data, "en").split())
    es = " ".join(summary_text(data, "es").split())
    # the summary names the scenario it quotes and why, the previous year like for like, and the other scenario
    assert "in the scenario “UNODC's latest implied productivity”, quoted because" in en
    assert "en el escenario «Última productividad implícita de UNODC», citado porque" in es
    assert "with the same scenario, draws and statistic, 2023 gives" in en
    assert "the scenario “Published productivity (unodc-2020)” gives" in en
    assert f"UNODC's latest published figure is {pub[last]:,.0f} t for {last}" in en
    assert f"La última cifra publicada por UNODC es de {pub[last]:,.0f} t".replace(",", ".") + f" para {last}" in es
    assert prod["point"] > pub[last]  # 2024's area grew: no artefact fall from switching parameters


def test_no_comparability_clause_when_unodc_published_the_year(report_data):
    prod = report_data.extras["production"]["summary"]
    assert prod["published"] == 1738 and prod["later_published"] is None


def test_summary_prints_a_tiny_trend_p_value_as_less_than(report_data):
    import dataclasses

    from cocamonitor.report import summary_text

    trends = report_data.extras["trends"]
    tiny = {**trends, "summary": {**trends["summary"], "p_value": 2.8e-7}}  # 10 rising years, exact
    data = dataclasses.replace(report_data, extras={**report_data.extras, "trends": tiny})
    assert "(p < 0,001;" in summary_text(data, "es") and "p = 0,000" not in summary_text(data, "es")
    assert "(p < 0.001;" in summary_text(data, "en")
    assert f"(p = {trends['summary']['p_value']:.3f};" in summary_text(report_data, "en")
