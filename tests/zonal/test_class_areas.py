import numpy as np
import pytest
from rasterio.transform import from_origin

from cocamonitor.errors import InputError
from cocamonitor.zonal import class_areas


@pytest.mark.parametrize("dtype", ["uint8", "int16", "uint16", "int32"])
@pytest.mark.parametrize("window_pixels", [1, 300, 1 << 20])
def test_class_areas_brute_force(raster_factory, dtype, window_pixels):
    rng = np.random.default_rng(3)
    info = np.iinfo(dtype)
    choices = np.array([max(info.min, -7), 0, 1, 5, min(info.max, 40000)], dtype=dtype)
    data = rng.choice(choices, size=(45, 37))
    path = raster_factory(data, nodata=int(choices[2]), block=16)
    df = class_areas(path, window_pixels=window_pixels)
    vals, counts = np.unique(data[data != choices[2]], return_counts=True)
    assert df["class"].tolist() == vals.tolist()
    assert df["pixels"].tolist() == counts.tolist()
    np.testing.assert_allclose(df["area_ha"], counts * 100 / 1e4)
    assert df.attrs["nodata_pixels"] == int((data == choices[2]).sum())


def test_class_areas_strip_raster(raster_factory):
    data = np.arange(60, dtype="uint8").reshape(6, 10) % 3
    df = class_areas(raster_factory(data, tiled=False), window_pixels=20)
    assert df["pixels"].tolist() == [20, 20, 20]


def test_class_areas_geographic(raster_factory):
    data = np.ones((20, 20), dtype="uint8")
    path = raster_factory(data, crs="EPSG:4326", transform=from_origin(-74, 5, 0.01, 0.01))
    with pytest.raises(InputError, match="equal-area"):
        class_areas(path)
    df = class_areas(path, equal_area_crs="EPSG:6933")
    # 0.2 x 0.2 degrees near 4.9 N: ~ 22.2 km x 22.1 km
    assert df["pixels"].tolist() == [400]
    expect = 0.2 * 111320.7 * 0.2 * 110574 * np.cos(np.radians(4.9)) / 1e4
    assert df["area_ha"].iloc[0] == pytest.approx(expect, rel=3e-3)
    # the same answer for any windowing (exact integer sums)
    df2 = class_areas(path, equal_area_crs="EPSG:6933", window_pixels=7)
    assert df2["area_ha"].iloc[0] == df["area_ha"].iloc[0]


def test_class_areas_rejects_float(raster_factory):
    path = raster_factory(np.zeros((3, 3), dtype="float32"))
    with pytest.raises(InputError, match="not integer"):
        class_areas(path)
