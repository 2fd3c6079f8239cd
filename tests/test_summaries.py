from cocamonitor.summaries import national_comparison, top_municipalities


def test_national_comparison_ratio():
    nat = national_comparison()
    assert nat.loc[2020, "area_ratio_us_unodc"] == round(245_000 / 143_000, 3)
    assert nat.loc[2022].isna()["us_area_ha"]


def test_top_municipalities_change():
    top = top_municipalities(2022, n=3)
    assert top.iloc[0]["municipality"] == "Tibú"
    assert abs(top.iloc[0]["hectares"] - 22_082) < 1  # UNODC: Tibú about 22,000 ha in 2022
    row = top.iloc[0]
    assert row["change_ha"] == row["hectares"] - row["previous"]


def test_top_municipalities_refuses_n_below_one():
    import pytest

    from cocamonitor.errors import InputError
    from cocamonitor.summaries import top_municipalities

    for n in (0, -3):
        with pytest.raises(InputError, match="n must be at least 1"):
            top_municipalities(2024, n=n)
