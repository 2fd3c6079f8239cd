"""Results describe their own numbers (issue 20): every recorded command gives the store its result's
``estimates()``, and the tidy table they make is the one the store used to read from the JSON document."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.commands.test_store_cli import AREA, EX

from cocamonitor import store as store_mod
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
