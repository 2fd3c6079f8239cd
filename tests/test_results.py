"""Results describe their own numbers (issue 20): every recorded command gives the store its result's
``estimates()``, and the tidy table they make is the one the store used to read from the JSON document."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.commands.test_store_cli import AREA, EX

from cocamonitor import store as store_mod
from cocamonitor.results import Composite, Estimate, HasEstimates, Table, deprecated_alias, estimates_frame, number
from cocamonitor.store import open_store, tidy_estimates

YEARLY = ("--size", "200", "--years", "2019-2020", "--seed", "3", "--replicates", "2")

#: one run of every recorded command (small inputs): name -> argv
COMMANDS = {
    "area stratified": AREA,
    "area by": ("area", "estimate", "--sample", str(EX / "olofsson2013_sample.csv"),
                "--strata-areas", str(EX / "olofsson2013_areas.csv"), "--method", "stehman2014"),
    "trend test": ("trend", "test", "--dataset", "coca-national", "--source", "unodc", "--years", "2015-2023"),
    "trend change years": ("trend", "change", "--from", "2020", "--to", "2021"),
    "trend change se": ("trend", "change", "--a", "100,5", "--b", "120,6"),
    "trend compare": ("trend", "compare", "--sources", "unodc,us"),
    "production preset": ("production", "estimate", "--preset", "unodc-2020", "--draws", "2000", "--seed", "1",
                          "--sensitivity-draws", "200"),
    "production year": ("production", "estimate", "--year", "2022", "--draws", "2000", "--seed", "1",
                        "--sensitivity-draws", "0"),
    "evaluate did": ("evaluate", "did", "--treatment", "pdet", "--years", "2012-2020", "--n-boot", "0"),
    "evaluate bacon": ("evaluate", "bacon", "--treatment", "pdet", "--years", "2012-2020"),
    "evaluate synth": ("evaluate", "synth", "--treated", "Norte de Santander", "--from", "2019"),
    "simulate compare": ("simulate", "compare", *YEARLY),
    "simulate experiment": ("simulate", "experiment", "--grid", "clouds=0.1,0.4", *YEARLY),
}


def _recorded(run_cli, db, argv):
    """Run ``argv`` with ``--store``; the store must not read the document (the result gives its rows)."""
    def refuse(document):
        raise AssertionError("the store read the numbers from the document instead of the result")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_mod, "tidy_estimates", refuse)
        res = run_cli("--store", str(db), *argv, "--format", "json")
    assert res.exit_code == 0, res.stderr
    with open_store(db, read_only=True) as st:
        return st.get_run(int(st.list_runs()["run_id"].iloc[-1]))


def _same_table(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    assert got[["item", "quantity"]].values.tolist() == want[["item", "quantity"]].values.tolist()
    for col in ("value", "se", "lower", "upper"):
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-12, err_msg=col)
    assert got["unit"].tolist() == want["unit"].tolist()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_store_table_of_each_command_is_the_one_read_from_its_document(run_cli, tmp_path, name):
    run = _recorded(run_cli, tmp_path / "runs.duckdb", COMMANDS[name])
    assert len(run.estimates) > 0
    _same_table(run.estimates, tidy_estimates(run.document))


def test_a_zonal_table_gives_its_rows_vectorised(run_cli, tmp_path):
    import geopandas as gpd
    import rasterio
    from rasterio.transform import from_origin
    from shapely.geometry import box

    data = np.array([[1, 1, 2, 2], [1, 9, 2, 2], [3, 3, 3, 3], [3, 3, 1, 1]], dtype="uint8")
    raster = tmp_path / "map.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8", crs="EPSG:9377",
                       nodata=9, transform=from_origin(0.0, 40.0, 10.0, 10.0)) as dst:
        dst.write(data, 1)
    gpd.GeoDataFrame({"code": ["w", "e"]}, geometry=[box(0, 0, 20, 40), box(20, 0, 40, 40)],
                     crs="EPSG:9377").to_file(tmp_path / "zones.gpkg")
    run = _recorded(run_cli, tmp_path / "runs.duckdb", ("zonal", "--raster", str(raster), "--zones",
                                                        str(tmp_path / "zones.gpkg"), "--id-field", "code"))
    _same_table(run.estimates, tidy_estimates(run.document))
    assert run.estimates[["item", "quantity", "value", "unit"]].values.tolist()[:2] == [
        ["zone=w,class=1", "pixels", 3.0, None], ["zone=w,class=1", "area_ha", 0.03, "ha"]]


# ---------------------------------------------------------------------------------------------
# the protocol itself


def test_a_missing_value_gives_no_row_and_a_lone_se_its_own():
    assert list(number("", "x", float("nan"))) == []
    assert list(number("", "x", None, 2.0)) == [Estimate("", "x_se", 2.0)]
    assert list(number("c", "area", 3, 1, (2, np.inf), "ha")) == [Estimate("c", "area", 3.0, 1.0, 2.0, None, "ha")]


def test_composite_nests_parts_and_skips_missing_ones():
    part = [Estimate("", "a", 1.0), Estimate("x", "b", 2.0)]
    c = Composite((("p", part), ("q", None), ("", [Estimate("", "c", 3.0)])))
    assert [(e.item, e.quantity) for e in c.estimates()] == [("p", "a"), ("p/x", "b"), ("", "c")]
    assert isinstance(c, HasEstimates)
    f = estimates_frame(c)
    assert f.columns.tolist() == ["item", "quantity", "value", "se", "ci_low", "ci_high", "unit"]
    assert f["value"].tolist() == [1.0, 2.0, 3.0]


def test_a_table_names_rows_by_their_keys_takes_units_from_names_and_drops_missing_values():
    t = pd.DataFrame({"zone": ["A", "A"], "class": [1, 2], "pixels": [3, np.nan], "area_ha": [0.27, 0.45],
                      "flag": [True, False], "name": ["x", "y"]})
    rows = list(Table(t).estimates())
    assert [(r.item, r.quantity, r.value, r.unit) for r in rows] == [
        ("zone=A,class=1", "pixels", 3.0, None), ("zone=A,class=1", "area_ha", 0.27, "ha"),
        ("zone=A,class=2", "area_ha", 0.45, "ha")]
    by_position = list(Table(pd.DataFrame({"v": [5.0, 6.0], "unit": ["t", None]})).estimates())
    assert [(r.item, r.value, r.unit) for r in by_position] == [("0", 5.0, "t"), ("1", 6.0, None)]


def test_deprecated_alias_warns_and_returns_the_new_name():
    class R:
        ci_low = 1.0
        lower = deprecated_alias("ci_low", "lower")

    with pytest.warns(DeprecationWarning, match=r"R.lower is deprecated; use .ci_low"):
        assert R().lower == 1.0


# ---------------------------------------------------------------------------------------------
# known values of each result type on tiny inputs


def _rows(result):
    return {(e.item, e.quantity): e for e in result.estimates()}


def test_area_estimate_rows():
    from cocamonitor.area import estimate_stratified

    sample = pd.DataFrame({"stratum": ["coca"] * 3 + ["other"] * 3,
                           "reference_class": ["coca", "coca", "other", "other", "coca", "other"],
                           "department": ["N", "C"] * 3})
    est = estimate_stratified(sample, {"coca": 100.0, "other": 900.0}, by="department").with_unit("ha")
    r = _rows(est)
    coca = r[("classes/coca", "area")]
    assert coca.value == pytest.approx(100 * 2 / 3 + 900 / 3) and coca.unit == "ha"
    # V = 100^2 (2/3)(1/3)/2 / 3 + 900^2 (1/3)(2/3)/2 / 3... s^2 = p(1-p) n/(n-1)
    se = np.sqrt(100**2 * (1 / 3) / 3 + 900**2 * (1 / 3) / 3)
    assert coca.se == pytest.approx(se)
    assert (coca.ci_low, coca.ci_high) == pytest.approx((coca.value - 1.959964 * se, coca.value + 1.959964 * se))
    assert r[("classes/coca", "proportion")].unit is None
    assert r[("", "total_area")].value == 1000.0 and r[("", "total_area")].unit == "ha"
    assert ("domains/N/coca", "area") in r and r[("domains/N/coca", "area")].unit == "ha"


def test_trend_rows():
    from cocamonitor.trends import mann_kendall, pettitt, theil_sen
    from cocamonitor.trends.summary import trend_summary

    years = list(range(2010, 2016))
    mk = _rows(mann_kendall([1, 2, 3, 4, 5, 6], years))
    assert mk[("", "s")].value == 15 and mk[("", "tau")].value == 1.0 and mk[("", "n")].value == 6
    ts = _rows(theil_sen([1, 3, 5, 7, 9, 11], years))
    assert ts[("", "slope")].value == pytest.approx(2.0)
    assert ts[("", "slope")].ci_low == pytest.approx(2.0) and ts[("", "slope")].ci_high == pytest.approx(2.0)
    pt = _rows(pettitt([1, 1, 1, 5, 5, 5], years))
    assert pt[("", "first_year_after")].value == 2013 and pt[("", "k")].value == 9.0
    assert pt[("", "median_after")].value - pt[("", "median_before")].value == 4.0
    s = trend_summary(pd.Series([1.0, 3.0, 2.0, 5.0, 4.0, 7.0], index=years))
    r = _rows(s)
    lin = r[("linear_trend", "slope")]
    assert lin.se is not None and lin.ci_low < lin.value < lin.ci_high
    assert ("mann_kendall", "p_value") in r and ("pettitt", "k") in r and ("hamed_rao", "z") in r


def test_change_and_sensitivity_rows():
    from cocamonitor.trends import census_sensitivity, change

    c = change((100.0, 3.0), (120.0, 4.0))
    d = _rows(c)[("", "difference")]
    assert (d.value, d.se) == (20.0, pytest.approx(5.0))
    assert (d.ci_low, d.ci_high) == pytest.approx((20 - 1.959964 * 5, 20 + 1.959964 * 5))
    assert _rows(c)[("", "ratio")].value == pytest.approx(1.2)
    s = _rows(census_sensitivity(100.0, 120.0, relative_errors=(0.1,)))
    assert s[("table/0", "se_a")].value == pytest.approx(10.0) and s[("table/0", "se_b")].value == pytest.approx(12.0)
    assert ("table/0", "significant") not in s


def test_comparison_rows():
    from cocamonitor.trends import compare_series

    years = range(2015, 2020)
    a = pd.Series([10.0, 12.0, 11.0, 13.0, 15.0], index=years)
    b = pd.Series([5.0, 6.0, 5.5, 6.5, 7.5], index=years)
    r = _rows(compare_series(a, b, names=("a", "b")))
    assert r[("ratio", "mean")].value == pytest.approx(2.0) and r[("", "agreement_share")].value == 1.0
    assert r[("table/year=2016", "change_a_pct")].value == pytest.approx(20.0)
    assert r[("table/year=2016", "change_a_pct")].unit == "%"
    assert r[("mann_kendall/a", "s")].value == 8


def test_production_rows():
    from cocamonitor.production import monte_carlo
    from cocamonitor.production.presets import load_preset

    est = monte_carlo(load_preset("unodc-2020"), draws=2000, seed=1, sensitivity=False)
    r = _rows(est)
    hcl = est.national["hydrochloride_t"]
    row = r[("national", "hydrochloride_t")]
    assert (row.value, row.ci_low, row.ci_high, row.unit) == (hcl.point, hcl.ci_low, hcl.ci_high, "t")
    assert r[("national", "hydrochloride_t_median")].value == hcl.median
    assert r[("national", "area_ha")].unit == "ha" and r[("", "draws")].value == 2000


def test_scenario_rows():
    from cocamonitor.production.scenarios import estimate_year

    s = estimate_year(2022, "implied", area_ha=200_000.0, draws=2000, seed=1, sensitivity=False)
    r = _rows(s)
    assert r[("", "area_ha")].value == 200_000.0 and r[("", "area_ha")].unit == "ha"
    assert r[("implied", "kg_per_ha")].unit == "kg/ha"
    assert r[("estimate/national", "hydrochloride_t")].value == s.estimate.national["hydrochloride_t"].point


def test_evaluation_rows():
    from cocamonitor.evaluate import Panel, aggregate, att_gt
    from cocamonitor.evaluate.diagnostics import bacon_decomposition, pretrend_test
    from cocamonitor.evaluate.synth import synthetic_control

    y = np.array([[1., 1., 3.], [2., 2., 4.], [1., 1., 1.], [0., 0., 0.]])
    p = Panel(y=y, times=np.array([1, 2, 3]), cohort=np.array([3, 3, 0, 0]), units=np.arange(4))
    res = att_gt(p, n_boot=0)
    r = _rows(res)
    assert r[("att_gt/1", "att")].value == 2.0 and r[("att_gt/1", "group")].value == 3
    simple = _rows(aggregate(res, "simple"))
    assert simple[("", "att")].value == 2.0 and ("", "ci_low") in simple
    assert ("", "statistic") in _rows(pretrend_test(res))
    b = _rows(bacon_decomposition(Panel(y=np.array([[0., 1., 3.], [0., 0., 0.]]), times=np.array([1, 2, 3]),
                                        cohort=np.array([3, 0]), units=np.arange(2))))
    assert b[("", "twfe")].value == pytest.approx(2.5)
    t = np.arange(2010, 2020)
    wide = pd.DataFrame({"a": t - 2000.0, "b": t - 1990.0, "c": (t - 1995.0) + 5 * (t >= 2016)}, index=t)
    s = _rows(synthetic_control(wide, "c", 2016))
    assert s[("", "att")].value == pytest.approx(5.0) and s[("path/9", "gap")].value == pytest.approx(5.0)


def test_zonal_rows():
    from cocamonitor.zonal.tally import ZonalTally

    z = ZonalTally(pd.DataFrame({"zone": ["w"], "class": [1], "pixels": [3], "area_ha": [0.03]}),
                   pd.DataFrame(), (), "numpy", "center", {})
    assert [(e.item, e.quantity, e.value, e.unit) for e in z.estimates()] == [
        ("zone=w,class=1", "pixels", 3.0, None), ("zone=w,class=1", "area_ha", 0.03, "ha")]
    assert estimates_frame(z)["value"].tolist() == [3.0, 0.03]


def test_simulator_rows():
    from cocamonitor.simulate.config import SimulationConfig
    from cocamonitor.simulate.score import TruthScore

    t = _rows(TruthScore("dec31", 1.5, 0.5, 2.0, 0.9, (0.8, 0.95), 0.0, 1.0))
    assert t[("", "bias_ha")].unit == "ha" and t[("", "coverage")].ci_low == 0.8
    assert ("", "bias_mcse_ha") in t
    c = _rows(SimulationConfig())
    assert c[("dynamics", "size_max_ha")].value == 10.0 and c[("dynamics", "size_max_ha")].unit == "ha"


def test_slopes_name_their_interval_ci_low_and_ci_high():
    from cocamonitor.trends import linear_trend, theil_sen

    ts = theil_sen([1.0, 3.0, 4.0, 7.0, 9.0, 11.0], list(range(2010, 2016)))
    assert (ts.ci_low, ts.ci_high) == ts.ci
    lt = linear_trend([1.0, 3.0, 4.0, 7.0, 9.0, 11.0], list(range(2010, 2016)))
    assert (lt.ci_low, lt.ci_high) == tuple(lt.ci)
