"""Counternarcotics results table: known values from the bundled files, ratios, targets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cocamonitor import indicators as ind
from cocamonitor.datasets import data_path
from cocamonitor.errors import DataError, InputError, SchemaError, UnknownNameError


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return ind.results_table().to_frame()


def _row(df: pd.DataFrame, year: int, indicator: str, source: str, territory: str = "Colombia") -> pd.Series:
    hit = df[(df["year"] == year) & (df["indicator"] == indicator) & (df["source"] == source)
             & (df["territory"] == territory)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ----------------------------------------------------------------- known values, bundled data


def test_labs_2024_equal_the_bundled_mindefensa_file_and_the_report_figures(national):
    raw = pd.read_csv(data_path("labs.csv"), dtype={"divipola": str})
    labs_2024 = raw.loc[raw["year"] == 2024, "quantity"].sum()
    coca = pd.read_csv(data_path("coca_municipal.csv"), dtype={"divipola": str})
    coca_2024 = coca.loc[coca["year"] == 2024, "hectares"].sum()

    labs = _row(national, 2024, "labs_destroyed", "mindefensa")
    area = _row(national, 2024, "coca_area", "simci")
    ratio = _row(national, 2024, "labs_per_1000_ha_coca", "mindefensa / simci")
    assert labs["value"] == labs_2024 == 5233  # the report: 5,233 labs destroyed in 2024
    assert area["value"] == pytest.approx(coca_2024) and round(area["value"]) == 261386
    assert ratio["value"] == pytest.approx(1000 * 5233 / coca_2024)
    assert round(ratio["value"], 1) == 20.0
    assert labs["unit"] == "count" and "Defensa" in labs["publisher"]
    assert labs["citation"].startswith("https://www.mindefensa.gov.co")


def test_spraying_totals_match_sources_md_verification(national):
    # shared/data/raw/SOURCES.md section 3: 2003 135,811; 2012 100,678; 2015 36,494 ha
    for year, ha in ((2003, 135811), (2012, 100678), (2015, 36494)):
        assert round(_row(national, year, "aerial_spraying", "mindefensa")["value"]) == ha


def test_two_sources_for_one_indicator_are_both_shown(national):
    # 2021: MinDefensa events sum to 5,779; ONDCP reported "more than 5,700" from the government
    assert _row(national, 2021, "labs_destroyed", "mindefensa")["value"] == 5779
    gov = _row(national, 2021, "labs_destroyed", "gov-co")
    assert gov["value"] == 5700 and "lower bound" in gov["note"]
    assert gov["citation"].startswith("ONDCP release") and "https://www.whitehouse.gov/" in gov["citation"]
    # the 17 labs recorded in Peru (source code 01-51) are in the published total and said so
    note = _row(national, 2021, "labs_destroyed", "mindefensa")["note"]
    assert note == "includes 17 not located in a Colombian municipality (Peru, code 01-51)"
    note_2011 = _row(national, 2011, "labs_destroyed", "mindefensa")["note"]
    assert note_2011 == "includes 1 not located in a Colombian municipality (no location)"
    areas = national[(national["year"] == 2020) & (national["indicator"] == "coca_area")]
    assert dict(zip(areas["source"], areas["value"].round(), strict=True)) == {
        "simci": 142784.0, "unodc": 143000.0, "us": 245000.0}


def test_missing_years_stay_missing_with_a_note(national):
    us = _row(national, 2024, "coca_area", "us")
    assert np.isnan(us["value"]) and us["note"].startswith("missing:") and "2000-2021" in us["note"]
    res = ind.results_table((2014, 2016), indicators=["aerial_spraying"]).to_frame()
    sp = _row(res, 2016, "aerial_spraying", "mindefensa")
    assert np.isnan(sp["value"]) and "2003-2015" in sp["note"]
    labs_2009 = ind.results_table((2009, 2010), indicators=["labs_destroyed"]).to_frame()
    assert np.isnan(_row(labs_2009, 2009, "labs_destroyed", "mindefensa")["value"])
    assert not (national["value"] == 0).any() or set(national.loc[national["value"] == 0, "source"]) <= {
        "simci", "mindefensa"}


def test_a_source_without_figures_in_the_years_is_left_out_and_an_empty_indicator_says_so():
    res = ind.results_table((2020, 2021), indicators=["labs_destroyed", "aerial_spraying"]).to_frame()
    assert set(res.loc[res["indicator"] == "labs_destroyed", "source"]) == {"mindefensa", "gov-co"}
    spray = res[res["indicator"] == "aerial_spraying"]
    assert len(spray) == 2 and spray["value"].isna().all() and spray["source"].isna().all()
    assert spray["note"].str.contains("2003-2015").all()


def test_each_figure_keeps_the_citation_of_its_own_year(national):
    # the government's 2020 and 2023 seizure figures were reported on different pages: the 2023
    # row must not cite the 2020 article
    raw = pd.read_csv(data_path("coca_national.csv"))
    raw = raw[raw["latest"] & (raw["source_key"] == "gov-co") & (raw["metric"] == "cocaine_seizures")]
    cited = dict(zip(raw["year"], zip(raw["publication"], raw["released"], raw["citation"], strict=True),
                     strict=True))
    assert len({c[2] for c in cited.values()}) > 1
    for year, (publication, released, url) in cited.items():
        # the publication and its release date first, the page where it was seen second
        text = _row(national, year, "cocaine_seizures", "gov-co")["citation"]
        assert text == f"{publication.replace('; ', ', ')} ({released}), {url}"
    # a year without a figure cites nothing; the MinDefensa table is cited in every year it covers
    assert pd.isna(_row(national, 2024, "cocaine_seizures", "gov-co")["citation"])
    assert _row(national, 2009, "labs_destroyed", "mindefensa")["citation"].startswith("https://www.mindefensa")


def test_kg_figures_are_converted_to_tonnes(national):
    row = _row(national, 2004, "cocaine_seizures", "unodc")
    assert row["value"] == pytest.approx(149.297) and row["unit"] == "t"
    raw = pd.read_csv(data_path("coca_national.csv"))
    raw = raw[(raw["year"] == 2004) & (raw["metric"] == "cocaine_seizures_reported")].iloc[0]
    if raw["unit"] == "kg":  # converted here, and said so
        assert "converted from 149,297 kg" in row["note"]
    else:  # the raw table already converted it, and its note says so
        assert raw["unit"] == "t" and "149,297 kg" in row["note"]


def test_year_on_year_change(national):
    labs = _row(national, 2024, "labs_destroyed", "mindefensa")
    assert labs["change"] == 5233 - 5221
    assert labs["change_pct"] == pytest.approx(100 * 12 / 5221)
    assert np.isnan(_row(national, 2010, "labs_destroyed", "mindefensa")["change"])
    # the first year asked for still has its change on the year before
    first = ind.results_table((2024, 2024), indicators=["labs_destroyed"]).to_frame()
    assert first["change"].iloc[0] == 12


def test_department_totals_add_up_to_the_national_ones(national):
    dep = ind.results_table((2010, 2024), by="department").to_frame()
    for indicator, source in (("labs_destroyed", "mindefensa"), ("coca_area", "simci")):
        sums = dep[(dep["indicator"] == indicator) & (dep["source"] == source)].groupby("year")["value"].sum()
        nat = national[(national["indicator"] == indicator) & (national["source"] == source)
                       & national["year"].between(2010, 2024)].set_index("year")["value"]
        pd.testing.assert_series_equal(sums, nat, check_names=False)
    assert set(dep["indicator"]) <= {"coca_area", "aerial_spraying", "labs_destroyed", "heroin_seizures",
                                     "labs_per_1000_ha_coca", "sprayed_ha_per_ha_coca",
                                     "heroin_seizures_per_1000_ha_coca", "heroin_seizures_per_100k_inhabitants",
                                     "labs_destroyed_per_100k_inhabitants"}
    unassigned = dep[(dep["territory"] == ind.UNASSIGNED) & (dep["indicator"] == "labs_destroyed")]
    assert unassigned.loc[unassigned["year"] == 2021, "value"].iloc[0] == 17


def test_pdet_subregions_are_listed_and_flagged():
    res = ind.results_table((2024, 2024), by="pdet-subregion", indicators=["coca_area"])
    t = res.to_frame()
    assert t["territory"].nunique() == 16
    assert any("PDET" in n for n in res.notes)


# ------------------------------------------------------------- ratios on a tiny made-up frame


@pytest.fixture()
def tiny() -> ind.IndicatorInputs:
    from cocamonitor import datasets

    return ind.IndicatorInputs(
        municipal=pd.DataFrame({"divipola": ["54810", "86568", "54810", "86568"],
                                "year": [2020, 2020, 2021, 2021],
                                "hectares": [1000.0, np.nan, 2000.0, 400.0]}),
        national=datasets.load("coca-national").iloc[0:0],
        spraying=pd.DataFrame({"divipola": ["54810"], "year": [2020], "quantity": [500.0]}),
        labs=pd.DataFrame({"divipola": ["54810", "54810", "86568", None], "year": [2020, 2021, 2021, 2021],
                           "quantity": [5, 10, 3, 1]}),
        territories=datasets.load("territories"),
    )


def test_ratios_on_a_tiny_frame(tiny):
    t = ind.results_table(inputs=tiny).to_frame()
    assert _row(t, 2020, "labs_per_1000_ha_coca", "mindefensa / simci")["value"] == pytest.approx(5.0)
    assert _row(t, 2021, "labs_per_1000_ha_coca", "mindefensa / simci")["value"] == pytest.approx(
        1000 * 14 / 2400)
    assert _row(t, 2020, "sprayed_ha_per_ha_coca", "mindefensa / simci")["value"] == pytest.approx(0.5)
    sp = _row(t, 2021, "sprayed_ha_per_ha_coca", "mindefensa / simci")
    assert np.isnan(sp["value"]) and "aerial_spraying" in sp["note"]
    ratio = _row(t, 2021, "labs_per_1000_ha_coca", "mindefensa / simci")
    assert ratio["change"] == pytest.approx(1000 * 14 / 2400 - 5.0)

    dep = ind.results_table(inputs=tiny, by="department", min_coca_ha=500).to_frame()
    assert _row(dep, 2021, "labs_per_1000_ha_coca", "mindefensa / simci",
                "Norte de Santander")["value"] == pytest.approx(5.0)
    small = _row(dep, 2021, "labs_per_1000_ha_coca", "mindefensa / simci", "Putumayo")
    assert np.isnan(small["value"]) and "below 500 ha" in small["note"]
    none = _row(dep, 2020, "labs_per_1000_ha_coca", "mindefensa / simci", "Putumayo")
    assert np.isnan(none["value"]) and "no coca" in none["note"]
    assert _row(dep, 2020, "labs_destroyed", "mindefensa", "Putumayo")["value"] == 0  # inside coverage
    dep0 = ind.results_table(inputs=tiny, by="department").to_frame()
    assert _row(dep0, 2021, "labs_per_1000_ha_coca", "mindefensa / simci", "Putumayo")["value"] == 7.5


def test_per_coca_area_series_and_arrays():
    q = pd.Series([10.0, 3.0, np.nan, 4.0], index=list("abcd"))
    ha = pd.Series([2000.0, 0.0, 100.0, np.nan], index=list("abcd"))
    out = ind.per_coca_area(q, ha, per=1000.0)
    assert list(out.index) == list("abcd") and out["a"] == 5.0 and out[["b", "c", "d"]].isna().all()
    arr = ind.per_coca_area(np.array([1.0, 1.0]), np.array([400.0, 600.0]), min_coca_ha=500.0)
    assert np.isnan(arr[0]) and arr[1] == pytest.approx(1 / 600)


# --------------------------------------------------------------------------------- targets


def _write(tmp_path, text: str, name: str = "targets.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_targets_with_a_comma_decimal(tmp_path):
    p = _write(tmp_path, "year;indicator;target;direction\n"
                         "2024;labs_per_1000_ha_coca;20,5;\n"
                         "2024;labs_destroyed;5000;\n"
                         "2024;coca_area;250000;\n"
                         "2023;coca_area;260000;at_most\n")
    tg = ind.read_targets(p)
    assert tg["target"].tolist() == [20.5, 5000.0, 250000.0, 260000.0]
    res = ind.results_table((2023, 2024), indicators=["coca_area", "labs_destroyed", "labs_per_1000_ha_coca"],
                            targets=tg).to_frame()
    ratio = _row(res, 2024, "labs_per_1000_ha_coca", "mindefensa / simci")
    assert ratio["target"] == 20.5 and not ratio["met"]
    assert ratio["actual_over_target"] == pytest.approx(1000 * 5233 / 261386.17 / 20.5, rel=1e-6)
    assert _row(res, 2024, "labs_destroyed", "mindefensa")["met"]
    assert not _row(res, 2024, "coca_area", "simci")["met"]  # 261,386 ha above a 250,000 ha ceiling
    assert _row(res, 2023, "coca_area", "unodc")["met"]  # 253,000 <= 260,000: every source compared
    missing = _row(res, 2024, "coca_area", "unodc")
    assert missing["target"] == 250000 and pd.isna(missing["met"])  # no figure: neither met nor missed
    assert pd.isna(_row(res, 2023, "labs_destroyed", "mindefensa")["target"])


def test_targets_quoted_comma_decimal_and_years_outside(tmp_path):
    p = _write(tmp_path, 'year,indicator,target\n2024,labs_per_1000_ha_coca,"19,5"\n2030,labs_destroyed,6000\n')
    res = ind.results_table((2024, 2024), indicators=["labs_per_1000_ha_coca"], targets=ind.read_targets(p))
    assert res.to_frame()["met"].iloc[0]
    assert any("2030" in n for n in res.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year,indicator,target\n2024,labs_destroyed,5000\n2024,labs_destoyed,1\n",
         ["line 3", "column 'indicator'", "unknown indicator 'labs_destoyed'", "did you mean: labs_destroyed"]),
        ("year,indicator,target\n2024,labs_destroyed,5000\n2024,labs_destroyed,6000\n",
         ["line 3", "duplicate target", "also on line 2"]),
        ("year,indicator,target\n2024.5,labs_destroyed,5000\n", ["line 2", "column 'year'", "whole number"]),
        ("year,indicator,target\n2024,labs_destroyed,-5\n", ["line 2", "column 'target'", "negative"]),
        ("year,indicator,target\n2024,labs_destroyed,abc\n", ["line 2", "column 'target'", "'abc'"]),
        ("year,indicator,target\n2024,labs_destroyed,\n", ["line 2", "column 'target'", "blank"]),
        ("year,indicator\n2024,labs_destroyed\n", ["missing column(s) 'target'"]),
        ("year,indicator,target,direction\n2024,labs_destroyed,5,atleast\n",
         ["line 2", "column 'direction'", "did you mean: at_least"]),
        ("year,indicator,target\n", ["no targets"]),
    ],
)
def test_bad_targets_name_file_line_and_column(tmp_path, text, expected):
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        ind.read_targets(p)
    msg = str(err.value)
    assert str(p) in msg
    for part in expected:
        assert part in msg, msg


def test_target_for_a_territory_the_table_lacks(tmp_path):
    p = _write(tmp_path, "year,indicator,target,territory\n2024,labs_destroyed,100,Narino\n")
    with pytest.raises(InputError, match=r"line 2, column 'territory'"):
        ind.results_table((2024, 2024), targets=ind.read_targets(p))
    res = ind.results_table((2024, 2024), by="department", indicators=["labs_destroyed"],
                            targets=ind.read_targets(p)).to_frame()
    assert _row(res, 2024, "labs_destroyed", "mindefensa", "Nariño")["target"] == 100
    national = _write(tmp_path, "year,indicator,target\n2024,labs_destroyed,100\n", "n.csv")
    with pytest.raises(InputError, match="`by` national"):
        ind.results_table((2024, 2024), by="department", targets=ind.read_targets(national))


# ----------------------------------------------------------------------------- bad arguments


def test_bad_arguments():
    with pytest.raises(InputError, match="Zonas Futuro"):
        ind.results_table(by="zona-futuro")
    with pytest.raises(UnknownNameError, match="did you mean: department"):
        ind.results_table(by="departmnt")
    with pytest.raises(InputError, match="outside the data"):
        ind.results_table((1990, 1995))
    with pytest.raises(UnknownNameError, match="did you mean: labs_destroyed"):
        ind.results_table(indicators=["labs"])
    assert issubclass(SchemaError, InputError) and issubclass(DataError, InputError)


def test_to_dict_is_plain_json():
    res = ind.results_table((2021, 2023), indicators=["coca_area"])
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["level"] == "national" and doc["years"] == [2021, 2023]
    us = {r["year"]: r["value"] for r in doc["indicators"] if r["source"] == "us"}
    assert us == {2021: 234000.0, 2022: None, 2023: None}


def test_list_indicators_names_every_indicator_once():
    t = ind.list_indicators()
    assert t["indicator"].tolist() == [i.name for i in ind.INDICATORS]
    assert t.set_index("indicator").loc["labs_destroyed", "by_territory"]
    assert not t.set_index("indicator").loc["cocaine_seizures", "by_territory"]


def test_the_report_and_this_table_give_the_same_labs_per_1000_ha(national):
    from cocamonitor.report.build import ReportInputs, build_report_data

    data = build_report_data(2024, ReportInputs.from_datasets(maps=False))
    report = data.labs_by_year.set_index("year")["ratio"]
    mine = national[(national["indicator"] == "labs_per_1000_ha_coca")
                    & (national["source"] == "mindefensa / simci")].set_index("year")["value"]
    pd.testing.assert_series_equal(mine.reindex(report.index), report, check_names=False)
