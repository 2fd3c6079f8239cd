import numpy as np
import pandas as pd
import pytest

from cocamonitor import datasets
from cocamonitor.errors import UnknownNameError

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


def test_national_series_preferred_vintage_is_unique_per_year():
    nat = datasets.load("coca-national")
    pref = nat[nat["preferred"]]
    assert not pref.duplicated(["source_key", "metric", "year"]).any()
    us = datasets.national_series("us", "production")
    assert us.loc[2017] == 900.0  # June 2019 revision, not the 921 t first release
    assert us.attrs["unit"] == "t" and us.attrs["citations"][2017].startswith(("http", "github"))


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
    assert prov["raw_sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


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
    assert reg["zona_futuro"].isna().all()  # membership not public: stated, not invented
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
