"""Small raster and zone fixtures for the zonal tests."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin


def write_raster(path, data, *, crs="EPSG:9377", transform=None, nodata=None, tiled=True,
                 block=16):
    data = np.asarray(data)
    if transform is None:
        transform = from_origin(5_000_000, 2_000_000, 10, 10)
    profile = dict(driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                   dtype=data.dtype, crs=crs, transform=transform, nodata=nodata)
    if tiled:
        profile.update(tiled=True, blockxsize=block, blockysize=block)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return str(path)


@pytest.fixture
def raster_factory(tmp_path):
    counter = {"n": 0}

    def _make(data, **kw):
        counter["n"] += 1
        return write_raster(tmp_path / f"r{counter['n']}.tif", data, **kw)

    return _make
