"""Synthetic Sentinel-2-like scenes: covers, clouds and SCL, COGs and the static STAC catalog."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio

from cocamonitor.simulate.scenes import BANDS, COVER, SCL, SceneConfig, render_scenes, scene_history, write_scenes


@pytest.fixture(scope="module")
def stack():
    hist = scene_history(size=96, seed=4)
    return render_scenes(hist, 2021, seed=5, scene=SceneConfig(dates=4, cloud_mean=0.3, persistent_cloud_share=0.25))


def test_shapes_dates_and_truth(stack):
    assert stack.data.shape == (4, len(BANDS), 96, 96) and stack.data.dtype == np.uint16
    assert stack.scl.shape == (4, 96, 96)
    # dates every 10 days centred on 31 December
    assert [(d - stack.reference_date).days for d in stack.dates] == [-15, -5, 5, 15]
    assert stack.true_coca_ha == pytest.approx(stack.truth.sum() * 0.01)
    assert np.array_equal(stack.land_cover == COVER["coca"], stack.truth == 1)


def test_clouds_and_shadows_are_marked_in_scl(stack):
    codes = set(np.unique(stack.scl).tolist())
    assert codes <= {SCL["shadow"], SCL["vegetation"], SCL["bare"], SCL["water"], SCL["cloud_medium"],
                     SCL["cloud_high"]}
    assert {SCL["cloud_high"], SCL["shadow"], SCL["vegetation"]} <= codes
    # the persistent cloud band (top quarter) is cloud on every date
    assert (stack.scl[:, :24] == SCL["cloud_high"]).all()
    # clouds are bright in every band, shadows darker than the same cover in the clear
    cloud = stack.scl == SCL["cloud_high"]
    assert np.median(stack.data[:, 2][cloud]) > 3000
    veg = stack.scl == SCL["vegetation"]
    assert np.median(stack.data[:, 6][stack.scl == SCL["shadow"]]) < np.median(stack.data[:, 6][veg])


def test_spectral_signatures_order_the_covers(stack):
    clear = np.isin(stack.scl[1], [SCL["vegetation"], SCL["bare"], SCL["water"]])
    red, nir = stack.data[1, 2].astype(float), stack.data[1, 6].astype(float)
    ndvi = (nir - red) / (nir + red)
    lc = stack.land_cover
    med = {k: np.median(ndvi[clear & (lc == COVER[k])]) for k in ("forest", "pasture", "bare", "water")}
    assert med["forest"] > med["pasture"] > med["bare"] > med["water"]


def test_catalog_items_assets_and_cogs(stack, tmp_path):
    cat = write_scenes(stack, tmp_path / "scenes")
    doc = json.loads(cat.read_text())
    links = [ln["href"] for ln in doc["links"] if ln["rel"] == "item"]
    assert len(links) == 4
    item = json.loads((cat.parent / links[0]).read_text())
    assert item["properties"]["proj:epsg"] == 9377 and item["properties"]["datetime"].startswith("2021-12-16")
    assert set(item["assets"]) == {*BANDS, "SCL", "CLD"}
    b04 = item["assets"]["B04"]
    assert b04["eo:bands"][0]["name"] == "B04" and b04["eo:bands"][0]["common_name"] == "red"
    assert not b04["href"].startswith("/")  # self-contained: relative hrefs
    with rasterio.open(cat.parent / links[0].rsplit("/", 1)[0] / b04["href"]) as src:
        assert src.crs.to_epsg() == 9377 and src.profile["tiled"] and src.nodata == 0
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert np.array_equal(src.read(1), stack.data[0, 2])
    cld = item["assets"]["CLD"]
    with rasterio.open(cat.parent / links[0].rsplit("/", 1)[0] / cld["href"]) as src:
        assert np.array_equal(src.read(1), stack.cloud_prob[0])
    truth = json.loads((cat.parent / "truth.json").read_text())
    assert truth["true_coca_ha"] == pytest.approx(stack.true_coca_ha)
    with rasterio.open(cat.parent / "reference.tif") as src:
        assert np.array_equal(src.read(1), stack.truth)
