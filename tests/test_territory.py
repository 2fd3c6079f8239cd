import pandas as pd
import pytest

from cocamonitor import territory
from cocamonitor.errors import InputError, UnknownNameError


@pytest.mark.parametrize("text", ["tibu", "TIBÚ", "Tibú", "  tibú ", "54810", "Tibu, Norte de Santander"])
def test_lookup_with_and_without_accents(text):
    t = territory.lookup(text)
    assert (t.divipola, t.municipality, t.department) == ("54810", "Tibú", "Norte de Santander")
    assert t.pdet and t.pdet_subregion == "Catatumbo"


def test_ambiguous_name_lists_departments():
    with pytest.raises(InputError, match="La Unión, Nariño") as info:
        territory.lookup("la union")
    assert "add the department" in str(info.value)
    assert territory.lookup("La Unión, Nariño").divipola == "52399"


def test_unknown_name_and_code_suggest_closest():
    with pytest.raises(UnknownNameError, match="did you mean: Tibú, Norte de Santander"):
        territory.lookup("tibuu")
    with pytest.raises(UnknownNameError, match="54810"):
        territory.lookup("54811")


def test_find_partial_and_department_code():
    assert "86568" in set(territory.find("asis")["divipola"])
    nds = territory.find("54")
    assert len(nds) == 40 and set(nds["department"]) == {"Norte de Santander"}


def test_spanish_title_and_normalize():
    assert territory.spanish_title("SAN JOSÉ DEL GUAVIARE") == "San José del Guaviare"
    assert territory.normalize_name("Nariño") == "narino"


def test_aggregate_department_and_pdet():
    df = pd.DataFrame(
        {
            "divipola": ["54810", "54001", "86568", "86568", "05001"],
            "year": [2020, 2020, 2020, 2021, 2020],
            "ha": [10.0, 2.0, None, 4.0, 1.0],
        }
    )
    dep = territory.aggregate(df, "department", value_cols=["ha"], by=["year"])
    got = dep.set_index(["department", "year"])["ha"].to_dict()
    assert got == {
        ("Antioquia", 2020): 1.0,
        ("Norte de Santander", 2020): 12.0,
        ("Putumayo", 2020): 0.0,
        ("Putumayo", 2021): 4.0,
    }
    pdet = territory.aggregate(df, "pdet-subregion", value_cols=["ha"])
    # Tibú is PDET Catatumbo, Cúcuta (54001) and Medellín are not; Puerto Asís is PDET Putumayo
    assert pdet.set_index("pdet_subregion")["ha"].to_dict() == {"Catatumbo": 10.0, "Putumayo": 4.0}


def test_aggregate_real_panel_to_departments_matches_national_total():
    from cocamonitor import datasets

    coca = datasets.load("coca-municipal")
    dep = territory.aggregate(coca, "department", value_cols=["hectares"], by=["year"])
    nat = coca.groupby("year")["hectares"].sum()
    assert (dep.groupby("year")["hectares"].sum() - nat).abs().max() < 1e-6
    d22 = dep[dep.year == 2022].set_index("department")["hectares"]
    top3 = d22[["Nariño", "Norte de Santander", "Putumayo"]].sum() / d22.sum()
    assert abs(top3 - 0.65) < 0.01  # UNODC: these three held 65 % in 2022


def test_aggregate_errors():
    df = pd.DataFrame({"divipola": ["99999"], "ha": [1.0]})
    with pytest.raises(UnknownNameError, match="99999"):
        territory.aggregate(df, "department", value_cols=["ha"])
    with pytest.raises(UnknownNameError, match="did you mean"):
        territory.aggregate(df, "departmnt", value_cols=["ha"])
    with pytest.raises(InputError, match="Zonas Futuro"):
        territory.aggregate(df, "zona-futuro", value_cols=["ha"])


@pytest.mark.parametrize("text", ["05", "54810", "narino", "santander", "la union", "tibu", "san jose", "zzz", " "])
def test_find_records_are_finds_rows_without_pandas(text):
    import math

    from cocamonitor.territory import find, find_records

    expected = [{k: None if isinstance(v, float) and math.isnan(v) or v is pd.NA else v for k, v in row.items()}
                for row in find(text).to_dict("records")]
    assert find_records(text) == expected
