"""Reading STAC items and loading them with odc-stac: windows, bands, CRSs, sub-areas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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


def test_direct_reading_with_item_times_in_another_time_zone(scenes):
    from cocamonitor.imagery.reader import direct_layout

    _, cat = scenes
    items = read_items(cat)
    im = open_stack(items, reference_date=dt.date(2021, 12, 31), window_days=30)
    bogota = dt.timezone(dt.timedelta(hours=-5))
    for it in items:  # the same instants, written in Colombian time
        it.datetime = it.datetime.astimezone(bogota)
    layout = direct_layout(items, bands=[*im.bands, "SCL"], geobox=im.ds.odc.geobox, times=im.ds.time.values)
    assert layout == im.layout


def test_catalogs_off_the_grid_are_read_through_odc_stac(scenes):
    _, cat = scenes
    im = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30, resolution=20.0)
    assert im.layout is None and im.shape == (32, 32)
    with im.reader() as reader:
        refl, valid = reader.read(0, 32, 0, 32)
    assert not reader.direct and refl.shape == (3, 10, 32, 32) and valid.shape == (3, 32, 32)


def test_stac_geoparquet_gives_the_same_stack(scenes, tmp_path):
    import pandas as pd

    from cocamonitor.imagery.stac import write_geoparquet

    _, cat = scenes
    items = read_items(cat)
    pq = write_geoparquet(items, tmp_path / "items.parquet")
    back = read_items(pq)
    assert [it.id for it in back] == [it.id for it in items]
    assert [it.assets["B04"].href for it in back] == [it.assets["B04"].href for it in items]
    a = open_stack(cat, reference_date=dt.date(2021, 12, 31), window_days=30)
    b = open_stack(pq, reference_date=dt.date(2021, 12, 31), window_days=30)
    assert b.layout is not None and b.dates == a.dates
    for x, y in zip(a.read(0, 64, 0, 64), b.read(0, 64, 0, 64), strict=True):
        assert np.array_equal(x, y)
    # hrefs relative to the parquet file's folder, as a catalog exported with its files has them
    folder = Path(cat).parent
    rel = [it.clone() for it in items]
    for it in rel:
        for asset in it.assets.values():
            asset.href = str(Path(asset.href).relative_to(folder))
    back = read_items(write_geoparquet(rel, folder / "relative.parquet"))
    assert [it.assets["SCL"].href for it in back] == [it.assets["SCL"].href for it in items]
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "other.parquet")
    with pytest.raises(DataError, match="is not a stac-geoparquet file of items") as err:
        read_items(tmp_path / "other.parquet")
    assert err.value.where == "catalog"


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


def test_cloud_probability_masks_the_haze_that_scl_misses(tmp_path):
    from cocamonitor.imagery.reader import WindowReader

    scene = render_scenes(scene_history(size=64, seed=4), 2021, seed=5, scene=SceneConfig(dates=3, haze_share=0.3))
    cat = write_scenes(scene, tmp_path / "hazy")
    ref = dt.date(2021, 12, 31)
    plain = open_stack(cat, reference_date=ref, window_days=30)
    masked = open_stack(cat, reference_date=ref, window_days=30, cloud_band="CLD", cloud_max=40)
    scl_ok = ~np.isin(scene.scl, [0, 1, 3, 8, 9, 10])
    haze = scl_ok & (scene.cloud_prob >= 40)
    assert haze.mean() > 0.05  # SCL calls these clear
    _, v_plain = plain.read(0, 64, 0, 64)
    _, v_masked = masked.read(0, 64, 0, 64)
    assert np.array_equal(v_plain, scl_ok) and np.array_equal(v_masked, scl_ok & ~haze)
    with WindowReader(masked, None) as odc:  # odc-stac reads the same mask
        assert np.array_equal(odc.read(0, 64, 0, 64)[1], v_masked)
    with pytest.raises(DataError, match="has no band XYZ"):
        open_stack(cat, reference_date=ref, window_days=30, cloud_band="XYZ")
    from cocamonitor.errors import ParameterError

    with pytest.raises(ParameterError) as err:
        open_stack(cat, reference_date=ref, window_days=30, cloud_band="CLD", cloud_max=0)
    assert err.value.where == "cloud_max"


def test_cloud_probability_of_scenes_without_haze():
    """Without haze the probability follows the SCL classes, and the scenes of a seed repeat."""
    a = render_scenes(scene_history(size=32, seed=2), 2021, seed=3, scene=SceneConfig(dates=2))
    b = render_scenes(scene_history(size=32, seed=2), 2021, seed=3, scene=SceneConfig(dates=2, haze_share=0.0))
    assert np.array_equal(a.data, b.data) and np.array_equal(a.cloud_prob, b.cloud_prob)
    assert set(np.unique(a.cloud_prob)) <= {5, 15, 65, 95}
