"""Reading STAC items and loading them with odc-stac: windows, bands, CRSs, sub-areas."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from cocamonitor.errors import CocamonitorWarning, DataError, InputError
from cocamonitor.imagery import check_items, load_stack, open_stack, read_items
from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    stack = render_scenes(scene_history(size=64, seed=7), 2021, seed=8, scene=SceneConfig(dates=3))
    return stack, write_scenes(stack, tmp_path_factory.mktemp("stac") / "scenes")


def test_loaded_stack_equals_the_rendered_scenes(scenes):
    stack, cat = scenes
    im = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30)
    assert im.crs == "EPSG:9377" and im.pixel_area_ha == pytest.approx(0.01)
    refl, valid = im.read(0, 64, 0, 64)
    assert np.allclose(refl, stack.data.astype(np.float32) * 1e-4)
    assert np.array_equal(valid, ~np.isin(stack.scl, [0, 1, 3, 8, 9, 10]))


def test_direct_reading_equals_odc_stac_on_every_window(scenes):
    from cocamonitor.imagery.reader import WindowReader

    _, cat = scenes
    im = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30)
    sub = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30,
                     bbox=[5_000_000.0 + 100, 1_850_000.0 - 800, 5_000_000.0 + 900, 1_850_000.0 + 200])
    assert im.layout is not None and sub.layout is not None  # the grid sticks out of the files: still direct
    for stack in (im, sub):
        h, w = stack.shape
        with stack.reader() as direct, WindowReader(stack, None) as odc:
            assert direct.direct and not odc.direct
            for window in [(0, h, 0, w), (-1, 17, 5, 40), (h - 7, h + 1, w - 9, w), (3, 4, 0, w)]:
                a, b = direct.read(*window), odc.read(*window)
                assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]), window


def test_catalogs_off_the_grid_are_read_through_odc_stac(scenes):
    _, cat = scenes
    im = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30, resolution=20.0)
    assert im.layout is None and im.shape == (32, 32)
    with im.reader() as reader:
        refl, valid = reader.read(0, 32, 0, 32)
    assert not reader.direct and refl.shape == (3, 10, 32, 32) and valid.shape == (3, 32, 32)


def test_bbox_loads_a_sub_area_on_the_same_grid(scenes):
    stack, cat = scenes
    x0, y0 = 5_000_000.0 + 100, 1_850_000.0 - 300
    ds = load_stack(read_items(cat), bands=["B04"], bbox=[x0, y0, x0 + 200, y0 + 100])
    assert dict(ds.sizes)["y"] == 10 and dict(ds.sizes)["x"] == 20
    assert np.array_equal(ds.B04.isel(time=0).values, stack.data[0, 2, 20:30, 10:30])


def test_window_keeps_only_near_items_and_mixed_crs_is_stated(scenes, tmp_path):
    _, cat = scenes
    items = read_items(cat)
    near = check_items(items, bands=["B04"], reference_date=dt.date(2021, 12, 31), window_days=5)
    assert [it.id for it in near] == ["S2SIM_20211231"]
    items[1].properties["proj:code"] = "EPSG:32618"
    with pytest.warns(CocamonitorWarning, match=r"2 CRSs \(EPSG:32618, EPSG:9377\); all are reprojected to EPSG:9377"):
        load_stack(items, bands=["B04"], bbox=[5_000_000.0, 1_849_500.0, 5_000_500.0, 1_850_000.0])


def test_bad_catalogs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_items(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match="cannot read"):
        read_items(tmp_path / "bad.json")
    (tmp_path / "empty.json").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(DataError, match="has no items"):
        read_items(tmp_path / "empty.json")
    with pytest.raises(InputError, match="not a projected CRS"):
        load_stack([], bands=["B04"], crs="EPSG:4326")
