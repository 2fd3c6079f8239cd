import numpy as np
import pytest

from cocamonitor.production import (
    chain,
    check_preset,
    list_presets,
    load_preset,
    monte_carlo,
    point_chain,
)
from cocamonitor.production.chain import QUANTITIES

PUBLISHED_2020 = {"leaf_t": 997_300.0, "base_t": 1_536.0, "hydrochloride_t": 1_228.0}


def test_unodc_2020_preset_reproduces_published_tonnages():
    national = point_chain(load_preset("unodc-2020")).national
    for q, value in PUBLISHED_2020.items():
        assert abs(national[q] / value - 1) < 0.01, q
    assert national["area_ha"] == 143_000.0
    # the stock -> productive factor is explicit: harvested area = 997,300 / 6.4
    assert national["productive_area_ha"] == pytest.approx(997_300 / 6.4, rel=1e-5)


@pytest.mark.parametrize("name", ["unodc-2018", "unodc-2019", "unodc-2020"])
def test_every_preset_reproduces_what_it_publishes(name):
    check = check_preset(name)
    assert set(check["quantity"]) >= {"area_ha", "leaf_t", "hydrochloride_t"}
    assert (check["relative_difference"].abs() < 0.01).all()


def test_presets_are_named_publisher_year_and_tag_every_value():
    names = list_presets()
    assert "unodc-2020" in names
    for name in names:
        publisher, year = name.rsplit("-", 1)
        model = load_preset(name)
        assert model.meta["publisher"].lower() == publisher and model.meta["year"] == int(year)
        for spec in model.specs():
            assert spec.source in {"published", "derived"}, spec.label
            assert spec.citation
            if spec.source == "derived":
                assert spec.derivation
            if spec.dist.is_random:
                assert spec.spread


def test_monte_carlo_point_matches_published_and_interval_contains_it():
    est = monte_carlo(load_preset("unodc-2020"), draws=20_000, seed=0, sensitivity=False)
    hcl = est.national["hydrochloride_t"]
    assert hcl.point == pytest.approx(1228, rel=0.01)
    assert hcl.ci_low < 1228 < hcl.ci_high


def test_chain_intermediates_and_national_sums():
    r = chain([100.0, 300.0], 1.1, [5.0, 6.0], 1.5, 0.8, 1.12, regions=["a", "b"])
    np.testing.assert_allclose(r.values["productive_area_ha"], [110.0, 330.0])
    np.testing.assert_allclose(r.values["leaf_t"], [550.0, 1980.0])
    np.testing.assert_allclose(r.values["base_t"], [0.825, 2.97])
    np.testing.assert_allclose(r.values["hydrochloride_t"], np.array([0.825, 2.97]) * 0.8 * 1.12)
    nat = r.national
    for q in QUANTITIES:
        assert nat[q] == pytest.approx(r.values[q].sum())
    df = r.to_frame()
    assert list(df["region"]) == ["a", "b", "national"]


def test_harvests_times_leaf_per_harvest_equals_leaf_yield(write):
    from cocamonitor.production import read_parameters

    common = """
[parameters.base_per_leaf]
unit = "kg/t"
value = 1.5
[parameters.base_purity]
unit = "%"
value = 80
[parameters.hcl_per_base]
unit = "kg/kg"
value = 1.1
[areas.A]
value = 1000
unit = "ha"
[areas.B]
value = 2000
unit = "ha"
"""
    direct = read_parameters(
        write("d.toml", common + '[parameters.leaf_yield]\nunit = "kg/ha/yr"\nvalue = 6000\n')
    )
    split = read_parameters(
        write(
            "s.toml",
            common
            + """
[parameters.leaf_yield]
unit = "t/ha/yr"
value = 6.0
[regions.B.harvests_per_year]
unit = "1/yr"
value = 4
[regions.B.leaf_per_harvest]
unit = "t/ha"
value = 1.5
""",
        )
    )
    a, b = point_chain(direct), point_chain(split)
    np.testing.assert_allclose(a.values["leaf_t"], b.values["leaf_t"])
    np.testing.assert_allclose(
        a.values["hydrochloride_t"], [6000 * 1.5e-3 * 0.8 * 1.1, 12000 * 1.5e-3 * 0.8 * 1.1]
    )
    est = monte_carlo(split, draws=100, seed=1, sensitivity=False)
    assert est.national["leaf_t"].mean == pytest.approx(18_000.0)
