"""Sample size, allocation and windowed stratified draws from a map raster."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.sampling import (
    allocate,
    draw_stratified_sample,
    sample_size_srs,
    sample_size_stratified,
    stratum_pixel_counts,
    write_sample,
)


@pytest.fixture
def class_map(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(90, 70), p=[0.85, 0.05, 0.10])
    data[:3, :] = 255
    path = tmp_path / "map.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=70,
        height=90,
        count=1,
        dtype="uint8",
        nodata=255,
        crs="EPSG:9377",
        transform=from_origin(4.6e6, 1.6e6, 30, 30),
        tiled=True,
        blockxsize=16,
        blockysize=16,
    ) as dst:
        dst.write(data, 1)
    return path, data


def test_sample_size_olofsson_2014():
    w = {"defor": 0.02, "gain": 0.015, "forest": 0.32, "other": 0.645}
    u = {"defor": 0.70, "gain": 0.60, "forest": 0.90, "other": 0.95}
    assert sample_size_stratified(w, users_accuracy=u, target_se=0.01) == 641  # Olofsson 2014


def test_sample_size_from_class_shares_matches_formula():
    w = {"coca": 10.0, "other": 990.0}  # areas are normalised to weights
    q = {"coca": 0.7, "other": 0.01}
    s = np.array([np.sqrt(0.7 * 0.3), np.sqrt(0.01 * 0.99)])
    expected = int(np.ceil(((np.array([0.01, 0.99]) @ s) / 0.002) ** 2))
    assert sample_size_stratified(w, proportions=q, target_se=0.002) == expected


def test_sample_size_srs_cochran():
    assert sample_size_srs(0.5, target_se=0.05) == 100
    assert sample_size_srs(0.1, moe=0.2, confidence=0.9) == int(np.ceil(0.09 / (0.2 * 0.1 / 1.6448536269514722) ** 2))
    with pytest.raises(ParameterError):
        sample_size_srs(0.1)
    with pytest.raises(ParameterError):
        sample_size_srs(1.2, target_se=0.1)


@pytest.mark.parametrize("method", ["proportional", "equal", "neyman", "floor"])
def test_allocation_sums_to_n(method):
    w = {"coca": 0.02, "buffer": 0.08, "other": 0.90}
    a = allocate(500, w, method=method, floor=60, users_accuracy={"coca": 0.7, "buffer": 0.5, "other": 0.98})
    assert a.total == 500
    assert min(a.n.values()) >= 2
    assert list(a.to_frame()["stratum"]) == ["coca", "buffer", "other"]


def test_allocation_rules():
    w = {"coca": 0.02, "buffer": 0.08, "other": 0.90}
    assert allocate(500, w).n == {"coca": 10, "buffer": 40, "other": 450}
    assert allocate(500, w, method="floor", floor=60).n == {"coca": 60, "buffer": 60, "other": 380}
    ney = allocate(1000, w, method="neyman", sd={"coca": 0.5, "buffer": 0.5, "other": 0.1})
    share = np.array([0.02 * 0.5, 0.08 * 0.5, 0.9 * 0.1])
    assert list(ney.n.values()) == pytest.approx(list(1000 * share / share.sum()), abs=1)
    capped = allocate(100, w, method="floor", floor=30, sizes={"coca": 12, "buffer": 500, "other": 9000})
    assert capped.n["coca"] == 12 and capped.total == 100
    with pytest.raises(ParameterError, match="floor"):
        allocate(50, w, method="floor", floor=30)
    with pytest.raises(ParameterError, match="unknown allocation"):
        allocate(50, w, method="optimal")


def test_pixel_counts_by_window(class_map):
    path, data = class_map
    classes, counts = stratum_pixel_counts(path, window_pixels=256)
    assert classes.tolist() == [0, 1, 2]
    assert counts.shape[0] > 4  # really windowed
    for i, c in enumerate(classes):
        assert counts[:, i].sum() == (data == c).sum()


def test_draw_is_reproducible_and_valid(class_map):
    path, data = class_map
    alloc = {0: 40, 1: 15, 2: 20}
    a = draw_stratified_sample(path, alloc, seed=11, window_pixels=256)
    b = draw_stratified_sample(path, alloc, seed=11, window_pixels=256)
    c = draw_stratified_sample(path, alloc, seed=12, window_pixels=256)
    assert a.points.equals(b.points)
    assert not a.points[["row", "col"]].equals(c.points[["row", "col"]])
    pts = a.points
    assert pts.groupby("stratum").size().to_dict() == {"0": 40, "1": 15, "2": 20}
    assert (data[pts["row"], pts["col"]].astype(str) == pts["map_class"]).all()
    assert not pts.duplicated(["row", "col"]).any()
    # pixel centres in the raster CRS, lon/lat in WGS 84 near Putumayo
    assert np.allclose(pts["x"], 4.6e6 + (pts["col"] + 0.5) * 30)
    assert np.allclose(pts["y"], 1.6e6 - (pts["row"] + 0.5) * 30)
    assert pts["lon"].between(-78, -75).all() and pts["lat"].between(-1, 2).all()


def test_full_census_hits_every_pixel_once(class_map):
    """Drawing all N_h pixels of a class returns each exactly once: ordinals map one-to-one."""
    path, data = class_map
    n1 = int((data == 1).sum())
    draw = draw_stratified_sample(path, {1: n1}, seed=3, window_pixels=256)
    got = set(zip(draw.points["row"], draw.points["col"], strict=True))
    want = set(zip(*np.nonzero(data == 1), strict=True))
    assert got == want


def test_draw_errors(class_map):
    path, data = class_map
    with pytest.raises(InputError, match="class 7 is not in the map"):
        draw_stratified_sample(path, {7: 3})
    with pytest.raises(InputError, match="units asked"):
        draw_stratified_sample(path, {1: int((data == 1).sum()) + 1})
    for bad in (-1, 2.5, "x"):
        with pytest.raises(ParameterError, match="not a non-negative integer"):
            draw_stratified_sample(path, {1: 3}, seed=bad)
    with pytest.raises(InputError, match="not found"):
        draw_stratified_sample(path.with_name("missing.tif"), {1: 3})


def test_write_sample(class_map, tmp_path):
    import geopandas as gpd

    path, _ = class_map
    draw = draw_stratified_sample(path, {1: 5, 2: 5}, seed=1)
    gpkg, csv = write_sample(draw, tmp_path / "out" / "sample.gpkg")
    gdf = gpd.read_file(gpkg, layer="sample")
    assert len(gdf) == 10 and gdf.crs.to_epsg() == 9377
    assert set(gdf.columns) >= {"stratum", "map_class", "x", "y", "lon", "lat", "reference_class"}
    assert csv.read_text().splitlines()[0].startswith("sample_id,stratum,map_class")


def test_write_sample_into_a_directory_or_a_bare_name(class_map, tmp_path):
    path, _ = class_map
    draw = draw_stratified_sample(path, {1: 2, 2: 2}, seed=1)
    folder = tmp_path / "samples"
    folder.mkdir()
    assert write_sample(draw, folder) == (folder / "sample.gpkg", folder / "sample.csv")
    assert write_sample(draw, tmp_path / "design") == (tmp_path / "design.gpkg", tmp_path / "design.csv")
    assert (folder / "sample.gpkg").stat().st_size > 0 and (tmp_path / "design.csv").exists()


def _big_map(path, rows, cols):
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="uint8",
                       crs="EPSG:9377", transform=from_origin(4.6e6, 1.6e6, 30, 30), tiled=True,
                       blockxsize=256, blockysize=256) as dst:
        for r0 in range(0, rows, 256):
            h = min(256, rows - r0)
            block = ((np.arange(h)[:, None] + r0 + np.arange(cols)[None, :]) % 50 == 0)
            dst.write(block.astype(np.uint8), 1, window=rasterio.windows.Window(0, r0, cols, h))


@pytest.mark.slow
def test_draw_memory_does_not_grow_with_raster(tmp_path):
    """Peak memory of a draw is set by the window, not the raster (4x the pixels, ~same peak)."""
    import tracemalloc

    peaks = []
    for i, rows in enumerate((512, 2048)):
        path = tmp_path / f"m{i}.tif"
        _big_map(path, rows, 1024)
        tracemalloc.start()
        draw_stratified_sample(path, {0: 200, 1: 200}, seed=1, window_pixels=1 << 16)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks
