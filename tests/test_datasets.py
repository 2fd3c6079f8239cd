import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.errors import InputError, UnknownNameError

# UNODC national totals (31 December), as published (methodology.md A.6; SOURCES.md 1).
PUBLISHED_UNODC_HA = {2019: 154_000, 2020: 143_000, 2021: 204_000, 2022: 230_000, 2023: 253_000}


@pytest.mark.parametrize(("year", "published"), sorted(PUBLISHED_UNODC_HA.items()))
def test_municipal_sums_match_published_national_totals(year, published):
    coca = datasets.load("coca-municipal")
    total = coca.loc[coca["year"] == year, "hectares"].sum()
    assert abs(total - published) / published < 0.005


def test_comma_decimal_year_2020_parsed_not_as_thousands():
    coca = datasets.load("coca-municipal").set_index(["divipola", "year"])["hectares"]
    # raw 2020 cells "1.088,88"-style; Tibú (54810) in 2020 must be in the thousands, not 1e6+
    assert 1_000 < coca.loc[("54810", 2020)] < 50_000
    # year-on-year ratio of the national sum stays plausible across the 2020 column
    nat = datasets.load("coca-municipal").groupby("year")["hectares"].sum()
    assert 0.5 < nat[2020] / nat[2019] < 1.5 and 0.5 < nat[2021] / nat[2020] < 1.6


def test_blank_kept_distinct_from_zero():
    coca = datasets.load("coca-municipal")
    assert coca["hectares"].isna().any()
    assert len(coca) == 319 * 24
    assert coca["divipola"].str.fullmatch(r"\d{5}").all()
    # 2022: 185 municipalities with coca reported (UNODC: "185 of 1,122")
    assert (coca.loc[coca.year == 2022, "hectares"] > 0).sum() == 185


def test_every_release_is_kept_and_latest_is_unique_per_figure():
    nat = datasets.load("coca-national")
    assert len(nat) == 172  # one row per figure and release, as in the raw table
    latest = nat[nat["latest"]]
    assert not latest.duplicated(["source_key", "metric", "year"]).any()
    assert set(nat["seen_via"].str.split(r"[: (]").str[0]) <= {"primary", "primary-copy", "secondary"}
    assert nat["publication"].notna().all() and nat["released"].notna().all()
    us = datasets.national_series("us", "production")
    assert us.loc[2017] == 900.0  # June 2019 revision, not the 921 t first release
    assert us.attrs["unit"] == "t" and us.attrs["citations"][2017].startswith(("http", "github"))
    assert us.attrs["releases"][2017] == "2019-06-26" and us.attrs["vintage"] == "latest"
    first = datasets.national_series("us", "production", vintage="first")
    assert first.loc[2017] == 921.0 and first.attrs["releases"][2017] == "2018-06-25"


def test_as_of_gives_the_figures_known_on_a_date():
    # the working group's question: what did each government's numbers say on 30 June 2021?
    t = datasets.national_figures(as_of="2021-06-30")
    pick = t.set_index(["source_key", "metric", "year"])
    unodc = pick.loc[("unodc", "coca_area", 2020)]
    assert unodc["value"] == 143_000 and unodc["released"] == "2021-06"  # June release, not the July report
    assert pick.loc[("us", "coca_area", 2020)]["released"] == "2021-06-25"
    assert ("us", "coca_area", 2020) not in datasets.national_figures(as_of="2021-06-20").set_index(
        ["source_key", "metric", "year"]).index
    # a release dated by month only counts from the month's last day
    assert ("unodc", "coca_area", 2020) not in datasets.national_figures(as_of="2021-06-29").set_index(
        ["source_key", "metric", "year"]).index
    # revisions: UNODC 2016 production was 866 t until the September 2018 release gave 1,053 t
    prod = datasets.national_series("unodc", "production", as_of="2018-09-18")
    assert prod.loc[2016] == 866 and 2017 not in prod.index
    assert datasets.national_series("unodc", "production", as_of="2018-09-19").loc[2016] == 1053


def test_as_of_and_vintage_bad_input():
    with pytest.raises(InputError, match="not a date"):
        datasets.national_figures(as_of="30/06/2021")
    with pytest.raises(InputError, match="before the first release"):
        datasets.national_figures(as_of="1999-01-01")
    with pytest.raises(UnknownNameError, match="latest, first, as-of"):
        datasets.national_figures(vintage="newest")
    with pytest.raises(InputError, match="needs a date"):
        datasets.national_figures(vintage="as-of")


def test_method_breaks_are_data_with_their_publication():
    breaks = datasets.load("national-breaks")
    assert set(breaks["kind"]) <= {"coverage", "revision"} and breaks["publication"].notna().all()
    assert datasets.national_series("us", "area").attrs["breaks"] == [2005, 2006]
    # a revision splits a series only where the years either side come from releases on both sides
    assert datasets.national_series("us", "production").attrs["breaks"] == [2007, 2008]
    assert datasets.national_series("unodc", "area").attrs["breaks"] == []


def test_national_series_values():
    assert datasets.national_series("unodc", "area").loc[2020] == 143_000
    assert datasets.national_series("us", "area").loc[2020] == 245_000
    assert datasets.national_series("unodc", "production").loc[2020] == 1_228


def test_every_dataset_has_provenance_with_publisher_and_source():
    prov = datasets.load("provenance").set_index("dataset")
    for name in datasets.list_datasets():
        if name == "provenance":
            continue
        assert name in prov.index, name
        row = prov.loc[name]
        for col in ["publisher", "original_source", "obtained_from", "licence", "caveats", "title_es", "caveats_es"]:
            assert isinstance(row[col], str) and row[col].strip(), (name, col)
    assert prov["raw_sha256"].str.fullmatch(r"[0-9a-f]{64}( [0-9a-f]{64})*").all()


def test_events_tables_units_and_totals():
    spray = datasets.load("spraying")
    labs = datasets.load("labs")
    assert set(spray["unit"]) == {"ha"} and set(labs["unit"]) == {"count"}
    # SOURCES.md 3 verification totals
    by_year = spray.groupby("year")["quantity"].sum().round()
    assert by_year[2003] == 135_811 and by_year[2015] == 36_494
    # SOURCES.md 4 totals include 4 rows in Peru (18 labs in 2023, 9 in 2024) that we drop
    labs_year = labs.groupby("year")["quantity"].sum()
    assert labs_year[2021] == 5_779
    assert labs_year[2023] + 18 == 5_239 and labs_year[2024] + 9 == 5_242
    assert labs["divipola"].isna().sum() == 1  # the 'SIN ESTABLECER' event is kept


def test_registry_and_boundaries():
    reg = datasets.load("territories")
    assert len(reg) == 1122 and reg["divipola"].is_unique
    assert reg["pdet"].sum() == 170 and reg["pdet_subregion"].nunique() == 16
    # only Catatumbo's membership is public (8 municipalities); the rest is unknown, not invented
    zf = reg.dropna(subset=["zona_futuro"])
    assert len(zf) == 8 and set(zf["zona_futuro"]) == {"Catatumbo"} and "54810" in set(zf["divipola"])
    mun = datasets.boundaries("municipality")
    assert len(mun) == 1122 and mun.crs.to_epsg() == 4326 and mun.geometry.is_valid.all()
    assert set(mun["divipola"]) == set(reg["divipola"])
    # simplified boundaries still cover roughly DANE's area (equal-area CRS, not degrees)
    laea = "+proj=laea +lat_0=4 +lon_0=-73 +datum=WGS84 +units=m"
    area = mun.to_crs(laea).area.sum() / 1e6
    assert abs(area - reg["area_km2"].sum()) / reg["area_km2"].sum() < 0.01


def test_unknown_dataset_suggests():
    with pytest.raises(UnknownNameError, match="did you mean: coca-national"):
        datasets.load("coca-nacional")


def test_load_returns_copies():
    a = datasets.load("coca-national")
    a["value"] = np.nan
    assert datasets.load("coca-national")["value"].notna().all()
    assert isinstance(a, pd.DataFrame)
