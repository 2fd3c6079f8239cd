import json

import pytest

from cocamonitor.errors import DataError, InputError, ParameterError, SchemaError, UnknownNameError
from cocamonitor.production import load_preset, monte_carlo, read_parameters
from cocamonitor.production.areas import read_areas
from cocamonitor.production.params import find_line

GOOD = """[meta]
name = "test"

[parameters.leaf_yield]
unit = "t/ha/yr"
distribution = "triangular"
min = 5.0
mode = 6.0
max = 7.5

[parameters.base_per_leaf]
unit = "kg/t"
value = 1.5

[parameters.base_purity]
unit = "fraction"
distribution = "uniform"
min = 0.6
max = 0.8

[parameters.hcl_per_base]
unit = "kg/kg"
value = 1.12

[areas.North]
value = 1000
unit = "ha"

[areas.South]
value = 2000
se = 100
unit = "ha"
"""


def _err(write, text, cls=ParameterError):
    with pytest.raises(cls) as info:
        model = read_parameters(write("p.toml", text))
        model.resolve()
    return str(info.value)


def test_good_file_parses_and_runs(write):
    model = read_parameters(write("p.toml", GOOD))
    assert model.regions == ("North", "South")
    est = monte_carlo(model, draws=1000, seed=1, sensitivity_draws=500)
    assert set(est.by_region) == {"North", "South"}
    assert est.national["hydrochloride_t"].ci_low < est.national["hydrochloride_t"].ci_high


def test_unknown_parameter_names_line_and_suggestion(write):
    msg = _err(write, GOOD.replace("[parameters.base_per_leaf]", "[parameters.base_per_leaves]"))
    assert "unknown parameter 'base_per_leaves'" in msg
    assert "p.toml line 11" in msg and "base_per_leaf" in msg


def test_missing_unit_names_parameter_and_line(write):
    msg = _err(write, GOOD.replace('unit = "kg/t"\n', ""))
    assert "base_per_leaf" in msg and "missing unit" in msg and "line 11" in msg
    msg = _err(write, GOOD + "\n[regions.North]\nleaf_yield = 6.1\n")
    assert "needs its unit" in msg and "region 'North'" in msg and "line 35" in msg


def test_wrong_unit_is_rejected(write):
    msg = _err(write, GOOD.replace('unit = "kg/t"', 'unit = "kg/ha"'))
    assert "unit 'kg/ha'" in msg and "line 12" in msg


def test_negative_yield(write):
    msg = _err(write, GOOD.replace("min = 5.0", "min = -5.0"))
    assert "leaf_yield" in msg and "negative" in msg and "line 7" in msg
    msg = _err(write, GOOD + '\n[regions.South.leaf_yield]\nunit = "t/ha/yr"\nvalue = -2\n')
    assert "region 'South'" in msg and "negative" in msg and "line 36" in msg


@pytest.mark.parametrize("bad", ["max = 1.2", "max = 0.0\nmin = -0.1"])
def test_purity_outside_unit_interval(write, bad):
    text = (
        GOOD.replace("min = 0.6\nmax = 0.8", "min = 0.6\n" + bad)
        if "1.2" in bad
        else GOOD.replace("min = 0.6\nmax = 0.8", bad)
    )
    msg = _err(write, text)
    assert "base_purity" in msg and "(0, 1]" in msg


def test_purity_point_zero_and_lognormal_purity(write):
    text = GOOD.replace('distribution = "uniform"\nmin = 0.6\nmax = 0.8', "value = 0")
    assert "(0, 1]" in _err(write, text)
    text = GOOD.replace(
        'distribution = "uniform"\nmin = 0.6\nmax = 0.8',
        'distribution = "lognormal"\nmedian = 0.7\nsigma = 0.1',
    )
    assert "unbounded" in _err(write, text)


def test_inverted_bounds_and_mode_outside(write):
    msg = _err(write, GOOD.replace("min = 5.0", "min = 8.0"))
    assert "inverted" in msg and "leaf_yield" in msg and "line 7" in msg
    msg = _err(write, GOOD.replace("mode = 6.0", "mode = 9.0"))
    assert "mode 9" in msg and "line 8" in msg


def test_unknown_distribution_and_stray_keys(write):
    assert "did you mean: triangular" in _err(write, GOOD.replace('"triangular"', '"triangle"'))
    msg = _err(write, GOOD.replace("mode = 6.0", "mode = 6.0\nsd = 1"))
    assert "'sd' does not belong to a triangular" in msg and "line 9" in msg


def test_region_without_parameters(write, tmp_path):
    text = GOOD.replace("[parameters.base_per_leaf]", "[regions.North.base_per_leaf]")
    msg = _err(write, text)
    assert "region 'South' has no value for parameter 'base_per_leaf'" in msg
    assert "line 29" in msg  # where [areas.South] is


def test_parameters_for_region_without_area(write):
    msg = _err(write, GOOD + '\n[regions.East.leaf_yield]\nunit = "t/ha/yr"\nvalue = 6\n')
    assert "region 'East'" in msg and "has no area" in msg and "line 34" in msg


def test_areas_table_region_mismatch_against_params(write):
    text = GOOD + '\n[regions.North.leaf_yield]\nunit = "t/ha/yr"\nvalue = 6\n'
    model = read_parameters(write("p.toml", text))
    areas = read_areas(write("a.csv", "region,area_ha\nSouth,10\nWest,20\n"))
    with pytest.raises(ParameterError, match=r"line 34: .*region 'North'.*has no area"):
        model.with_areas(areas).resolve()


def test_unknown_section_and_bad_toml(write):
    assert "unknown section [parameter]" in _err(
        write, GOOD.replace("[parameters.leaf_yield]", "[parameter.leaf_yield]")
    )
    with pytest.raises(InputError, match="not valid TOML"):
        read_parameters(write("bad.toml", "[parameters\n"))


def test_unit_conversions(write):
    text = GOOD.replace(
        'unit = "t/ha/yr"\ndistribution = "triangular"\nmin = 5.0\nmode = 6.0\nmax = 7.5',
        'unit = "kg/ha/yr"\nvalue = 6000',
    ).replace(
        'unit = "fraction"\ndistribution = "uniform"\nmin = 0.6\nmax = 0.8',
        'unit = "%"\nvalue = 70',
    )
    model = read_parameters(write("p.toml", text))
    by = {s.label: s.dist.central for s in model.specs()}
    assert by["leaf_yield"] == pytest.approx(6.0) and by["base_purity"] == pytest.approx(0.7)


def test_find_line_variants():
    text = (
        '[parameters]\nleaf_yield = { value = 1, unit = "t/ha/yr" }\n\n'
        '[regions."Sur de Bolívar".base_purity]\nunit = "%"\n'
    )
    assert find_line(text, ("parameters", "leaf_yield", "value")) == 2
    assert find_line(text, ("regions", "Sur de Bolívar", "base_purity", "unit")) == 5
    assert find_line(text, ("regions", "Sur de Bolívar", "base_purity")) == 4
    assert find_line(text, ("nothing",)) is None


def test_unknown_preset_suggests():
    with pytest.raises(UnknownNameError, match="did you mean: unodc-2020"):
        load_preset("unodc-202")


def test_areas_csv_errors(write):
    with pytest.raises(SchemaError, match="line 3"):
        read_areas(write("a.csv", "region,area_ha\nA,1\nA,2\n"))
    with pytest.raises(DataError, match="line 2, column 'area_ha'"):
        read_areas(write("a.csv", "region,area_ha\nA,-1\n"))
    with pytest.raises(SchemaError, match="area_ha"):
        read_areas(write("a.csv", "region,hectares\nA,1\n"))


def test_area_estimate_json(write):
    doc = {
        "method": "stratified",
        "unit": "ha",
        "total_area": 1e6,
        "classes": {
            "coca": {"area": 3000.0, "area_se": 200.0},
            "other": {"area": 997000.0, "area_se": 200.0},
        },
        "domains": {
            "05": {"coca": {"area": 1000.0, "area_se": 90.0}},
            "19": {"coca": {"area": 2000.0, "area_se": 150.0}},
        },
    }
    areas = read_areas(write("e.json", json.dumps(doc)))
    assert [(a.region, a.dist.args["mean"], a.dist.args["sd"]) for a in areas] == [
        ("05", 1000.0, 90.0),
        ("19", 2000.0, 150.0),
    ]
    del doc["domains"]
    (nat,) = read_areas(write("e.json", json.dumps(doc)))
    assert nat.region == "national" and nat.dist.args["mean"] == 3000.0
    doc["classes"] = {"1": {"area": 1.0}, "2": {"area": 2.0}}
    with pytest.raises(InputError, match="`area_class`"):
        read_areas(write("e.json", json.dumps(doc)))
    assert read_areas(write("e.json", json.dumps(doc)), area_class="2")[0].dist.central == 2.0
    doc["unit"] = "pixels"
    with pytest.raises(InputError, match="unit 'pixels'"):
        read_areas(write("e.json", json.dumps(doc)), area_class="2")


def test_areas_from_a_real_area_estimate():
    import pandas as pd

    from cocamonitor.area import estimate_domains
    from cocamonitor.production.areas import areas_from_estimate

    sample = pd.DataFrame(
        {
            "stratum": ["coca"] * 6 + ["other"] * 6,
            "reference_class": ["coca"] * 5 + ["other"] * 5 + ["coca", "other"],
            "department": ["Nariño", "Cauca"] * 6,
        }
    )
    est = estimate_domains(sample, {"coca": 100.0, "other": 900.0}, "department")
    for doc in (est, json.loads(json.dumps(est.to_dict()))):
        with pytest.raises(InputError, match="`unit` ha"):
            areas_from_estimate(doc)
        areas = areas_from_estimate(doc, unit="ha")
        assert {a.region for a in areas} == {"Nariño", "Cauca"}
        for a in areas:
            assert a.dist.central == pytest.approx(est.domains[a.region]["coca"].area)


def test_areas_table_region_without_parameters_names_table_line(write):
    text = GOOD.replace("[parameters.base_per_leaf]", "[regions.North.base_per_leaf]")
    model = read_parameters(write("p.toml", text))
    areas = read_areas(write("a.csv", "region,area_ha\nNorth,10\nSouth,20\n"))
    with pytest.raises(ParameterError) as info:
        model.with_areas(areas).resolve()
    msg = str(info.value)
    assert "a.csv line 3" in msg and "region 'South'" in msg and "'base_per_leaf'" in msg
    assert "p.toml" in msg  # the hint says where to add it
