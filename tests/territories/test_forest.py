import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from cocamonitor.forest import CAVEAT, coca_on_forest, coca_on_forest_masks, forest_then_from_lossyear
from cocamonitor.simulate import SimulationConfig, simulate_history
from cocamonitor.simulate.forest import simulate_forest

YEARS = [2019, 2020, 2021]
LAG = 3


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    cfg = SimulationConfig().replace(landscape={"size": 240})
    h = simulate_history(cfg, YEARS, seed=11)
    f = simulate_forest(h, cattle_rate=0.03, seed=11)
    d = tmp_path_factory.mktemp("forest")
    land = h.landscape
    prof = {"driver": "GTiff", "width": land.size, "height": land.size, "count": 1, "dtype": "uint8",
            "crs": land.crs, "transform": rasterio.Affine(*land.transform)}

    def write(path, arr):
        with rasterio.open(path, "w", **prof) as dst:
            dst.write(arr.astype("uint8"), 1)
        return path

    coca = {y: write(d / f"coca_{y}.tif", f.coca(y)) for y in [YEARS[0] - 1, *YEARS]}
    loss = write(d / "lossyear.tif", f.lossyear)
    masks = {y: write(d / f"forest_{y}.tif", f.forest[y]) for y in range(YEARS[0] - LAG - 1, YEARS[-1] + 1)}
    return f, coca, loss, masks, d


def test_simulated_forest_is_consistent(sim):
    f = sim[0]
    for y in YEARS:
        t = f.truth(y, LAG)
        assert not (t["coca"] & f.forest[y]).any()  # coca never stands on forest
        assert t["coca_on_recent_forest"].any() and (t["coca"] & ~t["coca_on_recent_forest"]).any()
    assert f.cleared_by_cattle.any()  # forest also goes for reasons other than coca


def test_lossyear_measurement_matches_truth_pixel_for_pixel(sim):
    f, coca, loss, masks, _ = sim
    with rasterio.open(loss) as src:
        code = src.read(1)
    for y in YEARS:
        truth = f.truth(y, LAG)
        with rasterio.open(coca[y]) as a, rasterio.open(coca[y - 1]) as b:
            c, cb = a.read(1) == 1, b.read(1) == 1
        then, lost = forest_then_from_lossyear(code, y, LAG)
        got = coca_on_forest_masks(c, then, coca_before=cb, loss_in_year=lost)
        for key, mask in truth.items():
            assert np.array_equal(got[key], mask), (y, key)


@pytest.mark.parametrize("source", ["lossyear", "masks"])
def test_hectares_equal_truth_exactly(sim, source):
    f, coca, loss, masks, _ = sim
    px_ha = f.history.config.pixel_area_ha
    kw = {"lossyear": loss} if source == "lossyear" else {"forest_masks": masks}
    res = coca_on_forest({y: coca[y] for y in [YEARS[0] - 1, *YEARS]}, lag=LAG, window_pixels=4096, **kw)
    t = res.to_frame().set_index("year")
    for y in YEARS:
        truth = f.truth(y, LAG)
        for key, mask in truth.items():
            assert t.loc[y, f"{key}_ha"] == int(mask.sum()) * px_ha, (y, key)
    assert res.caveat == CAVEAT and "Murillo-Sandoval" in res.to_dict()["citation"]


def test_by_territory_counts_pixel_centres(sim):
    f, coca, loss, _, _ = sim
    land = f.history.landscape
    # a territory covering rows 40-119 and columns 30-159 exactly (edges on pixel edges)
    x0, y0, p = land.origin_x, land.origin_y, land.pixel_size_m
    box = shapely.box(x0 + 30 * p, y0 - 120 * p, x0 + 160 * p, y0 - 40 * p)
    terr = gpd.GeoDataFrame({"name": ["Resguardo Nukak Makú"]}, geometry=[box], crs=land.crs).to_crs(4326)
    res = coca_on_forest({y: coca[y] for y in YEARS}, lag=LAG, lossyear=loss, territories=terr)
    t = res.to_frame().set_index(["territory", "year"])
    truth = f.truth(YEARS[-1], LAG)["coca_on_recent_forest"][40:120, 30:160]
    got = t.loc[("Resguardo Nukak Makú", YEARS[-1]), "coca_on_recent_forest_ha"]
    assert got == pytest.approx(int(truth.sum()) * f.history.config.pixel_area_ha, abs=1e-9)
    assert np.isnan(t.loc[("(whole map)", YEARS[0]), "new_coca_ha"])  # no map of the year before: not invented


def test_cli(sim, run_cli, tmp_path):
    f, coca, loss, masks, d = sim
    files = ",".join(str(coca[y]) for y in YEARS)
    r = run_cli("forest", "--coca", files, "--forest-loss", str(loss), "--lag", str(LAG), "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Coincidence is not cause" in r.stderr
    doc = json.loads(r.stdout)
    rows = pd.DataFrame(doc["rows"]).set_index("year")
    px_ha = f.history.config.pixel_area_ha
    assert rows.loc[2021, "coca_on_recent_forest_ha"] == int(f.truth(2021, LAG)["coca_on_recent_forest"].sum()) * px_ha
    assert doc["caveat"]["es"].startswith("Coincidencia no es causa")
    r = run_cli("forest", "--coca", files, "--forest-loss", str(loss), "--lag", "20")
    assert r.exit_code == 2 and "before 2000" in r.stderr and "--lag" in r.stderr
    r = run_cli("forest", "--coca", files)
    assert r.exit_code == 2 and "--forest-loss" in r.stderr
    mfiles = ",".join(str(masks[y]) for y in sorted(masks) if y >= YEARS[0] - LAG + 1)
    r = run_cli("forest", "--coca", files, "--forest", mfiles)
    assert r.exit_code == 2 and f"no forest mask for {YEARS[0] - LAG}" in r.stderr
    odd = tmp_path / "lossyear_small.tif"
    with rasterio.open(loss) as src:
        prof = src.profile | {"width": 10, "height": 10}
        with rasterio.open(odd, "w", **prof) as dst:
            dst.write(src.read(1)[:10, :10], 1)
    r = run_cli("forest", "--coca", files, "--forest-loss", str(odd))
    assert r.exit_code == 2 and "same pixel grid" in r.stderr and r.stderr.count("\n") == 1
